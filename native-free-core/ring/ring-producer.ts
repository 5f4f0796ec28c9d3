import { BactorError, CoreErrorCode } from '../errors.js';
import {
  DATA_OFFSET,
  HEAD_INDEX,
  PADDING_TYPE,
  RECORD_HEADER_LENGTH,
  TAIL_INDEX,
  maxPayloadLength,
  recordLength,
} from '../layout/ring-layout.js';
import { ringCapacityOf } from './ring-buffer.js';

/** Returned by `tryClaim` when the ring has no room for the record right now. */
export const RING_FULL = -1;

/**
 * The writing end of a single-producer single-consumer ring. Exactly one thread may hold the
 * producer of a given ring at a time.
 *
 * Writes are private until `flush()` publishes them: records are laid into the body, the private
 * tail moves, and one `Atomics.store` of TAIL per batch makes the whole batch visible. Publishing
 * per record costs about ten times more (DESIGN.md).
 *
 * Two write paths:
 * - `tryWrite(type, bytes)`: copy a payload that is already encoded.
 * - `tryClaim(type, maxLength)` → offset, write into `bytes` at that offset, then
 *   `commit(length)`; or `abort()` to drop the claim. Used by the codec to encode straight into
 *   ring memory.
 *
 * A full ring is a status (`false` / `RING_FULL`), never an exception; a record that can never
 * fit is an `ERR_RECORD_TOO_LARGE` error naming its size and the ring's limit.
 */
export class RingProducer {
  /** The whole ring buffer as bytes; payload offsets returned by `tryClaim` index into it. */
  readonly bytes: Uint8Array;
  /** The whole ring buffer as a DataView, for codecs that write multi-byte values. */
  readonly view: DataView;
  /**
   * The whole ring buffer as Int32 words: payload offsets are 8-byte aligned, so `offset >> 2`
   * indexes the first payload word. Writing words is several times cheaper than bytes.
   */
  readonly words: Int32Array;
  readonly capacity: number;
  /** The largest payload this ring accepts. */
  readonly maxPayload: number;

  private readonly i32: Int32Array;
  private readonly mask: number;
  /** Position after the last committed record (private until flush). */
  private tail: number;
  /** Last position stored into TAIL. */
  private publishedTail: number;
  /** Last HEAD read from shared memory: the consumer has released at least this much. */
  private headCache: number;
  /** Claim in progress: position of its header (after any padding), or -1. */
  private claimPosition = -1;
  private claimMax = 0;

  constructor(sab: SharedArrayBuffer) {
    this.capacity = ringCapacityOf(sab);
    this.mask = this.capacity - 1;
    this.maxPayload = maxPayloadLength(this.capacity);
    this.i32 = new Int32Array(sab);
    this.words = this.i32;
    this.bytes = new Uint8Array(sab);
    this.view = new DataView(sab);
    // A producer may attach to a ring that already holds records (a replacement worker): it
    // continues from the published tail. Atomics.load pairs with the previous producer's store.
    this.tail = Atomics.load(this.i32, TAIL_INDEX) >>> 0;
    this.publishedTail = this.tail;
    this.headCache = Atomics.load(this.i32, HEAD_INDEX) >>> 0;
  }

  /**
   * Reserves room for a record of up to `maxLength` payload bytes. Returns the byte offset in
   * `bytes` where the payload goes, or `RING_FULL`. Nothing is visible to the consumer until
   * `commit` and then `flush`.
   */
  tryClaim(type: number, maxLength: number): number {
    if (
      this.claimPosition !== -1 ||
      !(maxLength >= 0 && maxLength <= this.maxPayload) ||
      (maxLength | 0) !== maxLength ||
      type === PADDING_TYPE ||
      (type | 0) !== type
    ) {
      this.badClaim(type, maxLength);
    }
    const need = recordLength(maxLength);
    let position = this.tail;
    const index = position & this.mask;
    const toEnd = this.capacity - index;
    const padding = need > toEnd ? toEnd : 0;
    if (!this.hasRoom(need + padding)) return RING_FULL;
    if (padding !== 0) {
      // Plain writes, private until flush() stores TAIL. Harmless if the claim is aborted: the
      // tail does not move, and the next record overwrites this header.
      this.i32[(DATA_OFFSET + index) >> 2] = padding - RECORD_HEADER_LENGTH;
      this.i32[((DATA_OFFSET + index) >> 2) + 1] = PADDING_TYPE;
      position = (position + padding) >>> 0;
    }
    const at = DATA_OFFSET + (position & this.mask);
    this.i32[(at >> 2) + 1] = type;
    this.claimPosition = position;
    this.claimMax = maxLength;
    return at + RECORD_HEADER_LENGTH;
  }

  /** Finishes the open claim with the payload length actually written (≤ the claimed length). */
  commit(length: number): void {
    const position = this.claimPosition;
    if (position === -1 || !(length >= 0 && length <= this.claimMax) || (length | 0) !== length) this.badCommit(length);
    // Plain write: published by the TAIL store in flush().
    this.i32[(DATA_OFFSET + (position & this.mask)) >> 2] = length;
    this.tail = (position + ((RECORD_HEADER_LENGTH + length + 7) & ~7)) >>> 0;
    this.claimPosition = -1;
  }

  /** Cold path of tryClaim, kept out of it so the hot path stays small enough to inline. */
  private badClaim(type: number, maxLength: number): never {
    if (this.claimPosition !== -1) {
      throw new BactorError(CoreErrorCode.MISUSE, 'tryClaim while a claim is open: commit or abort it first');
    }
    if (!(maxLength >= 0 && maxLength <= this.maxPayload) || (maxLength | 0) !== maxLength) throw this.tooLarge(maxLength);
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `record type=${type} must be an Int32 other than ${PADDING_TYPE}`);
  }

  private badCommit(length: number): never {
    if (this.claimPosition === -1) throw new BactorError(CoreErrorCode.MISUSE, 'commit without an open claim');
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `commit length=${length} is outside the claim of ${this.claimMax} bytes`);
  }

  /** Drops the open claim; the ring is as if it had not been made. */
  abort(): void {
    this.claimPosition = -1;
  }

  /**
   * Copies `payload[start, end)` into the ring as one record. False when the ring is full.
   * The same algorithm as claim + commit, without the claim state: the path for records that
   * are already encoded.
   */
  tryWrite(type: number, payload: Uint8Array, start = 0, end = payload.length): boolean {
    const length = end - start;
    if (!(length >= 0 && length <= this.maxPayload)) throw this.tooLarge(length);
    if (type === PADDING_TYPE || (type | 0) !== type || this.claimPosition !== -1) return this.tryWriteSlow(type, payload, start, end);
    const need = recordLength(length);
    let tail = this.tail;
    const index = tail & this.mask;
    const toEnd = this.capacity - index;
    const padding = need > toEnd ? toEnd : 0;
    if (!this.hasRoom(need + padding)) return false;
    const i32 = this.i32;
    if (padding !== 0) {
      // Plain writes: published by the TAIL store in flush().
      i32[(DATA_OFFSET + index) >> 2] = padding - RECORD_HEADER_LENGTH;
      i32[((DATA_OFFSET + index) >> 2) + 1] = PADDING_TYPE;
      tail = (tail + padding) >>> 0;
    }
    const at = DATA_OFFSET + (tail & this.mask);
    i32[at >> 2] = length;
    i32[(at >> 2) + 1] = type;
    const bytes = this.bytes;
    if (length <= 32) {
      // A loop beats TypedArray.prototype.set's fixed cost for small records.
      for (let i = 0; i < length; i++) bytes[at + RECORD_HEADER_LENGTH + i] = payload[start + i]!;
    } else {
      bytes.set(payload.subarray(start, end), at + RECORD_HEADER_LENGTH);
    }
    this.tail = (tail + need) >>> 0;
    return true;
  }

  private tryWriteSlow(type: number, payload: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    const offset = this.tryClaim(type, length);
    if (offset === RING_FULL) return false;
    if (length > 0) this.bytes.set(payload.subarray(start, end), offset);
    this.commit(length);
    return true;
  }

  /**
   * Publishes every record committed since the last flush. Returns true when something was
   * published (the caller then rings the consumer's doorbell).
   */
  flush(): boolean {
    if (this.tail === this.publishedTail) return false;
    this.publishedTail = this.tail;
    // Release: every record and padding header written before this store becomes visible to a
    // consumer whose Atomics.load(TAIL) returns this value (RingConsumer.read / hasData).
    Atomics.store(this.i32, TAIL_INDEX, this.tail | 0);
    return true;
  }

  /** Bytes committed but not yet published. */
  get unpublishedBytes(): number {
    return (this.tail - this.publishedTail) >>> 0;
  }

  /** Bytes the consumer has not released yet, as far as this producer knows (0..capacity). */
  usedBytes(): number {
    // Acquire: pairs with the consumer's Atomics.store(HEAD) at the end of read(); after it the
    // bytes before HEAD are no longer read and may be overwritten.
    this.headCache = Atomics.load(this.i32, HEAD_INDEX) >>> 0;
    return (this.tail - this.headCache) >>> 0;
  }

  private hasRoom(bytes: number): boolean {
    if (this.capacity - ((this.tail - this.headCache) >>> 0) >= bytes) return true;
    return this.capacity - this.usedBytes() >= bytes;
  }

  private tooLarge(length: number): BactorError {
    return new BactorError(
      CoreErrorCode.RECORD_TOO_LARGE,
      `record of ${length} bytes can never fit: this ring of capacity=${this.capacity} bytes takes payloads up to ${this.maxPayload} bytes`,
    );
  }
}
