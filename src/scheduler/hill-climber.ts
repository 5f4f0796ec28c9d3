import { BactorError, ErrorCode } from '../errors/error-codes.js';

export interface HillClimberOptions {
  /**
   * Smallest and largest quantum tried. Default 10 and 10,000. (A small quantum does not starve
   * a flooded receiver: an actor's turn also takes a quarter of its backlog.)
   */
  min?: number;
  max?: number;
  /** A move is kept only if throughput rises by more than this share. Default 0.05. */
  noise?: number;
  /** Milliseconds of measurement per setting. Default 500. */
  windowMs?: number;
  /** Below this utilisation the worker is not the bottleneck: the controller leaves it alone. Default 0.5. */
  minUtilisation?: number;
  /**
   * After a move, probe only further the same way (one window a step instead of two). Faster on
   * a long way, but one noisy window early can send it the wrong way for several steps: off by
   * default (on this machine single windows move by ±30%).
   */
  momentum?: boolean;
  /**
   * A neighbour must win two rounds in a row before the setting moves there (a round that keeps
   * the setting clears the candidate). On this machine one 500 ms window moves by up to ±30%, so a
   * single winning window is often noise; without this the setting wanders in a random walk (on
   * the tuning suite's steady load, down to quantum 10 or 13, which costs ~10%). Default true.
   */
  confirm?: boolean;
}

const enum Phase {
  Baseline,
  Up,
  Down,
  Settled,
}

/**
 * Hill climbing for one knob (the quantum), in the spirit of .NET's thread-pool controller:
 * each round measures a window at the best setting so far and one at each neighbour (×2, ÷2);
 * it moves to the best of the three only if that beats the current setting by more than the
 * noise margin in two rounds in a row (`confirm`), and measures again from there. With `momentum`, after a move the next round
 * measures only the next step that way (the other neighbour is where it came from). When no
 * neighbour wins it settles and stays put while the
 * load is steady; a throughput change of more than 25% in two windows in a row (a new load, not
 * one noisy window) starts again.
 */
export class HillClimber {
  private readonly min: number;
  private readonly max: number;
  private readonly noise: number;
  private readonly windowMs: number;
  private readonly minUtilisation: number;
  private phase = Phase.Baseline;
  private value: number;
  private best: number;
  private baseline = 0;
  private upRate = -1;
  /** The way the last move went (+1 up, -1 down), 0 before the first and after settling. */
  private direction = 0;
  /** Settled windows in a row that differ from the baseline by more than 25%. */
  private drift = 0;
  private windowStart = -1;
  private sum = 0;
  private samples = 0;
  private readonly momentum: boolean;
  private readonly confirm: boolean;
  /** The neighbour that won the last round but has not moved the setting yet (0: none). */
  private candidate = 0;
  /** Settings tried so far (for tests and the tuning report). */
  moves = 0;
  /**
   * A cap the caller applies to the setting for now (the scheduler's latency rule): no probe goes
   * above it, since a probe there would measure the cap.
   */
  ceiling = Infinity;

  constructor(initial: number, options: HillClimberOptions = {}) {
    this.min = options.min ?? 10;
    this.max = options.max ?? 10_000;
    this.noise = options.noise ?? 0.05;
    this.windowMs = options.windowMs ?? 500;
    this.minUtilisation = options.minUtilisation ?? 0.5;
    this.momentum = options.momentum ?? false;
    this.confirm = options.confirm ?? true;
    if (!(this.min >= 1 && this.max >= this.min && this.noise >= 0 && this.windowMs > 0)) {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `adaptive: min=${this.min}, max=${this.max}, noise=${this.noise}, windowMs=${this.windowMs} make no sense`,
      );
    }
    this.value = Math.min(this.max, Math.max(this.min, initial));
    this.best = this.value;
  }

  get current(): number {
    return this.value;
  }

  get settled(): boolean {
    return this.phase === Phase.Settled;
  }

  /**
   * After a pause (the controller was switched off): goes on from where it stopped if `quantum`
   * is still its setting, with a fresh window (the samples before the pause are dropped);
   * otherwise the knob was set by hand, and a new search starts from it.
   */
  resume(quantum: number, now: number): void {
    this.windowStart = now;
    this.sum = 0;
    this.samples = 0;
    if (quantum === this.value) return;
    this.value = this.best = Math.min(this.max, Math.max(this.min, quantum));
    this.phase = Phase.Baseline;
    this.direction = 0;
    this.drift = 0;
    this.candidate = 0;
  }

  /** Feeds one sample (messages/s over the last interval); returns the setting to use now. */
  observe(rate: number, utilisation: number, now: number): number {
    if (utilisation < this.minUtilisation) {
      // Not loaded: nothing to learn; start from the best known setting when load comes back.
      this.windowStart = -1;
      this.value = this.best;
      if (this.phase !== Phase.Settled) this.phase = Phase.Baseline;
      return this.value;
    }
    if (this.windowStart < 0) {
      this.windowStart = now;
      this.sum = 0;
      this.samples = 0;
      return this.value;
    }
    this.sum += rate;
    this.samples++;
    if (now - this.windowStart < this.windowMs) return this.value;
    const measured = this.sum / this.samples;
    this.windowStart = now;
    this.sum = 0;
    this.samples = 0;
    switch (this.phase) {
      case Phase.Baseline:
        this.baseline = measured;
        this.upRate = -1;
        this.tryNeighbour(this.momentum && this.direction < 0 ? Phase.Down : Phase.Up);
        break;
      case Phase.Up:
        this.upRate = measured;
        if (this.momentum && this.direction > 0) this.decide(-1);
        else this.tryNeighbour(Phase.Down);
        break;
      case Phase.Down:
        this.decide(measured);
        break;
      case Phase.Settled:
        if (Math.abs(measured - this.baseline) <= this.baseline * 0.25) this.drift = 0;
        else if (++this.drift >= 2) {
          this.drift = 0;
          this.direction = 0;
          this.baseline = measured;
          this.upRate = -1;
          this.tryNeighbour(Phase.Up);
        }
        break;
    }
    return this.value;
  }

  /** Moves to the neighbour of `phase` (Up: ×2, Down: ÷2) if it is within bounds; otherwise on. */
  private tryNeighbour(phase: Phase.Up | Phase.Down): void {
    const next = Math.min(this.max, Math.max(this.min, Math.round(phase === Phase.Up ? this.best * 2 : this.best / 2)));
    if (next === this.best || (phase === Phase.Up && next > this.ceiling)) {
      if (phase === Phase.Up) this.tryNeighbour(Phase.Down);
      else this.decide(-1);
      return;
    }
    this.value = next;
    this.moves++;
    this.phase = phase;
  }

  /** End of a round: the best of current, up and down, if it clears the noise margin. */
  private decide(downRate: number): void {
    const up = Math.min(this.max, this.best * 2);
    const down = Math.max(this.min, Math.round(this.best / 2));
    const bar = this.baseline * (1 + this.noise);
    let next = this.best;
    let top = bar;
    if (this.upRate > top) {
      next = up;
      top = this.upRate;
    }
    if (downRate > top) next = down;
    if (next !== this.best && this.confirm && this.candidate !== next) {
      // First win: measure the round again from the same setting before moving.
      this.candidate = next;
      this.value = this.best;
      this.phase = Phase.Baseline;
      return;
    }
    this.candidate = 0;
    this.value = next;
    if (next === this.best) {
      this.phase = Phase.Settled;
      this.direction = 0;
      this.drift = 0;
      return;
    }
    this.direction = next > this.best ? 1 : -1;
    this.best = next;
    this.phase = Phase.Baseline;
  }
}
