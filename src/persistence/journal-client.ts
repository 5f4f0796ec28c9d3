import { errorFromInfo } from '../errors/error-info.js';
import type { JournalMessage } from '../runtime/wire-messages.js';

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
  private next = 1;
  private batch: [string, number, Uint8Array[]][] = [];
  private parties: WriteParty[] = [];
  private readonly writing = new Map<number, WriteParty[]>();
  private readonly recovering = new Map<number, RecoveryParty>();
  private readonly acks = new Map<number, (failure: Error | null) => void>();

  /**
   * @param send carries a request to the main thread (a control record; on the main thread itself, a call).
   * @param wake the thread may be parked (a persist from a promise's continuation): have it flush soon.
   */
  constructor(
    public send: (message: JournalMessage) => void,
    private readonly wake: () => void,
  ) {}

  /** Queues the events of one persist of `party` for the turn's flush. */
  write(party: WriteParty, persistenceId: string, firstSeq: number, payloads: Uint8Array[]): void {
    if (this.batch.length === 0) this.wake();
    this.batch.push([persistenceId, firstSeq, payloads]);
    this.parties.push(party);
  }

  /** Whether writes wait for the flush. */
  get pending(): boolean {
    return this.batch.length > 0;
  }

  /** Sends the turn's writes as one request. */
  flush(): void {
    if (this.batch.length === 0) return;
    const ticket = this.next++;
    this.writing.set(ticket, this.parties);
    const writes = this.batch;
    this.batch = [];
    this.parties = [];
    this.send({ op: 'journal-write', ticket, writes });
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
