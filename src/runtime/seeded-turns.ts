/**
 * Deterministic mode's source of choices: a seeded generator (mulberry32: 32 bits of state,
 * fast, good enough to spread interleavings; not for anything secret), the run queue's choice of
 * the next actor and of its turn's length, and a digest of the turns taken, so two runs of one
 * seed can be shown to have interleaved the same way.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * The most messages a seeded turn takes: short turns let other actors' messages come between
 * an actor's own (a turn of 1 to this many, drawn each time, within the actor's throughput).
 */
const MAX_SEEDED_TURN = 4;

/** The run queue's choices in deterministic mode, and the record of what they were. */
export class SeededTurns {
  /** Actor turns taken. */
  turns = 0;
  /** FNV-1a over each turn's actor id and message count: equal for two runs that interleaved alike. */
  private hash = 0x811c9dc5;

  constructor(
    private readonly random: SeededRandom,
    /** The virtual clock: each turn's time goes into the digest (a backoff that differs shows there). */
    private readonly now: () => number,
  ) {}

  /** Which of `count` runnable actors runs next (an index into the run queue). */
  pick(count: number): number {
    return count === 1 ? 0 : this.random.below(count);
  }

  /** How many messages the chosen actor's turn may take (1 to MAX_SEEDED_TURN). */
  cap(): number {
    return 1 + this.random.below(MAX_SEEDED_TURN);
  }

  /** A turn of actor `id` handled `n` messages. */
  note(id: number, n: number): void {
    this.turns++;
    const at = Math.round(this.now() * 1000);
    let h = this.hash;
    h = Math.imul(h ^ (at & 0xffff), 0x01000193);
    h = Math.imul(h ^ ((at / 0x10000) & 0xffff), 0x01000193);
    h = Math.imul(h ^ (id & 0xffff), 0x01000193);
    h = Math.imul(h ^ (id >>> 16), 0x01000193);
    h = Math.imul(h ^ n, 0x01000193);
    this.hash = h;
  }

  /** The digest of the turns so far, as 8 hex digits. */
  get digest(): string {
    return (this.hash >>> 0).toString(16).padStart(8, '0');
  }
}

/** Where this thread's runtime draws random numbers (routers, backoff jitter): Math.random but in deterministic mode. */
let current: () => number = Math.random;

/** A number in [0, 1) from this thread's source (seeded while a deterministic system runs). */
export function threadRandom(): number {
  return current();
}

/** A deterministic system starts (its seeded source) or stops (null: Math.random again). */
export function setThreadRandom(source: (() => number) | null): void {
  current = source ?? Math.random;
}
