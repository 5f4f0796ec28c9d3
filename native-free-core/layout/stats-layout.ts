/**
 * Memory layout of the stats block: one 256-byte slot per participant, in one SharedArrayBuffer
 * allocated by the main thread. A slot is two 128-byte lines, so the words a worker writes and
 * the words the scheduler writes never share a cache line.
 *
 * ```
 *  slot p (256 bytes, Float64 words)
 *  +-------------------------------------------------------------+  line 0: counters
 *  | PROCESSED | BUSY_MS | PARKED_MS | PARKS | WAKEUPS | RUN_QUEUE |
 *  | DRAINED | ACTORS | DEAD_LETTERS | OVERFLOW | SUSPENDED | LOOPS |
 *  | CURRENT | PUBLISHED_AT | HANDLER_MS | PARKED_SINCE | (pad)      |
 *  +-------------------------------------------------------------+  line 1: knobs
 *  | QUANTUM | SPINS | BATCH | KNOBS_EPOCH | (pad)                 |
 *  +-------------------------------------------------------------+
 *
 *  after the slots, one type-name table per participant (TYPE_TABLE_BYTES, Uint16 units)
 *  +-------------------------------------------------------------+
 *  | len | UTF-16 units of a name … | len | units … | 0 (free) …   |
 *  +-------------------------------------------------------------+
 * ```
 *
 * Owner table:
 *
 * | words            | written by                         | read by                             |
 * |------------------|------------------------------------|-------------------------------------|
 * | line 0 (counters)| participant p, once per loop turn; CURRENT once per actor turn and when the message type changes | the scheduler (main thread), on its timer |
 * | line 1 (knobs)   | the scheduler (main thread)        | participant p, once per loop turn   |
 * | type-name table p| participant p, append-only, a name the first time its messages are handled | the watchdog, for a stuck handler's CURRENT code |
 *
 * Every word has one writer. Values are monitoring data read without synchronisation (plain
 * typed-array loads and stores; x86-64 and arm64 do not tear aligned 8-byte accesses): a reader
 * may see a value one publication old, never a value nobody wrote. The one ordered word is
 * KNOBS_EPOCH, an Int32 in the first half of its Float64 word (see `knobsEpoch` in
 * stats-block.ts): the scheduler stores the knobs, then bumps the epoch with `Atomics.add`; a
 * participant reads the epoch with `Atomics.load`, then the knobs. Both are sequentially
 * consistent, so a participant that sees epoch e reads knobs at least as new as those written
 * before e (it may see newer ones, whose epoch it reads at its next look). Nothing else is ordered.
 * Cumulative counters only grow, so a reader takes differences between two samples.
 */
export const STATS_SLOT_FLOAT64 = 32; // 256 bytes
export const STATS_LINE_FLOAT64 = 16; // 128 bytes

/** Messages handled (user and system), cumulative. */
export const PROCESSED = 0;
/** Milliseconds spent working (draining rings, running actors, timers), cumulative. */
export const BUSY_MS = 1;
/** Milliseconds spent parked on the doorbell, cumulative. */
export const PARKED_MS = 2;
/** Times the participant parked, cumulative. */
export const PARKS = 3;
/** Parks ended by a producer's ring (not a timeout), cumulative. */
export const WAKEUPS = 4;
/** Actors in the run queue at the last publication. */
export const RUN_QUEUE = 5;
/** Records read from the inbound rings (messages and control from other threads), cumulative. */
export const DRAINED = 6;
/** Live actors. */
export const ACTORS = 7;
/** Dead letters, cumulative. */
export const DEAD_LETTERS = 8;
/** Records waiting for room in a full outbound ring. */
export const OVERFLOW = 9;
/** Actors suspended because a ring they send into is full. */
export const SUSPENDED = 10;
/** Loop turns, cumulative: it stands still while one handler runs (the watchdog reads it). */
export const LOOPS = 11;
/**
 * What the participant is handling: `actorId * TYPE_CODE_SPAN + typeCode` (the local id of the
 * actor and the code of the message's type in the participant's type-name table), written when an
 * actor's turn starts and when a message's type differs from that actor's previous one; 0 outside
 * the actors' turns.
 */
export const CURRENT = 12;
/** Epoch milliseconds of the last publication. */
export const PUBLISHED_AT = 13;
/**
 * Milliseconds spent in actor turns, cumulative, estimated: light mode times ~1 turn in 256 and
 * counts it for the turns until the next one; heavy mode times every turn (written per loop turn).
 */
export const HANDLER_MS = 14;
/** Epoch milliseconds when the current park began, 0 while awake (a long park counts as idle before it ends). */
export const PARKED_SINCE = 15;

/** Messages per actor per turn for actors without their own setting (knob). */
export const QUANTUM = STATS_LINE_FLOAT64 + 0;
/** Idle spins before parking (knob). */
export const SPINS = STATS_LINE_FLOAT64 + 1;
/** Records run between publications of outbound rings (knob). */
export const BATCH = STATS_LINE_FLOAT64 + 2;
/** Bumped by the scheduler after it writes the knobs: an Int32 (Atomics) in this word's first half. */
export const KNOBS_EPOCH = STATS_LINE_FLOAT64 + 3;
/**
 * Messages the worker took off its rings without keeping them in its ledger (no room: they
 * would be lost with it). Written by the worker, on the scheduler's line, only when it changes.
 */
export const UNKEPT = STATS_LINE_FLOAT64 + 4;

/** Bytes of one participant's type-name table (2,048 UTF-16 units: a hundred or so names). */
export const TYPE_TABLE_BYTES = 4096;
/** Type codes are below this (the table's length in units): CURRENT packs an actor id above them. */
export const TYPE_CODE_SPAN = TYPE_TABLE_BYTES / 2;
/** Longest name kept (UTF-16 units); longer ones are cut. */
export const TYPE_NAME_MAX_UNITS = 80;

/** Bytes of SharedArrayBuffer for `participants` slots and their type-name tables. */
export function statsByteLength(participants: number): number {
  return participants * (STATS_SLOT_FLOAT64 * 8 + TYPE_TABLE_BYTES);
}

/** Byte offset of participant `p`'s type-name table. */
export function typeTableOffset(participants: number, p: number): number {
  return participants * STATS_SLOT_FLOAT64 * 8 + p * TYPE_TABLE_BYTES;
}

/** Index of word `field` of participant `p`'s slot in a Float64Array over the block. */
export function statsIndex(p: number, field: number): number {
  return p * STATS_SLOT_FLOAT64 + field;
}
