/**
 * Memory layout of a worker's ledger of taken messages: what it read off its rings into
 * mailboxes and has not handled yet, so that a replacement thread, after the worker died, can
 * deliver them again (see `../ledger/taken-ledger.ts`).
 *
 * One SharedArrayBuffer per worker, allocated by the main thread and handed to each thread
 * that plays that worker (the first one, then its replacements). Offsets in bytes; words are
 * Int32 through one Int32Array over the whole buffer.
 *
 * ```
 *  0              64                1088                 1088 + 16·SLOTS        + 2·HALF
 *  +--------------+-----------------+--------------------+----------------------+
 *  | MAGIC, SLOTS,| READ[participant]| slots: 4 words each | spill: two halves    |
 *  | HALF         | (256 words)      | STATE SOURCE LOC SEQ| of entries           |
 *  +--------------+-----------------+--------------------+----------------------+
 * ```
 *
 * Owner table: the thread playing the worker writes everything; the next thread to play it
 * reads it once at start, after the one before is dead (its `exit` event was seen by the main
 * thread, which then started the new one), and then owns it. No two threads use it at once,
 * so plain stores suffice; each store that makes a state visible to recovery is a single word.
 *
 * | word / area | meaning |
 * |-------------|---------|
 * | READ[p]     | the ring from participant p: the position just past the last record taken (HEAD ≤ READ ≤ TAIL) |
 * | STATE       | FREE, QUEUED (in a mailbox), RUNNING (its handler runs, or its promise is pending), IGNORED (not kept: no room) |
 * | SOURCE      | the participant whose ring it came from (its schema log decodes it) |
 * | LOC         | < 0: still in that ring, its payload at byte -(LOC + 1) of the ring's buffer; ≥ 0: in the spill, at byte LOC of the spill area |
 * | SEQ         | the order it was taken in (wrapping; live ones span far less than 2^31) |
 *
 * A spill entry: `length, type, slot, source` (four Int32) then the record's payload (its
 * two header words and its body), padded to 8 bytes. A live entry is one whose slot's LOC
 * points at it; the others are garbage, dropped when the spill flips halves.
 */

/** `"BTKN"` little-endian: checked at attach. */
export const LEDGER_MAGIC = 0x4e4b5442;
export const MAGIC_INDEX = 0;
export const SLOTS_INDEX = 1;
export const HALF_INDEX = 2;
/** Int32 index of READ[0]. */
export const READ_INDEX = 16;
/** Byte offset of the slot table. */
export const SLOT_TABLE_OFFSET = (READ_INDEX + 256) * 4;
/** Int32 words per slot, and their offsets. */
export const SLOT_WORDS = 4;
export const STATE = 0;
export const SOURCE = 1;
export const LOC = 2;
export const SEQ = 3;

export const FREE = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const IGNORED = 3;

/** Int32 words before a spilled payload: length, type, slot, source. */
export const ENTRY_HEADER_BYTES = 16;

/** Default slots (messages kept at once) and spill half size of a worker's ledger. */
export const DEFAULT_SLOTS = 1 << 16;
export const DEFAULT_SPILL_HALF = 4 << 20;

/** Byte offset of the spill area. */
export function spillOffset(slots: number): number {
  return SLOT_TABLE_OFFSET + slots * SLOT_WORDS * 4;
}

/** Bytes of a ledger with `slots` slots and spill halves of `half` bytes. */
export function ledgerByteLength(slots: number, half: number): number {
  return spillOffset(slots) + 2 * half;
}
