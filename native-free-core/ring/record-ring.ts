import { BactorError, CoreErrorCode } from '../errors.js';
import { HEAD, HEADER_BYTES, TAIL, regionBytes } from '../layout/record-ring-layout.js';

/** The shape of a record-ring block: its records per region and Float64 fields per record. */
export interface RecordRingShape {
  readonly records: number;
  readonly fields: number;
}

/**
 * Allocates a record-ring block for `participants` participants (main thread only): per
 * participant a ring of `records` records (a power of two) of `fields` Float64 fields.
 */
export function createRecordRingBuffer(participants: number, shape: RecordRingShape): SharedArrayBuffer {
  const { records, fields } = shape;
  if (!Number.isInteger(participants) || participants < 1)
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participants=${participants} must be a positive integer`);
  if (!Number.isInteger(records) || records < 2 || (records & (records - 1)) !== 0 || records > 1 << 24)
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `records=${records} must be a power of two from 2 to 2^24`);
  if (!Number.isInteger(fields) || fields < 1 || fields > 1024)
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `fields=${fields} must be an integer from 1 to 1024`);
  return new SharedArrayBuffer(participants * regionBytes(records, fields));
}

function region(buffer: ArrayBufferLike, p: number, shape: RecordRingShape): { words: Int32Array; nums: Float64Array } {
  const bytes = regionBytes(shape.records, shape.fields);
  const participants = buffer.byteLength / bytes;
  if (!Number.isInteger(p) || p < 0 || p >= participants)
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participant=${p} is outside a record-ring block of ${participants} regions`);
  const at = p * bytes;
  return {
    words: new Int32Array(buffer, at, HEADER_BYTES / 4),
    nums: new Float64Array(buffer, at + HEADER_BYTES, shape.records * shape.fields),
  };
}

/**
 * Participant `p`'s end of its ring (see record-ring-layout.ts): `claim` a record, fill its
 * fields in `nums`, and `publish` what was claimed; a record claimed while the ring is full is
 * refused (the caller drops it: the writer never waits for the reader). Starts where the last
 * writer of the region published (a replacement thread goes on from its predecessor).
 */
export class RecordRingWriter {
  /** The records' fields: record at `claim()`'s offset, `fields` of them. */
  readonly nums: Float64Array;
  /** Records the ring holds. */
  readonly records: number;
  /** The count last published (HEAD): at first, where this writer started. */
  published: number;
  private readonly words: Int32Array;
  private readonly mask: number;
  private readonly fields: number;
  /** Records claimed so far (int32, wrapping), and the reader's TAIL as last read. */
  private written: number;
  private tail: number;

  constructor(buffer: ArrayBufferLike, p: number, shape: RecordRingShape) {
    ({ words: this.words, nums: this.nums } = region(buffer, p, shape));
    this.fields = shape.fields;
    this.records = shape.records;
    this.mask = shape.records - 1;
    this.written = this.published = Atomics.load(this.words, HEAD);
    this.tail = Atomics.load(this.words, TAIL);
  }

  /** The offset in `nums` of a new record's first field, or -1 when the ring is full (nothing claimed). */
  claim(): number {
    if (((this.written - this.tail) | 0) >= this.records) {
      this.tail = Atomics.load(this.words, TAIL);
      if (((this.written - this.tail) | 0) >= this.records) return -1;
    }
    const at = (this.written & this.mask) * this.fields;
    this.written = (this.written + 1) | 0;
    return at;
  }

  /** Makes the claimed records the reader's to take; returns the count to announce (HEAD). */
  publish(): number {
    Atomics.store(this.words, HEAD, this.written);
    return (this.published = this.written);
  }

  /** Records written that the reader has not taken (as of its last TAIL seen here, refreshed). */
  unread(): number {
    this.tail = Atomics.load(this.words, TAIL);
    return (this.written - this.tail) | 0;
  }
}

/** The reader's end of participant `p`'s ring (the main thread). */
export class RecordRingReader {
  private readonly words: Int32Array;
  private readonly nums: Float64Array;
  private readonly mask: number;
  private readonly fields: number;
  private readonly records: number;

  constructor(buffer: ArrayBufferLike, p: number, shape: RecordRingShape) {
    ({ words: this.words, nums: this.nums } = region(buffer, p, shape));
    this.fields = shape.fields;
    this.records = shape.records;
    this.mask = shape.records - 1;
  }

  /** Records the last `take` passed over without copying them (see `take`). */
  skipped = 0;

  /**
   * Copies out the records from `from` up to `upTo` (counts the writer announced: where its
   * announcement starts and ends; never past what it published) and frees them. Records between
   * TAIL and `from` — published by a writer whose announcement never came (a thread that died
   * between the two) — are passed over and counted in `skipped`, as are records a ring behind
   * (not possible with one writer at a time). An `upTo` behind TAIL (a stale announcement) takes nothing.
   */
  take(from: number, upTo: number): Float64Array {
    this.skipped = 0;
    const head = Atomics.load(this.words, HEAD);
    if (((upTo - head) | 0) > 0) upTo = head;
    let tail = Atomics.load(this.words, TAIL);
    if (((from - tail) | 0) > 0 && ((upTo - from) | 0) >= 0) {
      this.skipped = (from - tail) | 0;
      tail = from;
    }
    const n = (upTo - tail) | 0;
    if (n <= 0) {
      if (this.skipped > 0) Atomics.store(this.words, TAIL, tail);
      return new Float64Array(0);
    }
    if (n > this.records) {
      this.skipped += n;
      Atomics.store(this.words, TAIL, upTo);
      return new Float64Array(0);
    }
    const out = new Float64Array(n * this.fields);
    const first = tail & this.mask;
    const before = Math.min(n, this.records - first);
    out.set(this.nums.subarray(first * this.fields, (first + before) * this.fields));
    if (before < n) out.set(this.nums.subarray(0, (n - before) * this.fields), before * this.fields);
    Atomics.store(this.words, TAIL, upTo);
    return out;
  }
}
