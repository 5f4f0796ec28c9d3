import { TRACE_WORDS, type TraceRecordBody, TracedMessage } from './trace-context.js';

/**
 * The TRACE records a thread has read, per sending thread (header1's participant): the next USER
 * record from that thread for actor `forActor[p]` (-1: none) from sender `fromRef[p]` is traced
 * with the ids kept in `words` (see Runtime `onMessage`). Per thread: a drain may stop between the
 * two records and go on with another ring first. As ReliableMarks, for RELIABLE_SEQ.
 */
export class TraceMarks {
  /** Read inline on the USER path: -1 (the common case) means no mark waits for that thread. */
  readonly forActor = new Int32Array(256).fill(-1);
  private readonly fromRef = new Int32Array(256);
  private readonly words = new Uint32Array(256 * TRACE_WORDS);

  /** A TRACE record: its words are copied (the codec's words are valid only while the record is delivered). */
  note(header0: number, header1: number, body: TraceRecordBody): void {
    const from = header1 >>> 24;
    this.forActor[from] = header0;
    this.fromRef[from] = header1;
    const words = this.words;
    const at = from * TRACE_WORDS;
    for (let i = 0; i < TRACE_WORDS; i++) words[at + i] = body[i]!;
  }

  /** The USER record (for `forActor[from]`) from sender `header1`: wrapped with its trace if it is the marked one (the mark is used up). */
  take(from: number, header1: number, message: unknown): unknown {
    if (this.fromRef[from] !== header1) return message;
    this.forActor[from] = -1;
    const w = this.words;
    const at = from * TRACE_WORDS;
    return new TracedMessage(w[at]!, w[at + 1]!, w[at + 2]!, w[at + 3]!, w[at + 4]!, w[at + 5]!, w[at + 6]!, message);
  }
}
