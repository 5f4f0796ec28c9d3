import { errorFromInfo } from '../errors/error-info.js';
import type { JournalMessage } from '../runtime/wire-messages.js';

/** Writes after which a turn's batch goes out before the turn ends. */
const FLUSH_AT = 128;

/** An actor whose events are being written (persistent-cell.ts): told of each of its writes, in order. */
export interface WriteParty {
  written(error: Error | null): void;
}

/** An actor recovering: the parts of its replay, then the end. */
export interface RecoveryParty {
  replayed(snapshot: [number, Uint8Array] | null, first: number, payloads: Uint8Array[]): void;
  recovered(last: number, dropped: number, reason: string, failure: Error | null): void;
}

/**
 * An actor thread's side of the journal (the journal itself is on the main thread, see
 * journal-service.ts): the writes of every actor of one loop turn go out as one request at the
 * turn's flush (Runtime.flush), so the main thread commits many actors' events at once; the
 * answers come back in order and go to the actors that wrote. Recoveries, snapshots and
 * deletions are requests of their own. Only its thread touches it.
 */
export class JournalClient {
  /**
   * Tickets start at random: a replacement of a dead worker has a client of its own on the same
   * rings, and an answer to its predecessor's request must not match one of its own.
   */
  private next = 1 + Math.floor(Math.random() * 2 ** 40);
  // The writes of the turn: per write its id, first seq and event count; the events' packed bytes, one after another, and their sizes.
  private ids: string[] = [];
  private firsts: number[] = [];
  private counts: number[] = [];
  private sizes: number[] = [];
  private body = new Uint8Array(64 * 1024);
  private bodyLength = 0;
  private parties: WriteParty[] = [];
  private readonly writing = new Map<number, WriteParty[]>();
  private readonly recovering = new Map<number, RecoveryParty>();
  private readonly acks = new Map<number, (failure: Error | null) => void>();

  /**
   * @param send carries a request to the main thread (a control record; on the main thread itself, a call).
   * @param wake the thread may be parked (a persist from a promise's continuation): have it flush soon.
   * @param publish makes what was sent visible to the main thread now, mid-turn (the turn's end does it otherwise).
   */
  constructor(
    public send: (message: JournalMessage) => void,
    private readonly wake: () => void,
    private readonly publish: () => void,
  ) {}

  /** Where the turn's batch ends now: `rollBack` to it drops what was added since (an event of a persist that failed to pack). */
  get mark(): number {
    return this.sizes.length;
  }

  /** Adds one event's packed bytes to the batch (copied: `bytes` may be the packer's own buffer). */
  addEvent(bytes: Uint8Array): void {
    const end = this.bodyLength + bytes.length;
    if (end > this.body.length) {
      const grown = new Uint8Array(Math.max(end, this.body.length * 2));
      grown.set(this.body.subarray(0, this.bodyLength));
      this.body = grown;
    }
    this.body.set(bytes, this.bodyLength);
    this.bodyLength = end;
    this.sizes.push(bytes.length);
  }

  rollBack(mark: number): void {
    while (this.sizes.length > mark) this.bodyLength -= this.sizes.pop()!;
  }

  /** The events added since `mark` are one persist of `party`: `count` events of `persistenceId` from `firstSeq`. */
  write(party: WriteParty, persistenceId: string, firstSeq: number, count: number): void {
    if (this.ids.length === 0) this.wake();
    this.ids.push(persistenceId);
    this.firsts.push(firstSeq);
    this.counts.push(count);
    this.parties.push(party);
    // A long turn sends its writes in parts, published at once: the journal commits the first while the actors of the rest still run.
    if (this.ids.length >= FLUSH_AT) {
      this.flush();
      this.publish();
    }
  }

  /** Whether anything is asked of the journal and not answered yet (or waits for the flush). */
  get busy(): boolean {
    return this.ids.length > 0 || this.writing.size > 0 || this.recovering.size > 0 || this.acks.size > 0;
  }

  /** Whether writes wait for the flush. */
  get pending(): boolean {
    return this.ids.length > 0;
  }

  /** Sends the turn's writes as one request. */
  flush(): void {
    if (this.ids.length === 0) return;
    const ticket = this.next++;
    this.writing.set(ticket, this.parties);
    // The body is copied out (the request may wait in an overflow queue, unencoded, while the buffer is reused).
    this.send({
      op: 'journal-write',
      ticket,
      ids: this.ids,
      firsts: this.firsts,
      counts: this.counts,
      sizes: this.sizes,
      body: this.body.slice(0, this.bodyLength),
    });
    this.ids = [];
    this.firsts = [];
    this.counts = [];
    this.sizes = [];
    this.parties = [];
    this.bodyLength = 0;
  }

  recover(party: RecoveryParty, id: string): void {
    const ticket = this.next++;
    this.recovering.set(ticket, party);
    this.send({ op: 'journal-recover', ticket, id });
  }

  /** Saves a snapshot (and with deleteTo > 0 deletes the events up to it); `done` hears the outcome. */
  snapshot(id: string, seq: number, payload: Uint8Array, deleteTo: number, done: (failure: Error | null) => void): void {
    const ticket = this.next++;
    this.acks.set(ticket, done);
    this.send({ op: 'journal-snapshot', ticket, id, seq, payload, deleteTo });
  }

  deleteTo(id: string, toSeq: number, done: (failure: Error | null) => void): void {
    const ticket = this.next++;
    this.acks.set(ticket, done);
    this.send({ op: 'journal-delete', ticket, id, toSeq });
  }

  /** An answer from the journal service. */
  onMessage(message: JournalMessage): void {
    switch (message.op) {
      case 'journal-written': {
        const parties = this.writing.get(message.ticket);
        if (parties === undefined) return;
        this.writing.delete(message.ticket);
        const failure = message.failure === null ? null : errorFromInfo(message.failure);
        for (let i = 0; i < parties.length; i++) {
          const info = message.errors?.[i] ?? null;
          parties[i]!.written(failure ?? (info === null ? null : errorFromInfo(info)));
        }
        return;
      }
      case 'journal-replay':
        this.recovering.get(message.ticket)?.replayed(message.snapshot, message.first, message.payloads);
        return;
      case 'journal-recovered': {
        const party = this.recovering.get(message.ticket);
        if (party === undefined) return;
        this.recovering.delete(message.ticket);
        party.recovered(message.last, message.dropped, message.reason, message.failure === null ? null : errorFromInfo(message.failure));
        return;
      }
      case 'journal-ack': {
        const done = this.acks.get(message.ticket);
        if (done === undefined) return;
        this.acks.delete(message.ticket);
        done(message.failure === null ? null : errorFromInfo(message.failure));
        return;
      }
      default:
        return;
    }
  }
}
