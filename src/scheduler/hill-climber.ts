import { BactorError, ErrorCode } from '../errors/error-codes.js';

export interface HillClimberOptions {
  /**
   * Smallest and largest quantum tried. Default: the starting quantum and 10,000. A quantum
   * below the configured one can starve a receiver (its backlog then grows until the probe is
   * undone), so by default the controller only looks upward.
   */
  min?: number;
  max?: number;
  /** A move is kept only if throughput rises by more than this share. Default 0.05. */
  noise?: number;
  /** Milliseconds of measurement per setting. Default 500. */
  windowMs?: number;
  /** Below this utilisation the worker is not the bottleneck: the controller leaves it alone. Default 0.5. */
  minUtilisation?: number;
}

const enum Phase {
  Baseline,
  Probe,
  Settled,
}

/**
 * Hill climbing for one knob (the quantum), in the spirit of .NET's thread-pool controller:
 * measure a window at the current setting, try a step (×2 or ÷2), keep it only if throughput
 * beats the baseline by more than the noise margin, otherwise go back and try the other way.
 * When neither way wins it settles and stays put while the load is steady; a throughput change
 * of more than 25% (a new load) starts the search again.
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
  private direction = 2;
  private failures = 0;
  private windowStart = -1;
  private sum = 0;
  private samples = 0;
  /** Settings tried so far (for tests and the tuning report). */
  moves = 0;

  constructor(initial: number, options: HillClimberOptions = {}) {
    this.min = options.min ?? initial;
    this.max = options.max ?? 10_000;
    this.noise = options.noise ?? 0.05;
    this.windowMs = options.windowMs ?? 500;
    this.minUtilisation = options.minUtilisation ?? 0.5;
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

  /** Feeds one sample (messages/s over the last interval); returns the setting to use now. */
  observe(rate: number, utilisation: number, now: number): number {
    if (utilisation < this.minUtilisation) {
      // Not loaded: nothing to learn; start from the best known setting when load comes back.
      this.windowStart = -1;
      if (this.phase === Phase.Probe) this.value = this.best;
      this.phase = this.phase === Phase.Settled ? Phase.Settled : Phase.Baseline;
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
        this.probe();
        break;
      case Phase.Probe:
        if (measured > this.baseline * (1 + this.noise)) {
          this.best = this.value;
          this.baseline = measured;
          this.failures = 0;
          this.probe();
        } else {
          this.value = this.best;
          this.direction = this.direction > 1 ? 0.5 : 2;
          if (++this.failures >= 2) {
            this.phase = Phase.Settled;
            this.failures = 0;
          } else {
            this.phase = Phase.Baseline;
          }
        }
        break;
      case Phase.Settled:
        if (Math.abs(measured - this.baseline) > this.baseline * 0.25) {
          this.baseline = measured;
          this.probe();
        }
        break;
    }
    return this.value;
  }

  private probe(): void {
    const next = Math.min(this.max, Math.max(this.min, Math.round(this.best * this.direction)));
    if (next === this.best) {
      // At a bound: try the other way next time.
      this.direction = this.direction > 1 ? 0.5 : 2;
      this.phase = ++this.failures >= 2 ? Phase.Settled : Phase.Baseline;
      return;
    }
    this.value = next;
    this.moves++;
    this.phase = Phase.Probe;
  }
}
