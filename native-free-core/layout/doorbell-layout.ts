/**
 * Memory layout of the doorbell block: one Int32 word per participant, each on its own
 * 128-byte line, in one SharedArrayBuffer allocated by the main thread.
 *
 * ```
 *  byte 0             128                256
 *  +------------------+------------------+-----
 *  | bell[0] (+pad)   | bell[1] (+pad)   | ...
 *  +------------------+------------------+-----
 * ```
 *
 * Owner table (for bell[p], the doorbell of participant p):
 *
 * | value      | written by                                   | read by                      |
 * |------------|----------------------------------------------|------------------------------|
 * | AWAKE (0)  | p when it stops parking; a producer waking p (CAS) | producers, after publishing |
 * | SLEEPING(1)| p, just before its last look at its rings    | producers, after publishing  |
 *
 * Protocol (Dekker-style; every access is a sequentially consistent `Atomics` operation):
 *
 * - consumer p: `store(bell, SLEEPING)`; look at every inbound TAIL; if any moved,
 *   `store(bell, AWAKE)` and work; otherwise `wait(bell, SLEEPING)`.
 * - producer: `store(TAIL)`; `load(bell)`; if SLEEPING, `compareExchange(bell, SLEEPING, AWAKE)`
 *   and, if that won, `notify(bell)`.
 *
 * Both sides write then read the other's word, all sequentially consistent, so at least one of
 * them sees the other's write: either the consumer sees the new TAIL and does not sleep, or the
 * producer sees SLEEPING and wakes it. `wait` is passed SLEEPING, the value the consumer itself
 * stored, so a wake that lands between the look and the wait makes `wait` return at once
 * ("not-equal") rather than be lost.
 */
export const BELL_STRIDE_INT32 = 32; // 128 bytes
export const BELL_AWAKE = 0;
export const BELL_SLEEPING = 1;

/** Bytes of SharedArrayBuffer for `participants` doorbells. */
export function doorbellByteLength(participants: number): number {
  return participants * BELL_STRIDE_INT32 * 4;
}
