import { BactorError, CoreErrorCode } from '../errors.js';
import {
  KIND_NAME_MAX_UNITS,
  KIND_SLOTS,
  KIND_SLOT_FLOAT64,
  KIND_TABLE_BYTES,
  kindTableOffset,
  metricsByteLength,
  metricsParticipants,
  metricsRegionOffset,
} from '../layout/metrics-layout.js';
import { NameTable } from './name-table.js';

/** Allocates the metrics block for `participants` participants (main thread only). */
export function createMetricsBuffer(participants: number): SharedArrayBuffer {
  if (!Number.isInteger(participants) || participants < 1) {
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participants=${participants} must be a positive integer`);
  }
  return new SharedArrayBuffer(metricsByteLength(participants));
}

function checkParticipant(sab: SharedArrayBuffer, p: number): number {
  const participants = metricsParticipants(sab.byteLength);
  if (!Number.isInteger(p) || p < 0 || p >= participants) {
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participant=${p} is outside a metrics block of ${participants} regions`);
  }
  return participants;
}

/**
 * Participant `p`'s region: KIND_SLOTS slots of KIND_SLOT_FLOAT64 words, slot k at
 * `k * KIND_SLOT_FLOAT64`, indexed by the word constants of metrics-layout.ts.
 */
export function metricsRegion(sab: SharedArrayBuffer, p: number): Float64Array {
  checkParticipant(sab, p);
  return new Float64Array(sab, metricsRegionOffset(p), KIND_SLOTS * KIND_SLOT_FLOAT64);
}

/**
 * Participant `p`'s kind-name table: the k-th name owns slot k of the region (slot 0 takes the
 * kinds past the table's room). One writer (participant p), any reader.
 */
export function kindNameTable(sab: SharedArrayBuffer, p: number): NameTable {
  const participants = checkParticipant(sab, p);
  return new NameTable(new Uint16Array(sab, kindTableOffset(participants, p), KIND_TABLE_BYTES / 2), KIND_NAME_MAX_UNITS, KIND_SLOTS - 1);
}
