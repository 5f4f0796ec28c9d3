import { BactorError, CoreErrorCode } from '../errors.js';
import { STATS_SLOT_FLOAT64, statsByteLength } from '../layout/stats-layout.js';

/** Allocates the stats block for `participants` participants (main thread only). */
export function createStatsBuffer(participants: number): SharedArrayBuffer {
  if (!Number.isInteger(participants) || participants < 1) {
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participants=${participants} must be a positive integer`);
  }
  return new SharedArrayBuffer(statsByteLength(participants));
}

/**
 * Participant `p`'s slot of a stats block, indexed by the field constants of
 * `../layout/stats-layout.ts` (`slot[PROCESSED]`, `slot[QUANTUM]`, …). See that file for who
 * writes which word.
 */
export function statsSlot(sab: SharedArrayBuffer, p: number): Float64Array {
  const slots = sab.byteLength / (STATS_SLOT_FLOAT64 * 8);
  if (!Number.isInteger(p) || p < 0 || p >= slots) {
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participant=${p} is outside a stats block of ${slots} slots`);
  }
  return new Float64Array(sab, p * STATS_SLOT_FLOAT64 * 8, STATS_SLOT_FLOAT64);
}
