import { BactorError, CoreErrorCode } from '../errors.js';
import {
  BATCH,
  KNOBS_EPOCH,
  QUANTUM,
  SPINS,
  STATS_SLOT_FLOAT64,
  TYPE_NAME_MAX_UNITS,
  TYPE_TABLE_BYTES,
  statsByteLength,
  typeTableOffset,
} from '../layout/stats-layout.js';
import { NameTable } from './name-table.js';

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
/**
 * Participant `p`'s knobs epoch as a one-element Int32Array over the first half of its
 * KNOBS_EPOCH word: written with `Atomics.add` after the knobs, read with `Atomics.load` before
 * them (see stats-layout.ts).
 */
export function knobsEpoch(sab: SharedArrayBuffer, p: number): Int32Array {
  const slot = statsSlot(sab, p);
  return new Int32Array(sab, slot.byteOffset + KNOBS_EPOCH * 8, 1);
}

/** The knobs of one participant (line 1 of its slot). */
export interface Knobs {
  quantum: number;
  batch: number;
  spins: number;
}

/** The scheduler's side: stores the knobs given, then bumps the epoch (ordered; see stats-layout.ts). */
export function publishKnobs(slot: Float64Array, epoch: Int32Array, knobs: Partial<Knobs>): void {
  if (knobs.quantum !== undefined) slot[QUANTUM] = knobs.quantum;
  if (knobs.batch !== undefined) slot[BATCH] = knobs.batch;
  if (knobs.spins !== undefined) slot[SPINS] = knobs.spins;
  Atomics.add(epoch, 0, 1);
}

/**
 * The participant's side: the epoch if it differs from `seen`, after which `slot`'s knobs are at
 * least as new as those published with it; -1 if nothing was published since `seen`.
 */
export function knobsChanged(epoch: Int32Array, seen: number): number {
  const now = Atomics.load(epoch, 0);
  return now === seen ? -1 : now;
}

export function statsSlot(sab: SharedArrayBuffer, p: number): Float64Array {
  const slots = participantsOf(sab);
  if (!Number.isInteger(p) || p < 0 || p >= slots) {
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participant=${p} is outside a stats block of ${slots} slots`);
  }
  return new Float64Array(sab, p * STATS_SLOT_FLOAT64 * 8, STATS_SLOT_FLOAT64);
}

function participantsOf(sab: SharedArrayBuffer): number {
  return sab.byteLength / (STATS_SLOT_FLOAT64 * 8 + TYPE_TABLE_BYTES);
}

/**
 * Participant `p`'s type-name table: the participant appends a name the first time it handles a
 * message of that type, and the CURRENT word carries the returned code (with the actor id)
 * while it handles one; any thread reads a code back with `name`. Append-only, one writer.
 */
export class TypeNameTable extends NameTable {
  constructor(sab: SharedArrayBuffer, p: number) {
    const participants = participantsOf(sab);
    if (!Number.isInteger(p) || p < 0 || p >= participants) {
      throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participant=${p} is outside a stats block of ${participants} slots`);
    }
    super(new Uint16Array(sab, typeTableOffset(participants, p), TYPE_TABLE_BYTES / 2), TYPE_NAME_MAX_UNITS);
  }
}
