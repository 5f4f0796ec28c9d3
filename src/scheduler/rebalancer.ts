import { BactorError, ErrorCode } from '../errors/error-codes.js';

export interface RebalanceOptions {
  /** Milliseconds between two looks. Default 2000. */
  everyMs?: number;
  /** Chatty pairs: a cross-thread pair above this many messages per second is brought onto one worker. Default 2,000. */
  minMessagesPerSecond?: number;
  /**
   * Load: when the busiest and the idlest pool worker differ by at least this share of a core
   * (0–1) and the busiest is at least 75% busy, an actor moves from one to the other. Default 0.35.
   */
  minImbalance?: number;
}

/** A top-level pool actor; `pinned` ones (spawned with `worker: n`) never move. */
export interface MovableActor {
  packed: number;
  worker: number;
  id: number;
  name: string;
  pinned: boolean;
}

/** What the rebalancer needs from the actor system. */
export interface RebalanceHost {
  /** Pool workers: 1…workers. */
  readonly workers: number;
  /** Busy share (0–1) of each pool worker since the previous call; index 0 is worker 1. */
  utilisation(): number[];
  /** Sampled handler milliseconds of a worker's busiest actors since the previous call: [local id, ms]. */
  load(worker: number): Promise<[number, number][]>;
  /** Sampled cross-thread pairs of every worker since the previous call: [from, to, samples] (1 sample ≈ 64 messages). */
  traffic(): Promise<[number, number, number][]>;
  /** The top-level pool actor at local `id` of `worker`, or behind a packed ref (followed across moves). */
  actorAt(worker: number, id: number): MovableActor | undefined;
  actor(packed: number): MovableActor | undefined;
  /** Moves an actor: the packed ref it has now (a move gives it a new address), or null if it cannot move now (it stays where it was). */
  move(actor: MovableActor, to: number, reason: string): Promise<number | null>;
}

/** One candidate of a load move: an actor and its share of a core over the window. */
export interface LoadCandidate {
  actor: MovableActor;
  share: number;
}

/**
 * The load move that best evens out the busiest (`hi`) and the idlest (`lo`) worker: the
 * candidate whose share, taken from hi and added to lo, leaves the smallest difference, if that
 * improves the difference by at least a tenth of a core. Candidates are tried in that order.
 */
export function rankLoadMoves(hi: number, lo: number, candidates: LoadCandidate[]): LoadCandidate[] {
  const gap = hi - lo;
  return candidates
    .filter((c) => c.share > 0.02 && Math.abs(gap - 2 * c.share) <= gap - 0.1)
    .sort((a, b) => Math.abs(gap - 2 * a.share) - Math.abs(gap - 2 * b.share));
}

/**
 * Rebalancing (main thread): every `everyMs`, evens out load between the busiest and the idlest
 * pool worker by moving one actor, or, when the load is even, brings the busiest chatty
 * cross-thread pair onto one worker. At most one move per look, and an actor that moved sits out
 * the next look, so two rules cannot push an actor back and forth every look.
 */
export class Rebalancer {
  readonly everyMs: number;
  readonly minSamples: number;
  readonly minImbalance: number;
  /** Packed refs moved at the last look (they sit out one look). */
  private recentlyMoved = new Set<number>();

  constructor(
    private readonly host: RebalanceHost,
    options: RebalanceOptions,
  ) {
    this.everyMs = options.everyMs ?? 2000;
    const minRate = options.minMessagesPerSecond ?? 2000;
    this.minImbalance = options.minImbalance ?? 0.35;
    if (!(this.everyMs >= 10) || !(minRate >= 0) || !(this.minImbalance > 0 && this.minImbalance <= 1)) {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `scheduler.rebalance: everyMs=${this.everyMs} must be ≥ 10, minMessagesPerSecond=${minRate} ≥ 0, minImbalance=${this.minImbalance} in (0, 1]`,
      );
    }
    // Sampled counts over one look that stand for minRate messages per second.
    this.minSamples = (minRate * this.everyMs) / 1000 / 64;
  }

  /** A look every `everyMs`, one at a time, while `running()` holds; returns the (unref'd) timer. */
  schedule(running: () => boolean): ReturnType<typeof setInterval> {
    let looking = false;
    const timer = setInterval(() => {
      if (looking || !running()) return;
      looking = true;
      void this.look()
        .catch(() => null)
        .finally(() => (looking = false));
    }, this.everyMs);
    timer.unref();
    return timer;
  }

  /** One look: returns what it moved, if anything. */
  async look(): Promise<'load' | 'pair' | null> {
    const moved = new Set<number>();
    const skip = this.recentlyMoved;
    try {
      const u = this.host.utilisation();
      if (await this.evenLoad(u, skip, moved)) return 'load';
      if (await this.joinPair(u, skip, moved)) return 'pair';
      return null;
    } finally {
      this.recentlyMoved = moved;
    }
  }

  private async evenLoad(u: number[], skip: Set<number>, moved: Set<number>): Promise<boolean> {
    if (u.length < 2) return false;
    let hi = 0;
    let lo = 0;
    for (let i = 1; i < u.length; i++) {
      if (u[i]! > u[hi]!) hi = i;
      if (u[i]! < u[lo]!) lo = i;
    }
    if (u[hi]! < 0.75 || u[hi]! - u[lo]! < this.minImbalance) return false;
    const from = hi + 1;
    const to = lo + 1;
    const load = await this.host.load(from);
    const candidates: LoadCandidate[] = [];
    for (const [id, ms] of load) {
      const actor = this.host.actorAt(from, id);
      if (actor !== undefined && !actor.pinned && !skip.has(actor.packed))
        candidates.push({ actor, share: Math.min(1, ms / this.everyMs) });
    }
    for (const c of rankLoadMoves(u[hi]!, u[lo]!, candidates)) {
      const reason = `load: worker ${from} ${pct(u[hi]!)} busy, worker ${to} ${pct(u[lo]!)}; the actor took ${pct(c.share)}`;
      const now = await this.host.move(c.actor, to, reason);
      if (now !== null) {
        // It sits out the next look under its new address (the old one only forwards).
        moved.add(c.actor.packed).add(now);
        return true;
      }
    }
    return false;
  }

  private async joinPair(u: number[], skip: Set<number>, moved: Set<number>): Promise<boolean> {
    const pairs = await this.host.traffic();
    pairs.sort((a, b) => b[2] - a[2]);
    for (const [from, to, samples] of pairs) {
      if (samples < this.minSamples) return false;
      const a = this.host.actor(from);
      const b = this.host.actor(to);
      if (a === undefined || b === undefined || a.worker === b.worker) continue;
      // The receiver comes to the sender, or the sender to the receiver; a pinned one stays.
      for (const [mover, stay] of [
        [b, a],
        [a, b],
      ] as const) {
        if (mover.pinned || skip.has(mover.packed)) continue;
        // Not onto a worker already busier by an imbalance: the load rule would move it back.
        if ((u[stay.worker - 1] ?? 0) - (u[mover.worker - 1] ?? 0) >= this.minImbalance) continue;
        const now = await this.host.move(mover, stay.worker, `chatty with ${stay.name}#${stay.id}@w${stay.worker}`);
        if (now !== null) {
          moved.add(mover.packed).add(now);
          return true;
        }
      }
    }
    return false;
  }
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
