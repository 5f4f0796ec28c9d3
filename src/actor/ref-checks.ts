import type { BactorError } from '../errors/error-codes.js';
import { checkBag, checkNumber, describe, invalidOption, isPlainObject, isPositive } from '../util/option-bag.js';
import { ActorRef, type AskOptions } from './actor-ref.js';

/** What ask waits by default, ms. */
export const DEFAULT_ASK_TIMEOUT = 5000;

/** The error of `where` given something else than an ActorRef as `name`. */
export function refError(value: unknown, where: string, name = 'the ref'): BactorError {
  return invalidOption(where, `${name} must be an ActorRef (from spawn, lookup, ctx.self or a message), got ${describe(value)}`);
}

/** Throws ERR_INVALID_OPTION unless `value` is an ActorRef. */
export function checkRef(value: unknown, where: string, name = 'the ref'): asserts value is ActorRef {
  if (!(value instanceof ActorRef)) throw refError(value, where, name);
}

/**
 * The timeout of an ask with `options`, or the error to reject it with: options are `{ timeout }`
 * or undefined (a bare number is refused rather than guessed at). `where` is the call, or the
 * ref asked (`ask(Counter#3@w1)`, named only when the options are wrong: this runs on every ask).
 */
export function askTimeout(options: AskOptions | undefined, where: string | ActorRef): number | BactorError {
  if (options === undefined) return DEFAULT_ASK_TIMEOUT;
  if (isPlainObject(options)) {
    let onlyTimeout = true;
    for (const key in options) if (key !== 'timeout') onlyTimeout = false;
    const timeout = options.timeout;
    if (onlyTimeout) {
      if (timeout === undefined) return DEFAULT_ASK_TIMEOUT;
      if (typeof timeout === 'number' && isPositive(timeout)) return timeout;
    }
  }
  const call = typeof where === 'string' ? where : `ask(${where})`;
  try {
    const hint = typeof options === 'number' ? `pass { timeout: ${options} } to wait ${options} ms` : 'pass { timeout: ms }';
    const bag = checkBag(options, ['timeout'], call, 'options', hint);
    checkNumber(bag?.timeout, isPositive, call, 'timeout', 'a positive finite number of ms');
  } catch (error) {
    return error as BactorError;
  }
  return invalidOption(call, `options ${describe(options)} are not { timeout?: ms }`); // not reached
}
