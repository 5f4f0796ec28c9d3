import { ReliableEnvelope } from './reliable-messages.js';

/** A RELIABLE_SEQ record's body: message `s` of its pair, `f` the oldest unacknowledged, `p` a durable producer's id. */
export interface ReliableSeqBody {
  s: number;
  f: number;
  p?: string;
}

/**
 * The RELIABLE_SEQ records a thread has read, per sending thread (header1's participant): the
 * next USER record from that thread for actor `forActor[p]` (-1: none) from sender `fromRef[p]`
 * is that reliable message (see Runtime.tellReliable). Per thread: a drain may stop between the
 * two records and go on with another ring first.
 */
export class ReliableMarks {
  /** Read inline on the USER path: -1 (the common case) means no mark waits for that thread. */
  readonly forActor = new Int32Array(256).fill(-1);
  private readonly fromRef = new Int32Array(256);
  private readonly seq = new Float64Array(256);
  private readonly first = new Float64Array(256);
  private readonly producer: (string | null)[] = new Array<string | null>(256).fill(null);

  note(header0: number, header1: number, body: ReliableSeqBody): void {
    const from = header1 >>> 24;
    this.forActor[from] = header0;
    this.fromRef[from] = header1;
    this.seq[from] = body.s;
    this.first[from] = body.f;
    this.producer[from] = body.p ?? null;
  }

  /** The USER record (for `forActor[from]`) from sender `header1`: its envelope if it is the marked one (the mark is used up), else null. */
  take(from: number, header1: number, message: unknown): ReliableEnvelope | null {
    if (this.fromRef[from] !== header1) return null;
    this.forActor[from] = -1;
    return new ReliableEnvelope(this.seq[from]!, this.first[from]!, message, this.producer[from]!);
  }
}
