import { type TraceIds, type TraceRecordBody, TracedMessage, fromRecord } from './trace-context.js';

/**
 * The TRACE records a thread has read, per sending thread (header1's participant): the next USER
 * record from that thread for actor `forActor[p]` (-1: none) from sender `fromRef[p]` is traced
 * with those ids (see Runtime `traced`). Per thread: a drain may stop between the two records and
 * go on with another ring first. As ReliableMarks, for RELIABLE_SEQ.
 */
export class TraceMarks {
  /** Read inline on the USER path: -1 (the common case) means no mark waits for that thread. */
  readonly forActor = new Int32Array(256).fill(-1);
  private readonly fromRef = new Int32Array(256);
  private readonly ids: (TraceIds | null)[] = new Array<TraceIds | null>(256).fill(null);

  note(header0: number, header1: number, body: TraceRecordBody): void {
    const from = header1 >>> 24;
    this.forActor[from] = header0;
    this.fromRef[from] = header1;
    this.ids[from] = fromRecord(body);
  }

  /** The USER record (for `forActor[from]`) from sender `header1`: wrapped with its trace if it is the marked one (the mark is used up). */
  take(from: number, header1: number, message: unknown): unknown {
    if (this.fromRef[from] !== header1) return message;
    this.forActor[from] = -1;
    const ids = this.ids[from]!;
    this.ids[from] = null;
    return new TracedMessage(ids, message);
  }
}
