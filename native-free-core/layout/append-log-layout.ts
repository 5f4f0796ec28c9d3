/**
 * Memory layout of an append-only log: one writer appends variable-length entries, any number
 * of readers read them in order, from the start, at any time. bactor keeps one beside each ring
 * for the codec's schema (shape and record-structure definitions), so a consumer that replaces a
 * dead one can still decode the records left in the ring.
 *
 * ```
 *  byte 0                 128                     256
 *  +----------------------+-----------------------+---------------------------------+
 *  | COUNT, END (+pad)    | CAPACITY, MAGIC (+pad)| entries: | len | bytes | pad4 | …
 *  +----------------------+-----------------------+---------------------------------+
 * ```
 *
 * | word     | written by                    | read by              | how                     |
 * |----------|-------------------------------|----------------------|-------------------------|
 * | COUNT    | the writer, after the entry   | readers              | `Atomics.store`/`load`  |
 * | END      | the writer                    | the writer, a replacement writer | `Atomics.store`/`load` |
 * | CAPACITY, MAGIC | allocator, once        | all, at attach       | plain, before sharing   |
 * | entries  | the writer, before COUNT moves | readers, after loading COUNT | plain            |
 *
 * An entry is a Uint32 byte length followed by the bytes, padded to 4. Entries never change
 * once COUNT covers them.
 */
export const LOG_COUNT_INDEX = 0;
export const LOG_END_INDEX = 1;
export const LOG_CAPACITY_INDEX = 32;
export const LOG_MAGIC_INDEX = 33;
export const LOG_DATA_OFFSET = 256;
/** `"BLOG"` little-endian. */
export const LOG_MAGIC = 0x474f4c42;
