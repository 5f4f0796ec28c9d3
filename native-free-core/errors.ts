/**
 * The one error base class of bactor. Every error the runtime throws on purpose is a
 * `BactorError` with a stable `code` (`ERR_RECORD_TOO_LARGE`, `ERR_UNSERIALIZABLE_MESSAGE`, …)
 * and a message that names the values involved.
 *
 * `instanceof` is answered by a brand registered with `Symbol.for`, so it still works when two
 * copies of bactor are loaded (two versions in one dependency tree, or an error rebuilt on
 * another thread).
 */

const BRAND = Symbol.for('bactor.error');

export class BactorError extends Error {
  /** A stable, documented identifier: match on this, never on the message. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== BactorError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

Object.defineProperty(BactorError.prototype, BRAND, { value: true });

/** Error codes raised by the shared-memory core. */
export const CoreErrorCode = {
  /** A ring or log was given a size it cannot have (not a power of two, out of range). */
  INVALID_CAPACITY: 'ERR_INVALID_CAPACITY',
  /** A record can never fit in the ring, whatever the consumer does. */
  RECORD_TOO_LARGE: 'ERR_RECORD_TOO_LARGE',
  /** A buffer handed to `attach` is not what it claims to be. */
  BAD_LAYOUT: 'ERR_BAD_LAYOUT',
  /** An argument is out of its documented range. */
  INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  /** An append-only log has no room for another entry. */
  LOG_FULL: 'ERR_LOG_FULL',
  /** The core was used against its contract (commit without claim, …). */
  MISUSE: 'ERR_MISUSE',
} as const;
