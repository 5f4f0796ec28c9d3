import { DATA_OFFSET, HEAD_INDEX, PADDING_TYPE, RECORD_HEADER_LENGTH, TAIL_INDEX, recordLength } from '../layout/ring-layout.js';
import { ringCapacityOf } from './ring-buffer.js';

/**
 * Receives records from `RingConsumer.read`. An object with a method rather than a closure, so
 * the hot loop allocates nothing. `bytes[offset, offset + length)` is the payload; it is ring
 * memory and is overwritten once `read` returns, so copy what must outlive the call.
 */
export interface RecordHandler {
  onRecord(type: number, bytes: Uint8Array, offset: number, length: number): void;
}

/**
 * The reading end of a single-producer single-consumer ring. Exactly one thread may hold the
 * consumer of a given ring at a time.
 *
 * `read` loads TAIL once, hands every record up to it (or up to `limit`) to the handler, and
 * stores HEAD once at the end, in a `finally`: a handler that throws loses no progress, and the
 * record it threw on counts as consumed (it is not delivered again). In kept-until-released
 * mode (`keepUntilReleased`) HEAD waits for `releaseRead` instead.
 */
export class RingConsumer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly capacity: number;

  private readonly i32: Int32Array;
  private readonly mask: number;
  /** Position of the next record to read (private until stored into HEAD). */
  private head: number;
  /** The position last stored into HEAD. */
  private released: number;
  /** Kept-until-released mode (a worker's ledger of taken messages): where READ is recorded. */
  private readWords: Int32Array | null = null;
  private readIndex = 0;
  /** Kept-until-released mode: the position past the record being handed out (see commitRead). */
  private next = 0;

  constructor(sab: SharedArrayBuffer) {
    this.capacity = ringCapacityOf(sab);
    this.mask = this.capacity - 1;
    this.i32 = new Int32Array(sab);
    this.bytes = new Uint8Array(sab);
    this.view = new DataView(sab);
    // A replacement consumer continues where the previous one released: the records after HEAD
    // were never handed out.
    this.head = Atomics.load(this.i32, HEAD_INDEX) >>> 0;
    this.released = this.head;
  }

  /**
   * From now on HEAD moves only at `releaseRead`: the records read stay in the ring until then
   * (a worker's ledger copies out those not handled yet first), and the position past each
   * record handed out is stored in `words[index]` (READ) when the handler calls `commitRead` —
   * once it has recorded the record as its own — or else when it returns, so a replacement
   * knows what was taken even if the thread died inside a handler.
   */
  keepUntilReleased(words: Int32Array, index: number): void {
    this.readWords = words;
    this.readIndex = index;
    words[index] = this.head | 0;
  }

  /** Position of the next record to read. */
  get position(): number {
    return this.head;
  }

  /** Byte offset of position `p`'s record payload in `bytes`. */
  payloadOffset(p: number): number {
    return DATA_OFFSET + (p & this.mask) + RECORD_HEADER_LENGTH;
  }

  /**
   * Continues at `position` (between HEAD and TAIL): a replacement skips what the thread before
   * it had taken. HEAD stays until `releaseRead`.
   */
  skipTo(position: number): void {
    this.head = position >>> 0;
    if (this.readWords !== null) this.readWords[this.readIndex] = position | 0;
  }

  /** The handler took the record it was handed: READ moves past it (kept-until-released mode). */
  commitRead(): void {
    if (this.readWords !== null) this.readWords[this.readIndex] = this.next | 0;
  }

  /** Lets the producer reuse everything read so far (kept-until-released mode). */
  releaseRead(): void {
    this.publishHead(this.head);
  }

  /** True when the producer has published records this consumer has not read. */
  hasData(): boolean {
    // Acquire: pairs with RingProducer.flush's Atomics.store(TAIL).
    return Atomics.load(this.i32, TAIL_INDEX) >>> 0 !== this.head;
  }

  /** Bytes published and not yet read. */
  pendingBytes(): number {
    return (Atomics.load(this.i32, TAIL_INDEX) - this.head) >>> 0;
  }

  /** Hands up to `limit` published records to `handler`; returns how many it handed over. */
  read(handler: RecordHandler, limit = 0x7fffffff): number {
    // Acquire: pairs with RingProducer.flush's Atomics.store(TAIL); every record before this
    // tail was fully written before that store.
    const tail = Atomics.load(this.i32, TAIL_INDEX) >>> 0;
    let position = this.head;
    if (position === tail) return 0;
    const i32 = this.i32;
    const mask = this.mask;
    const readWords = this.readWords;
    let count = 0;
    try {
      while (position !== tail && count < limit) {
        const at = DATA_OFFSET + (position & mask);
        const length = i32[at >> 2]!;
        const type = i32[(at >> 2) + 1]!;
        if (type === PADDING_TYPE) {
          position = (position + RECORD_HEADER_LENGTH + length) >>> 0;
          continue;
        }
        position = (position + recordLength(length)) >>> 0;
        count++;
        if (readWords !== null) {
          this.next = position;
          handler.onRecord(type, this.bytes, at + RECORD_HEADER_LENGTH, length);
          readWords[this.readIndex] = position | 0;
        } else handler.onRecord(type, this.bytes, at + RECORD_HEADER_LENGTH, length);
      }
    } finally {
      this.head = position;
      if (readWords === null) this.publishHead(position);
    }
    return count;
  }

  private publishHead(position: number): void {
    if (position === this.released) return;
    this.released = position;
    // Release: the producer's Atomics.load(HEAD) in usedBytes() sees that the bytes before this
    // position are no longer read and may be reused.
    Atomics.store(this.i32, HEAD_INDEX, position | 0);
  }
}
