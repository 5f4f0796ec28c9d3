import { participantOf } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';

/** What the sender side needs of an actor it holds back. */
export interface Holdable {
  /** Suspends the actor after its handler; false if it already was (for this reason). */
  holdForCongestion(): boolean;
  releaseCongestion(): void;
}

interface Flow {
  /** Messages this thread may still send before the next grant (0: hold off). */
  credit: number;
  /** Actors of this thread held until the next grant. */
  held: Holdable[];
  /** `ref.send()` callers waiting for it. */
  waiters: (() => void)[];
  /** Messages code outside actors sent with no credit left. */
  over: number;
  /** How many of those before ERR_BACKPRESSURE. */
  limit: number;
}

/**
 * The sending side of per-actor flow control (the receiving side is ActorCell's `flow`): actors
 * on other threads whose backlog reached its mark. The first 'congested' notice stops this
 * thread's sends to it; from then on it sends within grants the consumer issues as its backlog
 * runs low, each sized to ~20 ms of the consumer's measured handler time, until 'release' (the
 * actor stopped or moved). A local actor that spends the credit is suspended after its handler
 * until the next grant; code outside actors sees `ref.backpressured`, can `await ref.send()`, and
 * gets ERR_BACKPRESSURE past `limit` more. Other actors of the same threads are not held: the rings keep flowing.
 */
export class Congestion {
  private readonly flows = new Map<number, Flow>();

  get size(): number {
    return this.flows.size;
  }

  has(target: number): boolean {
    return this.flows.has(target);
  }

  /** True while sends to `target` must wait for a grant. */
  blocked(target: number): boolean {
    const flow = this.flows.get(target);
    return flow !== undefined && flow.credit <= 0;
  }

  congested(target: number, limit: number): void {
    const flow = this.flows.get(target);
    if (flow === undefined) this.flows.set(target, { credit: 0, held: [], waiters: [], over: 0, limit });
    else {
      flow.credit = 0;
      flow.limit = limit;
    }
  }

  /**
   * The consumer's backlog ran low: `credit` more may go. `unsent`: records still in this thread's
   * overflow queue toward the consumer's thread; that many of the messages sent without credit
   * stay counted (forgetting them let a loop that never yields grow the overflow queue by a
   * whole limit at every grant). Those already in the ring are forgiven: they are bounded by the
   * ring's capacity, so what is in flight toward the consumer stays within ring + limit + grant.
   */
  grant(target: number, credit: number, unsent: number): void {
    let flow = this.flows.get(target);
    if (flow === undefined) this.flows.set(target, (flow = { credit: 0, held: [], waiters: [], over: 0, limit: credit }));
    flow.credit = credit;
    flow.over = Math.min(flow.over, unsent);
    this.wake(flow);
  }

  /** No more flow control toward `target` (it stopped, moved, or its thread died). */
  release(target: number): void {
    const flow = this.flows.get(target);
    if (flow === undefined) return;
    this.flows.delete(target);
    this.wake(flow);
  }

  /** A thread died: its actors drain no more, and whatever waited for them goes on. */
  releaseParticipant(participant: number): void {
    // (Negative keys are other nodes, see Outbound.sendRemote.)
    for (const target of [...this.flows.keys()]) if (target >= 0 && participantOf(target) === participant) this.release(target);
  }

  private wake(flow: Flow): void {
    if (flow.held.length > 0) {
      const held = flow.held;
      flow.held = [];
      for (const cell of held) cell.releaseCongestion();
    }
    if (flow.waiters.length > 0) {
      const waiters = flow.waiters;
      flow.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /**
   * A send to `target` (under flow control) is about to go out: it spends a credit. The message
   * is never dropped for it: an actor that spends the last credit (or sends without one) is
   * held after its handler; code outside actors is refused with ERR_BACKPRESSURE past the
   * limit. Returns whether more may be sent now. (`named`: the target's ref, for the error only;
   * its name is not built per send.)
   */
  beforeSend(target: number, named: { toString(): string }, current: Holdable | null): boolean {
    const flow = this.flows.get(target)!;
    if (flow.credit > 0) {
      if (--flow.credit > 0) return true;
    } else if (current === null) {
      if (flow.over >= flow.limit) {
        throw new BactorError(
          ErrorCode.BACKPRESSURE,
          `${String(named)} has a backlog past its mark and ${flow.over} more messages were sent to it since: ` +
            'message refused; await ref.send(), or wait while ref.backpressured, to follow the consumer',
        );
      }
      flow.over++;
    }
    if (current !== null && current.holdForCongestion()) flow.held.push(current);
    return false;
  }

  /** Resolves when sends to `target` need not wait (at once if they need not now). */
  whenClear(target: number): Promise<void> {
    const flow = this.flows.get(target);
    if (flow === undefined || flow.credit > 0) return Promise.resolve();
    return new Promise((resolve) => flow.waiters.push(resolve));
  }
}
