/**
 * The wire format of one message inside a ring record's payload.
 *
 * ```
 *  0          4          8        9
 *  +----------+----------+--------+----------------------------------+
 *  | header0  | header1  | format | body (depends on format)         |
 *  +----------+----------+--------+----------------------------------+
 * ```
 *
 * `header0` and `header1` are two Int32 words for the layer above (the actor runtime puts the
 * target and the sender there) so routing never decodes the body.
 *
 * Formats:
 * - `FORMAT_VALUE`: one tagged primitive.
 * - `FORMAT_SHAPE`: Uint16 shape id, then one tagged primitive per key of the shape, in order.
 *   The shape's key list is in the ring's schema log (entry kind `SCHEMA_SHAPE`).
 * - `FORMAT_MSGPACK`: msgpackr bytes to the end of the record, with record structures shared
 *   through the schema log (entry kind `SCHEMA_STRUCTURE`).
 * - `FORMAT_LARGE`: Uint32 byte length, Uint32 sequence number; the msgpackr bytes travel by the
 *   large-message lane, after the same sequence number (see large-lane.ts).
 * - `FORMAT_WORDS`: Uint8 count n (at most MAX_WORDS), two bytes of padding, then n 32-bit words
 *   (little-endian, 4-byte aligned: the record starts aligned). Decoded as the decoder's own
 *   Int32Array of words, valid while the record is delivered (tracing's TRACE record).
 *
 * Tagged primitives (fast path): one tag byte, then the value.
 */
export const HEADER_BYTES = 8;

export const FORMAT_VALUE = 1;
export const FORMAT_SHAPE = 2;
export const FORMAT_MSGPACK = 3;
export const FORMAT_LARGE = 4;
export const FORMAT_WORDS = 5;
/** Words in a FORMAT_WORDS record at most. */
export const MAX_WORDS = 16;

/** Tags 0x00–0x7f are the small integers 0–127 themselves. */
export const TAG_SMALL_INT_MAX = 0x7f;
export const TAG_UNDEFINED = 0x80;
export const TAG_NULL = 0x81;
export const TAG_FALSE = 0x82;
export const TAG_TRUE = 0x83;
/** Int32, little-endian. */
export const TAG_INT32 = 0x84;
/** Float64, little-endian (also -0, NaN, ±Infinity). */
export const TAG_FLOAT64 = 0x85;
/** UTF-8 string, Uint8 byte length. */
export const TAG_STR8 = 0x86;
/** UTF-8 string, Uint32 byte length. */
export const TAG_STR32 = 0x87;

/** Schema log entry kinds (first byte of an entry; the rest is a JSON array of keys). */
export const SCHEMA_SHAPE = 1;
export const SCHEMA_STRUCTURE = 2;

/** At most this many keys in a fast-path shape; wider objects take the msgpack path. */
export const MAX_SHAPE_KEYS = 64;
/** At most this many fast-path shapes per ring. */
export const MAX_SHAPES = 4096;
/** At most this many msgpackr structures shared per ring (msgpackr's own limit is 8160). */
export const MAX_SHARED_STRUCTURES = 1024;

/**
 * Where FORMAT_LARGE payloads travel (the transport's large-message lane implements both ends):
 * `send` posts the bytes and returns their sequence number, which the ring record carries;
 * `receive` takes the payload of that number, synchronously, in order.
 */
export interface LargePayloadSender {
  send(bytes: Uint8Array): number;
}
export interface LargePayloadReceiver {
  receive(seq: number, expectedLength: number): Uint8Array;
}
