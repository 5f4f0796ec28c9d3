import type { BactorError } from '../errors/error-codes.js';
import { checkWrites, conflict, journalClosed } from './write-checks.js';
import type { Journal, JournalWrite, Replay, ReplayEnd, Snapshot, StoredEvent } from './journal.js';

interface Entry {
  events: StoredEvent[];
  /** Highest seq ever written (kept when events are deleted). */
  highest: number;
  snapshot: Snapshot | null;
}

/** A journal in this thread's memory, for tests: the Journal contract, without durability. */
export class MemoryJournal implements Journal {
  private readonly ids = new Map<string, Entry>();
  private closed = false;

  private entry(id: string): Entry {
    let e = this.ids.get(id);
    if (e === undefined) this.ids.set(id, (e = { events: [], highest: 0, snapshot: null }));
    return e;
  }

  /** Rejects once closed (ActorSystem.start waits for it: a closed journal is refused there). */
  async ready(): Promise<void> {
    this.open();
  }

  async write(writes: readonly JournalWrite[]): Promise<(BactorError | null)[]> {
    this.open();
    checkWrites(writes);
    return writes.map((w) => {
      const e = this.entry(w.persistenceId);
      if (w.events.length === 0) return null;
      if (w.events[0]!.seq !== e.highest + 1) return conflict(w, e.highest);
      for (const event of w.events) e.events.push({ seq: event.seq, payload: event.payload.slice() });
      e.highest = w.events[w.events.length - 1]!.seq;
      return null;
    });
  }

  async replay(persistenceId: string, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): Promise<Replay> {
    this.open();
    const events = (this.ids.get(persistenceId)?.events ?? []).filter((e) => e.seq >= fromSeq && e.seq <= toSeq);
    return { events: events.map((e) => ({ seq: e.seq, payload: e.payload.slice() })), dropped: 0, reason: '' };
  }

  async replayEach(
    persistenceId: string,
    onEvent: (seq: number, payload: Uint8Array) => void,
    fromSeq = 1,
    toSeq = Number.MAX_SAFE_INTEGER,
  ): Promise<ReplayEnd> {
    const { events } = await this.replay(persistenceId, fromSeq, toSeq);
    for (const e of events) onEvent(e.seq, e.payload);
    return { last: events.length === 0 ? 0 : events[events.length - 1]!.seq, dropped: 0, reason: '' };
  }

  async highestSeq(persistenceId: string): Promise<number> {
    this.open();
    return this.ids.get(persistenceId)?.highest ?? 0;
  }

  async deleteTo(persistenceId: string, toSeq: number): Promise<void> {
    this.open();
    const e = this.entry(persistenceId);
    e.events = e.events.filter((event) => event.seq > toSeq);
  }

  async saveSnapshot(persistenceId: string, snapshot: Snapshot): Promise<void> {
    this.open();
    this.entry(persistenceId).snapshot = { seq: snapshot.seq, payload: snapshot.payload.slice() };
  }

  async loadSnapshot(persistenceId: string): Promise<Snapshot | null> {
    this.open();
    const s = this.ids.get(persistenceId)?.snapshot ?? null;
    return s === null ? null : { seq: s.seq, payload: s.payload.slice() };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw journalClosed();
  }
}
