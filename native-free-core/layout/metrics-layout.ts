/**
 * Memory layout of the metrics block: per participant, one region of per-kind words and one
 * kind-name table, in one SharedArrayBuffer allocated by the main thread when the system starts
 * with `monitoring` (absent otherwise: the threads write nothing).
 *
 * ```
 *  region p (KIND_SLOTS slots of KIND_SLOT_FLOAT64 Float64 words)
 *  +---------------------------------------------------------------------+
 *  | slot 0: "(other)" — kinds past the table's room                     |
 *  | slot k: HANDLED | SAMPLES | SAMPLE_SUM_S | RESTARTS | FAILURES |      |
 *  |         ACTORS | MAILBOX | HELD | BUCKETS … (HANDLER_BUCKETS words)  |
 *  +---------------------------------------------------------------------+
 *  after the regions, one kind-name table per participant (KIND_TABLE_BYTES, Uint16 units)
 *  | len | UTF-16 units of a kind's name … | len | … | 0 (free) …         |
 * ```
 *
 * Owner table:
 *
 * | words                        | written by                                   | read by                       |
 * |------------------------------|----------------------------------------------|-------------------------------|
 * | HANDLED                      | participant p, once per actor turn           | the main thread's registry    |
 * | SAMPLES, SAMPLE_SUM_S, BUCKETS | participant p, once per timed actor turn   | the registry                  |
 * | RESTARTS, FAILURES           | participant p, when one of its actors fails or restarts | the registry       |
 * | ACTORS, MAILBOX, HELD        | participant p, every `intervalMs`            | the registry                  |
 * | kind-name table p            | participant p, append-only, the first time a kind is spawned there | the registry |
 *
 * Every word has one writer; values are monitoring data read without synchronisation, as in the
 * stats block (stats-layout.ts). Slot k (k ≥ 1) belongs to the k-th name of table p: the
 * participant appends the name (its length word last, with Atomics.store) before it writes the
 * slot's first word, so a reader that finds a name finds its slot. A replacement participant
 * continues its predecessor's table and counters: the counters stay monotonic across a worker's
 * death.
 */
export const KIND_SLOT_FLOAT64 = 32;
/** Kinds per participant, slot 0 ("(other)") included. */
export const KIND_SLOTS = 64;
/** The name slot 0 is exported under. */
export const OTHER_KIND = '(other)';

/** Messages handled by actors of the kind, cumulative (added once per actor turn). */
export const HANDLED = 0;
/** Timed actor turns (light mode times ~1 turn in 256, heavy mode every turn), cumulative. */
export const SAMPLES = 1;
/** Sum of the timed turns' mean seconds per message, cumulative. */
export const SAMPLE_SUM_S = 2;
/** Restarts by a supervisor, cumulative. */
export const RESTARTS = 3;
/** Handler failures (thrown or rejected), cumulative. */
export const FAILURES = 4;
/** Live actors of the kind (gauge, every intervalMs). */
export const ACTORS = 5;
/** Messages waiting in their mailboxes (gauge, every intervalMs). */
export const MAILBOX = 6;
/** Of them, actors held back (backpressure, a pending handler promise, a persist; gauge). */
export const HELD = 7;
/** First of the handler-duration buckets: counts of timed turns whose mean per message was ≤ the bound (not cumulative). */
export const BUCKETS = 8;
/** Upper bounds of the handler-duration buckets, in seconds (the last is +Inf). */
export const HANDLER_BUCKETS_S: readonly number[] = [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1, 5, Infinity];

/** Bytes of one participant's kind-name table (1,024 UTF-16 units). */
export const KIND_TABLE_BYTES = 2048;
/** Longest kind name kept (UTF-16 units); longer ones are cut. */
export const KIND_NAME_MAX_UNITS = 120;

const REGION_BYTES = KIND_SLOTS * KIND_SLOT_FLOAT64 * 8;

/** Bytes of SharedArrayBuffer for `participants` regions and their tables. */
export function metricsByteLength(participants: number): number {
  return participants * (REGION_BYTES + KIND_TABLE_BYTES);
}

/** Participants a metrics block of `byteLength` bytes holds. */
export function metricsParticipants(byteLength: number): number {
  return byteLength / (REGION_BYTES + KIND_TABLE_BYTES);
}

/** Byte offset of participant `p`'s region. */
export function metricsRegionOffset(p: number): number {
  return p * REGION_BYTES;
}

/** Byte offset of participant `p`'s kind-name table. */
export function kindTableOffset(participants: number, p: number): number {
  return participants * REGION_BYTES + p * KIND_TABLE_BYTES;
}
