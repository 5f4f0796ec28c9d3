import { BactorError, CoreErrorCode } from '../errors.js';

/** What a consumer with nothing to do should do next. */
export const IdlePhase = {
  /** Look at the rings again at once: cheapest wake-up, costs a whole core. */
  SPIN: 0,
  /** Let the thread's event loop run (timers, control messages), then look again. */
  YIELD: 1,
  /** Park on the doorbell until a producer rings it. */
  PARK: 2,
} as const;
export type IdlePhase = (typeof IdlePhase)[keyof typeof IdlePhase];

export interface IdleStrategyOptions {
  /** Empty looks at the rings before yielding. A look over a few rings costs ~10–30 ns. */
  spins: number;
  /** Yields to the event loop before parking. */
  yields: number;
}

export const DEFAULT_IDLE_STRATEGY: IdleStrategyOptions = { spins: 2000, yields: 2 };

/**
 * Spin, then yield, then park: the backoff a consumer follows while its rings stay empty. It is
 * only the counting; the consumer does the spinning, yielding and parking (see `Inbox`). The
 * budgets are plain fields so the scheduler can tune them while it runs.
 */
export class BackoffIdleStrategy {
  spins: number;
  yields: number;
  private spun = 0;
  private yielded = 0;

  constructor(options: IdleStrategyOptions = DEFAULT_IDLE_STRATEGY) {
    for (const key of ['spins', 'yields'] as const) {
      const v = options[key];
      if (!Number.isInteger(v) || v < 0) {
        throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `idle strategy ${key}=${v} must be a non-negative integer`);
      }
    }
    this.spins = options.spins;
    this.yields = options.yields;
  }

  /** Work was found: start the backoff again from spinning. */
  reset(): void {
    this.spun = 0;
    this.yielded = 0;
  }

  /** Nothing was found: what to do next. */
  next(): IdlePhase {
    if (this.spun < this.spins) {
      this.spun++;
      return IdlePhase.SPIN;
    }
    if (this.yielded < this.yields) {
      this.yielded++;
      return IdlePhase.YIELD;
    }
    return IdlePhase.PARK;
  }
}
