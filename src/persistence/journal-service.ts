import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { type ErrorInfo, errorInfo } from '../errors/error-info.js';
import type { JournalMessage } from '../runtime/wire-messages.js';
import type { Journal, Snapshot } from './journal.js';
import { unpackWrites } from './packed-writes.js';

/** A recovery sends its events in parts of at most this many… */
const REPLAY_PART_EVENTS = 4096;
/** …or this many payload bytes. */
const REPLAY_PART_BYTES = 256 * 1024;

type WriteRequest = Extract<JournalMessage, { op: 'journal-write' }>;

/**
 * The main thread's side of persistence: the system's journal, and the requests of every actor
 * thread (journal-client.ts). Group commit: the write requests that arrive while a commit runs,
 * or in the same turn of the event loop, go to the journal as one `write` — many threads' and
 * many actors' events in one transaction. A journal whose calls run in order (`ordered`: the
 * SQLite journal's thread) is given the next batch while one commits, and joins them itself;
 * the others have one commit at a time. A recovery waits for the writes that came before it
 * (a restarted actor reads what its earlier incarnation stored), then streams the snapshot and
 * the events in parts. Without a journal every request is answered with ERR_NO_JOURNAL.
 */
export class JournalService {
  private queued: { from: number; request: WriteRequest }[] = [];
  /** Commits made and not yet answered. */
  private committing = 0;
  private scheduled = false;
  /** Write requests received, and answered (a recovery waits until the second reaches the first as it was). */
  private received = 0;
  private answered = 0;
  private readonly waiting: { upTo: number; run: () => void }[] = [];
  private closed = false;

  constructor(
    readonly journal: Journal | null,
    /** Sends an answer to thread `to`. */
    private readonly reply: (to: number, message: JournalMessage) => void,
  ) {}

  /** A request from thread `from`. */
  onRequest(from: number, message: JournalMessage): void {
    switch (message.op) {
      case 'journal-write':
        this.received++;
        this.queued.push({ from, request: message });
        this.schedule();
        return;
      case 'journal-recover': {
        const upTo = this.received;
        const run = (): void => void this.recover(from, message.ticket, message.id);
        if (this.answered >= upTo) run();
        else this.waiting.push({ upTo, run });
        return;
      }
      case 'journal-snapshot':
        void this.ack(from, message.ticket, async (journal) => {
          const snapshot: Snapshot = { seq: message.seq, payload: message.payload };
          await journal.saveSnapshot(message.id, snapshot);
          if (message.deleteTo > 0) await journal.deleteTo(message.id, message.deleteTo);
        });
        return;
      case 'journal-delete':
        void this.ack(from, message.ticket, (journal) => journal.deleteTo(message.id, message.toSeq));
        return;
      default:
        return;
    }
  }

  /** The journal, or ERR_NO_JOURNAL / ERR_JOURNAL_CLOSED as the answer's failure. */
  private usable(): Journal | ErrorInfo {
    if (this.journal === null) {
      return errorInfo(
        new BactorError(
          ErrorCode.NO_JOURNAL,
          'a persistent actor needs a journal: start the system with one, e.g. ActorSystem.start({ journal: new SqliteJournal({ path }) })',
        ),
      );
    }
    if (this.closed) return errorInfo(new BactorError(ErrorCode.JOURNAL_CLOSED, 'the journal is closed: the actor system shut down'));
    return this.journal;
  }

  private schedule(): void {
    if (this.scheduled || this.committing >= (this.journal?.ordered === true ? 2 : 1)) return;
    this.scheduled = true;
    queueMicrotask(() => void this.commit());
  }

  /** One commit of every queued write request. */
  private async commit(): Promise<void> {
    this.scheduled = false;
    const batch = this.queued;
    if (batch.length === 0) return;
    this.queued = [];
    this.committing++;
    const journal = this.usable();
    if (!('write' in journal)) {
      for (const { from, request } of batch)
        this.reply(from, { op: 'journal-written', ticket: request.ticket, errors: null, failure: journal });
    } else {
      const packed = batch.map((b) => b.request);
      let results: (BactorError | null)[] | null = null;
      let failure: ErrorInfo | null = null;
      try {
        results = journal.writePacked !== undefined ? await journal.writePacked(packed) : await journal.write(unpackWrites(packed));
      } catch (error) {
        failure = errorInfo(error);
      }
      let at = 0;
      for (const { from, request } of batch) {
        const n = request.ids.length;
        const errors = results === null ? null : results.slice(at, at + n).map((e) => (e === null ? null : errorInfo(e)));
        at += n;
        this.reply(from, { op: 'journal-written', ticket: request.ticket, errors, failure });
      }
    }
    this.answered += batch.length;
    this.committing--;
    for (let i = 0; i < this.waiting.length;) {
      const w = this.waiting[i]!;
      if (this.answered >= w.upTo) {
        this.waiting.splice(i, 1);
        w.run();
      } else i++;
    }
    if (this.queued.length > 0) this.schedule();
  }

  /** Streams the snapshot and events of `id` to thread `to`. */
  private async recover(to: number, ticket: number, id: string): Promise<void> {
    const journal = this.usable();
    if (!('write' in journal)) {
      this.reply(to, { op: 'journal-recovered', ticket, last: 0, dropped: 0, reason: '', failure: journal });
      return;
    }
    try {
      const snapshot = await journal.loadSnapshot(id);
      let head: [number, Uint8Array] | null = snapshot === null ? null : [snapshot.seq, snapshot.payload];
      let first = 0;
      let part: Uint8Array[] = [];
      let bytes = 0;
      const send = (): void => {
        this.reply(to, { op: 'journal-replay', ticket, snapshot: head, first, payloads: part });
        head = null;
        part = [];
        bytes = 0;
      };
      const end = await journal.replayEach(
        id,
        (seq, payload) => {
          if (part.length === 0) first = seq;
          part.push(payload);
          bytes += payload.length;
          if (part.length >= REPLAY_PART_EVENTS || bytes >= REPLAY_PART_BYTES) send();
        },
        (snapshot?.seq ?? 0) + 1,
      );
      if (part.length > 0 || head !== null) send();
      // Sequence numbers go on after the highest ever stored (events deleted, or dropped as unreadable, included).
      const last = Math.max(end.last, snapshot?.seq ?? 0, await journal.highestSeq(id));
      this.reply(to, { op: 'journal-recovered', ticket, last, dropped: end.dropped, reason: end.reason, failure: null });
    } catch (error) {
      this.reply(to, { op: 'journal-recovered', ticket, last: 0, dropped: 0, reason: '', failure: errorInfo(error) });
    }
  }

  private async ack(to: number, ticket: number, work: (journal: Journal) => Promise<void>): Promise<void> {
    const journal = this.usable();
    let failure: ErrorInfo | null = null;
    if (!('write' in journal)) failure = journal;
    else {
      try {
        await work(journal);
      } catch (error) {
        failure = errorInfo(error);
      }
    }
    this.reply(to, { op: 'journal-ack', ticket, failure });
  }

  /** At shutdown, once no actor runs: waits for the commit under way, then closes the journal. */
  async close(): Promise<void> {
    while (this.committing > 0 || this.scheduled) await new Promise((resolve) => setImmediate(resolve));
    this.closed = true;
    await this.journal?.close();
  }
}
