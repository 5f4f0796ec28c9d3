import { RecordRingReader, createRecordRingBuffer } from '../../../native-free-core/ring/record-ring.js';
import { SPAN_RING, type SpanBatch, type SpanNotice } from './trace-context.js';

/**
 * The main thread's end of the span block: a ring per thread (participant 0 is the main thread),
 * each written by its thread's tracer (thread-tracer.ts). A thread's announcement (SpanNotice)
 * brings the strings its spans name that were not announced before; `take` adds them to that
 * thread's table and copies the announced spans out of its ring as a batch for the exporter.
 */
export class SpanIntake {
  /** The block the threads write to (each its own ring: `new RecordRingWriter(buffer, participant, SPAN_RING)`). */
  readonly buffer: SharedArrayBuffer;
  private readonly readers: RecordRingReader[] = [];
  private readonly tables: string[][] = [];
  private readonly fields: number;

  /** `threads`: participants other than the main thread (1…threads). */
  constructor(threads: number, shape: { records: number; fields: number } = SPAN_RING) {
    this.buffer = createRecordRingBuffer(threads + 1, shape);
    this.fields = shape.fields;
    for (let p = 0; p <= threads; p++) {
      this.readers.push(new RecordRingReader(this.buffer, p, shape));
      this.tables.push([]);
    }
  }

  /** Spans the last `take` dropped: published by a thread whose announcement never came (it died in between), or named by strings this side lacks. */
  lost = 0;

  /** Thread `from`'s announced spans as a batch (its strings: its table, kept growing), or null when there are none. */
  take(from: number, notice: SpanNotice): SpanBatch | null {
    this.lost = 0;
    const reader = this.readers[from];
    if (reader === undefined) return null;
    let table = this.tables[from]!;
    if (notice.strBase === 0) table = this.tables[from] = [];
    const nums = reader.take(notice.from, notice.upTo);
    this.lost = reader.skipped;
    if (table.length !== notice.strBase) {
      // Not the strings this side has (not possible while announcements arrive in order): the spans are dropped, not misnamed.
      this.lost += nums.length / this.fields;
      return null;
    }
    for (const s of notice.strs) table.push(s);
    return nums.length === 0 ? null : { thread: from, nums, strs: table };
  }
}
