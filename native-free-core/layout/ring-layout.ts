/**
 * Memory layout of one single-producer single-consumer byte ring.
 *
 * One ring lives in its own SharedArrayBuffer, allocated by the main thread (see
 * `../mesh/mesh.ts`). Offsets are in bytes; every word is an Int32 read through one Int32Array
 * over the whole buffer.
 *
 * ```
 *  byte 0            128              256              384                      384 + capacity
 *  +----------------+----------------+----------------+--------------------------+
 *  | TAIL (+pad)    | HEAD (+pad)    | CAPACITY,MAGIC | data: records ...        |
 *  +----------------+----------------+----------------+--------------------------+
 *    producer line    consumer line    constant line    ring body (power of two)
 * ```
 *
 * Owner table:
 *
 * | word      | written by                 | read by                    | how                               |
 * |-----------|----------------------------|----------------------------|-----------------------------------|
 * | TAIL      | producer (`flush`)         | consumer (`read`, `hasData`) | `Atomics.store` / `Atomics.load`  |
 * | HEAD      | consumer (end of `read`)   | producer (when space looks short) | `Atomics.store` / `Atomics.load` |
 * | CAPACITY  | allocator, once            | both, at attach             | plain (before the buffer is shared) |
 * | MAGIC     | allocator, once            | both, at attach             | plain                              |
 * | data      | producer, before TAIL moves | consumer, after it loads TAIL | plain; ordered by TAIL/HEAD      |
 *
 * TAIL and HEAD are free-running 32-bit positions (they wrap at 2^32, arithmetic is done with
 * `>>> 0`); the byte index of a position is `position & (capacity - 1)`. The ring is empty when
 * `TAIL === HEAD` and holds `(TAIL - HEAD) >>> 0` bytes. TAIL and HEAD sit 128 bytes apart so the
 * producer and the consumer never write the same cache line (128 rather than 64 to also defeat
 * the adjacent-line prefetcher).
 *
 * A record:
 *
 * ```
 *  0        4        8                     8 + length      align8(8 + length)
 *  +--------+--------+---------------------+---------------+
 *  | length | type   | payload (length B)  | zero..7 pad   |
 *  +--------+--------+---------------------+---------------+
 * ```
 *
 * `length` is the payload length in bytes (0 is allowed); `type` is the caller's tag, any Int32
 * except `PADDING_TYPE`. Records start on 8-byte boundaries. When a record does not fit between
 * the tail and the physical end of the body, the producer writes a padding record that covers the
 * rest of the body and starts the record at offset 0; a consumer skips padding records.
 */

/** Bytes in one cache-line slot. 128 rather than 64 so adjacent-line prefetch does not pair them. */
export const CACHE_LINE = 128;

/** Int32 index of the producer's published position. */
export const TAIL_INDEX = 0;
/** Int32 index of the consumer's released position. */
export const HEAD_INDEX = CACHE_LINE / 4;
/** Int32 index of the body capacity in bytes. */
export const CAPACITY_INDEX = (2 * CACHE_LINE) / 4;
/** Int32 index of the magic word that identifies a ring buffer. */
export const MAGIC_INDEX = CAPACITY_INDEX + 1;

/** Byte offset of the ring body (the first record slot). */
export const DATA_OFFSET = 3 * CACHE_LINE;

/** `"BRNG"` as a little-endian Int32: checked at attach so a wrong buffer fails loudly. */
export const RING_MAGIC = 0x474e5242;

/** Bytes of record header: length, then type. */
export const RECORD_HEADER_LENGTH = 8;
/** Records start on multiples of this. */
export const RECORD_ALIGNMENT = 8;
/** Int32 offset of `length` within a record header. */
export const LENGTH_FIELD = 0;
/** Int32 offset of `type` within a record header. */
export const TYPE_FIELD = 1;
/** The type of a padding record that fills the body up to its physical end. */
export const PADDING_TYPE = -1;

/** Smallest body: one cache line. Largest: 2^30 bytes, so positions never alias in 32 bits. */
export const MIN_CAPACITY = 128;
export const MAX_CAPACITY = 1 << 30;

/** Rounds `n` up to the record alignment. */
export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Total bytes a record with `payloadLength` bytes of payload takes in the body. */
export function recordLength(payloadLength: number): number {
  return (RECORD_HEADER_LENGTH + payloadLength + 7) & ~7;
}

/**
 * The largest payload a ring of `capacity` bytes accepts. A record up to half the body always
 * fits once the consumer has caught up, wherever the tail stands: either the space to the
 * physical end or the space from offset 0 to the tail is at least half the body.
 */
export function maxPayloadLength(capacity: number): number {
  return capacity / 2 - RECORD_HEADER_LENGTH;
}

/** Bytes of SharedArrayBuffer needed for a ring with `capacity` bytes of body. */
export function ringByteLength(capacity: number): number {
  return DATA_OFFSET + capacity;
}

/** True when `capacity` is a power of two within the supported range. */
export function isValidCapacity(capacity: number): boolean {
  return Number.isInteger(capacity) && capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY && (capacity & (capacity - 1)) === 0;
}
