import type { MailboxOptions } from '../mailbox/mailbox.js';
import type { ActorDefinition } from './actor-definition.js';
import type { SpawnOptions } from './spawn-options.js';

export interface CellLimits {
  readonly throughput: number;
  readonly capacity: number;
  readonly overflow: MailboxOptions['overflow'];
  /** Queued messages at which senders are held back (see `overHighWater`); NO_MARK: never. */
  readonly highWater: number;
}

/** No mark: a dropping or failing bounded mailbox, whose policy decides. */
export const NO_MARK = 0x3fffffff;
/** Default high-water mark of a mailbox (see MailboxOptions.highWater). */
export const DEFAULT_HIGH_WATER = 32768;
const defaultLimits = new WeakMap<object, CellLimits>();
export function limitsOf(definition: ActorDefinition<unknown, unknown, unknown>, options: SpawnOptions | undefined): CellLimits {
  const custom = options?.throughput !== undefined || options?.mailbox !== undefined;
  if (!custom) {
    const cached = defaultLimits.get(definition);
    if (cached !== undefined) return cached;
  }
  const mailbox = options?.mailbox ?? definition.behavior.mailbox;
  const capacity = mailbox?.capacity ?? Infinity;
  const overflow = mailbox?.overflow ?? 'fail';
  // Unbounded and 'backpressure' mailboxes hold their senders back; a dropping or failing one
  // keeps the bound it was given (unless a high-water mark is set).
  // NO_MARK, not Infinity: a small integer keeps the cell's mark field unboxed.
  const highWater = mailbox?.highWater ?? (capacity === Infinity ? DEFAULT_HIGH_WATER : overflow === 'backpressure' ? capacity : NO_MARK);
  const limits: CellLimits = {
    // 0: the thread's quantum, which the scheduler tunes.
    throughput: options?.throughput ?? 0,
    capacity,
    overflow,
    highWater,
  };
  if (!custom) defaultLimits.set(definition, limits);
  return limits;
}
export function hasMovableOption(o: SpawnOptions): boolean {
  return o.name !== undefined || o.throughput !== undefined || o.mailbox !== undefined;
}
