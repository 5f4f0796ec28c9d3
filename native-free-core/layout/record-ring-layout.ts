/**
 * Memory layout of a record-ring block: per participant, one ring of fixed-size records of
 * Float64 fields, in one SharedArrayBuffer allocated by the main thread (tracing's spans: each
 * thread writes the spans it finishes, the main thread reads them; see record-ring.ts).
 *
 * ```
 *  region p (regionBytes(records, fields) bytes, 16-byte aligned)
 *  +------+------+---------+--------------------------------------------------+
 *  | HEAD | TAIL | (pad 8) | record 0: `fields` Float64 | record 1 | …          |
 *  +------+------+---------+--------------------------------------------------+
 * ```
 *
 * Owner table:
 *
 * | word / bytes | written by                                          | read by                      |
 * |--------------|-----------------------------------------------------|------------------------------|
 * | HEAD         | participant p (Atomics.store, after the records)     | the reader (Atomics.load, before it copies: what orders the records before it); a replacement of p, at start |
 * | TAIL         | the reader (Atomics.store, after copying records out) | participant p, at start, when the ring seems full, and for its wake rule |
 * | records      | participant p, between TAIL and TAIL + records       | the reader, up to what p announced and published |
 *
 * HEAD and TAIL count records since the block was made, as int32 that wrap: a record's place is
 * `count & (records - 1)` (records is a power of two) and the records in use `(HEAD - TAIL) | 0`.
 * The writer tells the reader which records to read (from, up to) by a message of its own (the
 * block holds no doorbell): the reader never reads past what it was told, so what the message
 * says about those records (tracing: their strings) arrives first; records published by a writer
 * whose message never came (a thread that died in between) are passed over, counted.
 */
export const HEAD = 0;
export const TAIL = 1;
/** Header bytes before the records (two Int32 words, padded so the Float64 records are aligned). */
export const HEADER_BYTES = 16;

/** Bytes of one participant's region. */
export function regionBytes(records: number, fields: number): number {
  return HEADER_BYTES + records * fields * 8;
}
