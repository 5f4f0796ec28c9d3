import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { crc32 } from './crc32.js';
import type { Journal, JournalWrite, Replay, Snapshot, StoredEvent } from './journal.js';
import { checkWrite, conflict, journalClosed } from './write-checks.js';

export interface SqliteJournalOptions {
  /** The database file, created if absent (':memory:' for a database that lives as long as the journal). */
  path: string;
  /**
   * 'full' (default): a write resolves once its commit is on disk. 'normal': it survives a crash
   * of the process, not of the machine (SQLite's WAL mode with synchronous=NORMAL), and is faster.
   */
  synchronous?: 'full' | 'normal';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bactor_events (
  persistence_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  payload BLOB NOT NULL,
  crc INTEGER NOT NULL,
  PRIMARY KEY (persistence_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bactor_ids (
  persistence_id TEXT PRIMARY KEY,
  highest INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bactor_snapshots (
  persistence_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  payload BLOB NOT NULL,
  crc INTEGER NOT NULL
) WITHOUT ROWID;
`;

const require = createRequire(import.meta.url);

/** better-sqlite3, an optional peer dependency: loaded when a SQLite journal is opened. */
function loadDriver(): typeof BetterSqlite3 {
  try {
    return require('better-sqlite3') as typeof BetterSqlite3;
  } catch (error) {
    throw new BactorError(
      ErrorCode.MISSING_PEER_DEPENDENCY,
      "the SQLite journal needs the package 'better-sqlite3': npm install better-sqlite3",
      { cause: error },
    );
  }
}

/**
 * The embedded journal: one SQLite database in WAL mode; each `write` is one transaction (the
 * events of many actors in one commit), with a savepoint per persistence id so a refused write
 * leaves the others in. Each record carries a CRC-32 of its payload, checked at replay.
 *
 * It runs on the thread that calls it (better-sqlite3 is synchronous): give it a thread that
 * no actor runs on.
 */
export class SqliteJournal implements Journal {
  private readonly db: BetterSqlite3.Database;
  private closed = false;
  private readonly highest: BetterSqlite3.Statement<[string], { highest: number }>;
  private readonly insert: BetterSqlite3.Statement<[string, number, Uint8Array, number]>;
  private readonly setHighest: BetterSqlite3.Statement<[string, number]>;
  private readonly select: BetterSqlite3.Statement<[string, number, number], { seq: number; payload: Buffer; crc: number }>;
  private readonly countAfter: BetterSqlite3.Statement<[string, number, number], { n: number }>;
  private readonly remove: BetterSqlite3.Statement<[string, number]>;
  private readonly putSnapshot: BetterSqlite3.Statement<[string, number, Uint8Array, number]>;
  private readonly getSnapshot: BetterSqlite3.Statement<[string], { seq: number; payload: Buffer; crc: number }>;
  private readonly writeOne: (write: JournalWrite) => void;
  private readonly writeAll: (writes: readonly JournalWrite[]) => (BactorError | null)[];

  constructor(options: SqliteJournalOptions) {
    if (options === null || typeof options !== 'object' || typeof options.path !== 'string' || options.path === '')
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `SqliteJournal: path must be a file name or ':memory:', got ${JSON.stringify(options?.path)}`,
      );
    const synchronous = options.synchronous ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal')
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `SqliteJournal: synchronous must be 'full' or 'normal', got ${JSON.stringify(synchronous)}`,
      );
    const Database = loadDriver();
    this.db = failing(() => new Database(options.path), `open ${options.path}`);
    const db = this.db;
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    db.exec(SCHEMA);
    this.highest = db.prepare('SELECT highest FROM bactor_ids WHERE persistence_id = ?');
    this.insert = db.prepare('INSERT INTO bactor_events (persistence_id, seq, payload, crc) VALUES (?, ?, ?, ?)');
    this.setHighest = db.prepare(
      'INSERT INTO bactor_ids (persistence_id, highest) VALUES (?, ?) ON CONFLICT (persistence_id) DO UPDATE SET highest = excluded.highest',
    );
    this.select = db.prepare('SELECT seq, payload, crc FROM bactor_events WHERE persistence_id = ? AND seq >= ? AND seq <= ? ORDER BY seq');
    this.countAfter = db.prepare('SELECT COUNT(*) AS n FROM bactor_events WHERE persistence_id = ? AND seq > ? AND seq <= ?');
    this.remove = db.prepare('DELETE FROM bactor_events WHERE persistence_id = ? AND seq <= ?');
    this.putSnapshot = db.prepare(
      'INSERT INTO bactor_snapshots (persistence_id, seq, payload, crc) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (persistence_id) DO UPDATE SET seq = excluded.seq, payload = excluded.payload, crc = excluded.crc WHERE excluded.seq >= bactor_snapshots.seq',
    );
    this.getSnapshot = db.prepare('SELECT seq, payload, crc FROM bactor_snapshots WHERE persistence_id = ?');
    // A savepoint per write (a nested transaction): a refused one is rolled back alone.
    this.writeOne = db.transaction((write: JournalWrite) => {
      const id = write.persistenceId;
      const highest = this.highest.get(id)?.highest ?? 0;
      if (write.events[0]!.seq !== highest + 1) throw conflict(write, highest);
      for (const e of write.events) this.insert.run(id, e.seq, e.payload, crc32(e.payload));
      this.setHighest.run(id, write.events[write.events.length - 1]!.seq);
    });
    this.writeAll = db.transaction((writes: readonly JournalWrite[]) =>
      writes.map((w) => {
        if (w.events.length === 0) return null;
        try {
          this.writeOne(w);
          return null;
        } catch (error) {
          if (error instanceof BactorError) return error;
          // Another process wrote the same (id, seq) since: the primary key caught it.
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return conflict(w, w.events[0]!.seq - 1);
          throw error;
        }
      }),
    );
  }

  async write(writes: readonly JournalWrite[]): Promise<(BactorError | null)[]> {
    this.open();
    for (const w of writes) checkWrite(w);
    return failing(() => this.writeAll(writes), 'write');
  }

  async replay(persistenceId: string, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): Promise<Replay> {
    this.open();
    return failing(() => {
      const events: StoredEvent[] = [];
      for (const row of this.select.iterate(persistenceId, fromSeq, toSeq)) {
        const payload = new Uint8Array(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength);
        const expected = events.length === 0 ? row.seq : events[events.length - 1]!.seq + 1;
        let reason = '';
        if (crc32(payload) !== row.crc >>> 0) reason = `the record of seq ${row.seq} fails its checksum`;
        else if (row.seq !== expected) reason = `seq ${expected} is missing (the next is ${row.seq})`;
        if (reason !== '') {
          const last = events.length === 0 ? fromSeq - 1 : events[events.length - 1]!.seq;
          return { events, dropped: this.countAfter.get(persistenceId, last, toSeq)!.n, reason };
        }
        events.push({ seq: row.seq, payload });
      }
      return { events, dropped: 0, reason: '' };
    }, 'replay');
  }

  async highestSeq(persistenceId: string): Promise<number> {
    this.open();
    return failing(() => this.highest.get(persistenceId)?.highest ?? 0, 'highestSeq');
  }

  async deleteTo(persistenceId: string, toSeq: number): Promise<void> {
    this.open();
    failing(() => this.remove.run(persistenceId, toSeq), 'deleteTo');
  }

  async saveSnapshot(persistenceId: string, snapshot: Snapshot): Promise<void> {
    this.open();
    failing(() => this.putSnapshot.run(persistenceId, snapshot.seq, snapshot.payload, crc32(snapshot.payload)), 'saveSnapshot');
  }

  async loadSnapshot(persistenceId: string): Promise<Snapshot | null> {
    this.open();
    const row = failing(() => this.getSnapshot.get(persistenceId), 'loadSnapshot');
    if (row === undefined) return null;
    const payload = new Uint8Array(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength);
    // A corrupt snapshot is as good as none: recovery replays the events instead.
    return crc32(payload) === row.crc >>> 0 ? { seq: row.seq, payload } : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private open(): void {
    if (this.closed) throw journalClosed();
  }
}

/** Runs a call on the database; a failure of the store becomes ERR_JOURNAL_FAILED with its cause. */
function failing<T>(call: () => T, what: string): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof BactorError) throw error;
    throw new BactorError(ErrorCode.JOURNAL_FAILED, `the SQLite journal's ${what} failed: ${(error as Error).message}`, { cause: error });
  }
}
