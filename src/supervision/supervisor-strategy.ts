import { BactorError, ErrorCode } from '../errors/error-codes.js';

/** What a supervisor does with a failed child. */
export type Directive = 'resume' | 'restart' | 'stop' | 'escalate';

export interface BackoffOptions {
  /** Delay before the first restart, ms. */
  minMs: number;
  /** Largest delay, ms. */
  maxMs: number;
  /** Random extra delay, as a fraction of the delay (0..1). Default 0.2. */
  jitter?: number;
}

export interface SupervisorStrategy {
  /** 'one-for-one': only the failed child; 'all-for-one': all children of the supervisor. */
  readonly kind: 'one-for-one' | 'all-for-one';
  /** Error → directive. Default: restart. */
  readonly decider: (error: unknown) => Directive;
  /** Restarts allowed within `withinMs` before the child is stopped instead (OTP intensity). */
  readonly maxRestarts: number;
  readonly withinMs: number;
  /** Delay restarts exponentially (min·2^n, capped at max) with jitter. */
  readonly backoff?: BackoffOptions;
}

export interface StrategyOptions {
  decider?: (error: unknown) => Directive;
  maxRestarts?: number;
  withinMs?: number;
  backoff?: BackoffOptions;
}

function build(kind: SupervisorStrategy['kind'], options: StrategyOptions): SupervisorStrategy {
  const { decider = () => 'restart', maxRestarts = 10, withinMs = 10_000, backoff } = options;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0)
    throw new BactorError(ErrorCode.INVALID_OPTION, `supervisor maxRestarts=${maxRestarts} must be a non-negative integer`);
  if (!(withinMs > 0)) throw new BactorError(ErrorCode.INVALID_OPTION, `supervisor withinMs=${withinMs} must be positive`);
  if (backoff && !(backoff.minMs >= 0 && backoff.maxMs >= backoff.minMs && (backoff.jitter ?? 0.2) >= 0 && (backoff.jitter ?? 0.2) <= 1)) {
    throw new BactorError(
      ErrorCode.INVALID_OPTION,
      `supervisor backoff ${JSON.stringify(backoff)} needs 0 <= minMs <= maxMs and jitter in [0, 1]`,
    );
  }
  return backoff ? { kind, decider, maxRestarts, withinMs, backoff } : { kind, decider, maxRestarts, withinMs };
}

/** Restart (or as the decider says) only the child that failed. */
export function oneForOne(options: StrategyOptions = {}): SupervisorStrategy {
  return build('one-for-one', options);
}

/** Apply the decision to every child of the supervisor. */
export function allForOne(options: StrategyOptions = {}): SupervisorStrategy {
  return build('all-for-one', options);
}

export const DEFAULT_STRATEGY = oneForOne();

/** Delay of the n-th consecutive restart (n from 0) under `backoff`; `random` in [0, 1). */
export function backoffDelay(backoff: BackoffOptions, n: number, random: number): number {
  const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(n, 30));
  return base + base * (backoff.jitter ?? 0.2) * random;
}

/**
 * Counts restarts in a sliding window (OTP's intensity): true when one more restart is allowed.
 */
export class RestartWindow {
  private readonly times: number[] = [];
  /** Consecutive restarts, for backoff; reset when a window passes without failure. */
  consecutive = 0;
  allow(strategy: SupervisorStrategy, now: number): boolean {
    const from = now - strategy.withinMs;
    while (this.times.length > 0 && this.times[0]! < from) this.times.shift();
    if (this.times.length === 0) this.consecutive = 0;
    if (this.times.length >= strategy.maxRestarts) return false;
    this.times.push(now);
    this.consecutive++;
    return true;
  }
}
