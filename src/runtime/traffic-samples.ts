import { localIdOf, packRef } from '../actor/actor-ref.js';
import { isAskSlot } from './ask-slots.js';

/** One cross-thread send in 64 is counted for the rebalancer. */
const SAMPLE_EVERY = 64;
/** Senders, and targets per sender, the samples hold at most. */
const KEYS = 1024;

/**
 * Sampled cross-thread sends per (local sender → packed target): which actors talk to which on
 * other threads, for the rebalancer's co-location. Only the rebalancer empties the samples
 * (`take`; off by default), so they stay bounded: replies to asks (a new slot each: no pair to
 * place together) are not counted, and a table past KEYS entries starts again.
 */
export class TrafficSamples {
  private readonly traffic = new Map<number, Map<number, number>>();
  /**
   * Cross-thread sends until the next is sampled: the sender counts it down on every such send
   * and calls `note` at zero (a field, so the send path makes no call for the other 63).
   */
  countdown = SAMPLE_EVERY;

  constructor(private readonly participant: number) {}

  /** The sampled send (see `countdown`): from local actor `from` to `to` on another thread. */
  note(from: number, to: number): void {
    this.countdown = SAMPLE_EVERY;
    if (isAskSlot(localIdOf(to))) return;
    let targets = this.traffic.get(from);
    if (targets === undefined) {
      if (this.traffic.size >= KEYS) this.traffic.clear();
      this.traffic.set(from, (targets = new Map()));
    } else if (targets.size >= KEYS && !targets.has(to)) targets.clear();
    targets.set(to, (targets.get(to) ?? 0) + 1);
  }

  /** Actor `id` stopped: its samples go. */
  forget(id: number): void {
    this.traffic.delete(id);
  }

  /** The busiest pairs since the last call, as [from, to, samples] (1 sample ≈ 64 messages); resets. */
  take(limit = 32): [number, number, number][] {
    const pairs: [number, number, number][] = [];
    for (const [from, targets] of this.traffic) for (const [to, n] of targets) pairs.push([packRef(this.participant, from), to, n]);
    this.traffic.clear();
    return pairs.sort((a, b) => b[2] - a[2]).slice(0, limit);
  }
}
