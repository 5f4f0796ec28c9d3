import {
  checkBag,
  checkFunction,
  checkNumber,
  describe,
  invalidOption,
  isInteger,
  isNonNegative,
  isPlainObject,
  isPositive,
  listOf,
  requireNumber,
  show,
} from '../util/option-bag.js';

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

const STRATEGY_OPTION_KEYS = ['decider', 'maxRestarts', 'withinMs', 'backoff'] as const;
const STRATEGY_KEYS = ['kind', ...STRATEGY_OPTION_KEYS] as const;
const BACKOFF_KEYS = ['minMs', 'maxMs', 'jitter'] as const;
const KINDS = ['one-for-one', 'all-for-one'] as const;

/** Checks what a strategy holds (options of oneForOne/allForOne, or a strategy itself); `prefix` names it. */
function checkStrategyFields(bag: Record<string, unknown>, where: string, prefix: string): void {
  checkFunction(bag.decider, where, `${prefix}decider (error => 'resume' | 'restart' | 'stop' | 'escalate')`);
  checkNumber(bag.maxRestarts, isInteger(0), where, `${prefix}maxRestarts`, 'a non-negative integer');
  checkNumber(bag.withinMs, isPositive, where, `${prefix}withinMs`, 'a positive number of ms');
  const backoff = checkBag(bag.backoff, BACKOFF_KEYS, where, `${prefix}backoff`);
  if (backoff === undefined) return;
  requireNumber(backoff.minMs, isNonNegative, where, `${prefix}backoff.minMs`, 'a number of ms ≥ 0');
  requireNumber(
    backoff.maxMs,
    (n) => n >= (backoff.minMs as number),
    where,
    `${prefix}backoff.maxMs`,
    `a number of ms ≥ minMs (${show(backoff.minMs)})`,
  );
  checkNumber(backoff.jitter, (n) => n >= 0 && n <= 1, where, `${prefix}backoff.jitter`, 'a share from 0 to 1');
}

function build(kind: SupervisorStrategy['kind'], options: StrategyOptions): SupervisorStrategy {
  const where = kind === 'one-for-one' ? 'oneForOne' : 'allForOne';
  checkStrategyFields(checkBag(options, STRATEGY_OPTION_KEYS, where) ?? {}, where, '');
  const { decider = () => 'restart', maxRestarts = 10, withinMs = 10_000, backoff } = options ?? {};
  return backoff ? { kind, decider, maxRestarts, withinMs, backoff } : { kind, decider, maxRestarts, withinMs };
}

/**
 * Throws ERR_INVALID_OPTION unless `value` is a supervisor strategy as oneForOne()/allForOne()
 * make them (`name` is the option that holds it: `guardian`, `supervisor`).
 */
export function checkSupervisorStrategy(value: unknown, where: string, name: string): asserts value is SupervisorStrategy {
  const made = 'make it with oneForOne() or allForOne()';
  if (!isPlainObject(value)) throw invalidOption(where, `${name} must be a supervisor strategy (${made}), got ${describe(value)}`);
  if (!KINDS.includes(value.kind as SupervisorStrategy['kind']))
    throw invalidOption(where, `${name}.kind=${show(value.kind)} must be ${listOf(KINDS)} (${made})`);
  checkBag(value, STRATEGY_KEYS, where, name);
  if (typeof value.decider !== 'function') throw invalidOption(where, `${name}.decider must be a function (${made})`);
  requireNumber(value.maxRestarts, isInteger(0), where, `${name}.maxRestarts`, 'a non-negative integer');
  requireNumber(value.withinMs, isPositive, where, `${name}.withinMs`, 'a positive number of ms');
  checkStrategyFields(value, where, `${name}.`);
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
