import type { Envelope } from './wire.js';

/** A batch is cut at about this many bytes of bodies (a frame stays well under gRPC's limits). */
export const BATCH_BYTES = 1 << 20;
/** A body larger than this travels in pieces of this size, one per batch, between other messages. */
export const CHUNK_BYTES = 64 * 1024;

/** A large message being written piece by piece. */
interface Chunking {
  envelope: Envelope;
  offset: number;
  /** Its sender → receiver pair: what that pair sends after it waits until its last piece. */
  pair: string;
}

/**
 * The user messages waiting for one peer, in order, and how they are cut into batches.
 *
 * A body over CHUNK_BYTES goes in pieces (Envelope.chunked_size), one piece per batch, with the
 * other messages around it: one 4 MiB message does not hold up the small ones behind it for the
 * time it takes to write. One large message is in pieces at a time per stream, so the receiver
 * assembles a single one; per sender → receiver FIFO holds because what its pair sends after it
 * stays queued until its last piece is cut. With nothing large queued a batch is a plain cut of
 * the queue's head.
 */
export class LinkQueue {
  private queue: Envelope[] = [];
  private bytes = 0;
  /** Envelopes in the queue with a body over CHUNK_BYTES. */
  private large = 0;
  private chunking: Chunking | null = null;

  /** Envelopes waiting (the one in pieces included). */
  get length(): number {
    return this.queue.length + (this.chunking === null ? 0 : 1);
  }

  /** Body bytes waiting. */
  get byteLength(): number {
    return this.bytes + (this.chunking === null ? 0 : this.chunking.envelope.body.length - this.chunking.offset);
  }

  get empty(): boolean {
    return this.queue.length === 0 && this.chunking === null;
  }

  push(envelope: Envelope): void {
    this.queue.push(envelope);
    this.bytes += envelope.body.length;
    if (envelope.body.length > CHUNK_BYTES) this.large++;
  }

  /** The next batch to write (null: nothing waits). */
  nextBatch(): Envelope[] | null {
    if (this.chunking === null && this.large === 0) return this.plainCut();
    if (this.empty) return null;
    return this.mixedCut();
  }

  /**
   * A message in pieces whose connection broke goes back to the head of the queue, whole: the
   * receiver drops the pieces of an unfinished message with its stream, so it is written again
   * from the start on the next connection, and delivered once.
   */
  restartPieces(): void {
    const chunking = this.chunking;
    if (chunking === null) return;
    this.chunking = null;
    this.queue.unshift(chunking.envelope);
    this.bytes += chunking.envelope.body.length;
    this.large++;
  }

  /** Takes every waiting envelope out (the queue is empty after). */
  takeAll(): Envelope[] {
    this.restartPieces();
    const all = this.queue;
    this.clear();
    return all;
  }

  /** Takes out the envelopes `dead` selects, keeping the others in order. */
  takeWhere(dead: (e: Envelope) => boolean): Envelope[] {
    this.restartPieces();
    const out: Envelope[] = [];
    const kept: Envelope[] = [];
    for (const e of this.queue) (dead(e) ? out : kept).push(e);
    if (out.length === 0) return out;
    this.clear();
    for (const e of kept) this.push(e);
    return out;
  }

  private clear(): void {
    this.queue = [];
    this.bytes = 0;
    this.large = 0;
  }

  /** Nothing large: the head of the queue, up to BATCH_BYTES (at least one). */
  private plainCut(): Envelope[] | null {
    const queue = this.queue;
    if (queue.length === 0) return null;
    if (this.bytes <= BATCH_BYTES) {
      this.queue = [];
      this.bytes = 0;
      return queue;
    }
    let bytes = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || bytes + queue[n]!.body.length <= BATCH_BYTES)) bytes += queue[n++]!.body.length;
    this.bytes -= bytes;
    return queue.splice(0, n);
  }

  /** A piece of the large message in progress (or of the next one), and the small messages that may pass it. */
  private mixedCut(): Envelope[] {
    const out: Envelope[] = [];
    let bytes = 0;
    if (this.chunking !== null) bytes += this.nextPiece(out);
    /** Pairs that wait for a large message before them (in pieces, or queued behind it). */
    let blocked: Set<string> | null = this.chunking === null ? null : new Set([this.chunking.pair]);
    const queue = this.queue;
    const kept: Envelope[] = [];
    let i = 0;
    for (; i < queue.length; i++) {
      const e = queue[i]!;
      const size = e.body.length;
      if (size > CHUNK_BYTES) {
        const pair = pairOf(e);
        if (this.chunking === null && !blocked?.has(pair) && bytes + CHUNK_BYTES <= BATCH_BYTES) {
          this.large--;
          this.bytes -= size;
          this.chunking = { envelope: e, offset: 0, pair };
          bytes += this.nextPiece(out);
          (blocked ??= new Set()).add(pair);
        } else {
          (blocked ??= new Set()).add(pair);
          kept.push(e);
        }
        continue;
      }
      if (blocked !== null && blocked.has(pairOf(e))) {
        kept.push(e);
        continue;
      }
      if (bytes + size > BATCH_BYTES && out.length > 0) break;
      out.push(e);
      bytes += size;
      this.bytes -= size;
    }
    for (; i < queue.length; i++) kept.push(queue[i]!);
    this.queue = kept;
    return out;
  }

  /** Appends the next piece of the message in progress to `out`; its bytes. */
  private nextPiece(out: Envelope[]): number {
    const chunking = this.chunking!;
    const body = chunking.envelope.body;
    const end = Math.min(body.length, chunking.offset + CHUNK_BYTES);
    out.push({ ...chunking.envelope, body: body.subarray(chunking.offset, end), chunked_size: body.length });
    const n = end - chunking.offset;
    chunking.offset = end;
    if (end === body.length) this.chunking = null;
    return n;
  }
}

/** The sender → receiver pair of an envelope (no sender: one pair per target). */
function pairOf(e: Envelope): string {
  const s = e.sender;
  return s == null ? `-:${e.target}` : `${s.incarnation}:${s.id}:${e.target}`;
}
