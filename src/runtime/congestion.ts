import { participantOf } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';

/** What the sender side needs of an actor it holds back. */
export interface Holdable {
  /** Suspends the actor after its handler; false if it already was (for this reason). */
  holdForCongestion(): boolean;
  releaseCongestion(): void;
}

interface Congested {
  /** Actors of this thread held until the target drains. */
  held: Holdable[];
  /** `ref.send()` callers waiting for it. */
  waiters: (() => void)[];
  /** Messages non-actor callers (the main thread's code) sent to it since it congested. */
  sent: number;
  /** How many they may send while it stays congested (the target's high-water mark). */
  limit: number;
}

/**
 * The sending side of per-actor backpressure: actors on other threads whose mailbox crossed its
 * high-water mark (their thread broadcast `congested`), until they drain to their low-water mark
 * (`decongested`). A local actor that sends to one is suspended after its handler; code outside
 * actors sees `ref.backpressured`, can `await ref.send()`, and past the target's high-water mark
 * of further sends gets ERR_BACKPRESSURE. Other actors of the same threads are not held: the
 * rings keep flowing.
 */
export class Congestion {
  private readonly targets = new Map<number, Congested>();

  get size(): number {
    return this.targets.size;
  }

  has(target: number): boolean {
    return this.targets.has(target);
  }

  mark(target: number, limit: number): void {
    if (!this.targets.has(target)) this.targets.set(target, { held: [], waiters: [], sent: 0, limit });
  }

  /** The target drained (or is gone): release what waited for it. */
  clear(target: number): void {
    const entry = this.targets.get(target);
    if (entry === undefined) return;
    this.targets.delete(target);
    for (const cell of entry.held) cell.releaseCongestion();
    for (const resolve of entry.waiters) resolve();
  }

  /** A thread died: its actors drain no more, and whatever waited for them goes on. */
  clearParticipant(participant: number): void {
    for (const target of [...this.targets.keys()]) if (participantOf(target) === participant) this.clear(target);
  }

  /**
   * A send to congested `target` is about to go out (it is not dropped: it goes). From an actor:
   * the actor is held after its handler. From outside actors: counted, and refused past the
   * limit with ERR_BACKPRESSURE (nothing else lost).
   */
  beforeSend(target: number, targetName: string, current: Holdable | null): void {
    const entry = this.targets.get(target)!;
    if (current !== null) {
      if (current.holdForCongestion()) entry.held.push(current);
      return;
    }
    if (entry.sent >= entry.limit) {
      throw new BactorError(
        ErrorCode.BACKPRESSURE,
        `${targetName} has a backlog past its high-water mark and ${entry.sent} more messages were sent to it since: ` +
          'message refused; await ref.send(), or wait while ref.backpressured, to follow the consumer',
      );
    }
    entry.sent++;
  }

  /** Resolves when `target` is not congested (at once if it is not). */
  whenClear(target: number): Promise<void> {
    const entry = this.targets.get(target);
    if (entry === undefined) return Promise.resolve();
    return new Promise((resolve) => entry.waiters.push(resolve));
  }
}
