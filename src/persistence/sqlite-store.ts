import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { crc32 } from './crc32.js';
import { MultiRowInsert } from './multi-row.js';
import { type IdRow, SqliteIds } from './sqlite-ids.js';
import type { JournalWrite, PackedWrites, ReplayEnd, Snapshot } from './journal.js';
import { unpackWrites } from './packed-writes.js';
import { checkWrites, conflict, journalClosed } from './write-checks.js';

/** What the store needs (checked by SqliteJournal). */
export interface SqliteStoreOptions {
  path: string;
  synchronous: 'full' | 'normal';
}

/**
 * One log in append order, each event pointing at the previous event of its persistence id
 * (`prev`, its rowid; 0 for none), and a small table of ids with their highest seq and last
 * row (kept up to date at checkpoints: sqlite-ids.ts). A commit of one event for each of 1,000
 * ids appends 1,000 rows at the end of the log — an index on (id, seq) would touch a page per id per
 * commit (measured: 86k events/s with it, 257k with the chain, 25k clustered by id). Every
 * MARK_EVERY-th event of an id is marked with its row, so a replay of an id whose events lie
 * close together in the log reads a range of it instead of walking the chain row by row.
 */
const MARK_EVERY = 1024;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS bactor_log (
  persistence_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  prev INTEGER NOT NULL,
  payload BLOB NOT NULL,
  crc INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS bactor_ids (
  persistence_id TEXT PRIMARY KEY,
  highest INTEGER NOT NULL,
  last INTEGER NOT NULL,
  deleted_to INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bactor_marks (
  persistence_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  row INTEGER NOT NULL,
  PRIMARY KEY (persistence_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bactor_snapshots (
  persistence_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  payload BLOB NOT NULL,
  crc INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** A row of the log, as an array (better-sqlite3's raw mode: no object per row). */
type LogRow = [rowid: number, persistenceId: string, seq: number, prev: number, payload: Buffer, crc: number];
const ROWID = 0;
const PID = 1;
const SEQ = 2;
const PREV = 3;
const PAYLOAD = 4;
const CRC = 5;

const require = createRequire(import.meta.url);

/** better-sqlite3, an optional peer dependency: loaded when a SQLite journal is opened. */
export function loadDriver(): typeof BetterSqlite3 {
  try {
    return require('better-sqlite3') as typeof BetterSqlite3;
  } catch (error) {
    throw new BactorError(
      ErrorCode.MISSING_PEER_DEPENDENCY,
      "the SQLite journal needs the package 'better-sqlite3': npm install better-sqlite3",
      {
        cause: error,
      },
    );
  }
}

/** A record's checksum: CRC-32 of its seq and prev, then its payload (a record moved or pointed wrong fails it too). */
const scratch = new DataView(new ArrayBuffer(16));
function checksum(seq: number, prev: number, payload: Uint8Array): number {
  scratch.setFloat64(0, seq);
  scratch.setFloat64(8, prev);
  return crc32(payload, crc32(new Uint8Array(scratch.buffer)));
}

/**
 * The SQLite journal's database, synchronous (better-sqlite3): SqliteJournal runs it on a thread
 * of its own (sqlite-thread.ts), or inline. One database in WAL mode; each `write` is one
 * transaction (the events of many actors in one commit) that takes the write lock first, so the
 * highest-seq check of each write holds against other processes on the same file: a refused
 * write (its first seq taken: another writer of the id) leaves nothing, the others go in. Each
 * record carries a CRC-32, checked at replay.
 */
export class SqliteStore {
  private readonly db: BetterSqlite3.Database;
  private closed = false;
  private readonly getId: BetterSqlite3.Statement<[string], IdRow>;
  private readonly ids: SqliteIds;
  /** Brings the ids' view up to date in a read transaction (before a read of the log). */
  private readonly syncIds: () => void;
  private readonly putId: BetterSqlite3.Statement<[string, number, number, number]>;
  private readonly getRow: BetterSqlite3.Statement<[number], LogRow>;
  private readonly scanId: BetterSqlite3.Statement<[string], LogRow>;
  private readonly removeRow: BetterSqlite3.Statement<[number]>;
  private readonly putMark: BetterSqlite3.Statement<[string, number, number]>;
  private readonly getMark: BetterSqlite3.Statement<[string, number], { seq: number; row: number }>;
  private readonly removeMarks: BetterSqlite3.Statement<[string, number]>;
  private readonly scanRange: BetterSqlite3.Statement<[number, number, string], LogRow>;
  private readonly putSnapshot: BetterSqlite3.Statement<[string, number, Uint8Array, number]>;
  private readonly getSnapshot: BetterSqlite3.Statement<[string], { seq: number; payload: Buffer; crc: number }>;
  private readonly writeAll: (writes: readonly JournalWrite[]) => (BactorError | null)[];
  private readonly deleteAll: (persistenceId: string, toSeq: number) => void;

  constructor(options: SqliteStoreOptions) {
    const synchronous = options.synchronous;
    const Database = loadDriver();
    const db = (this.db = failing(() => new Database(options.path), `open of ${options.path}`));
    failing(() => {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
      db.exec(SCHEMA);
    }, `set-up of ${options.path}`);
    this.getId = db.prepare('SELECT highest, last, deleted_to FROM bactor_ids WHERE persistence_id = ?');
    this.putId = db.prepare(
      'INSERT INTO bactor_ids (persistence_id, highest, last, deleted_to) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (persistence_id) DO UPDATE SET highest = excluded.highest, last = excluded.last, deleted_to = excluded.deleted_to',
    );
    this.getRow = db
      .prepare<[number], LogRow>('SELECT rowid, persistence_id, seq, prev, payload, crc FROM bactor_log WHERE rowid = ?')
      .raw();
    this.scanId = db
      .prepare<[string], LogRow>(
        'SELECT rowid, persistence_id, seq, prev, payload, crc FROM bactor_log WHERE persistence_id = ? ORDER BY rowid',
      )
      .raw();
    this.removeRow = db.prepare('DELETE FROM bactor_log WHERE rowid = ?');
    this.putMark = db.prepare('INSERT OR REPLACE INTO bactor_marks (persistence_id, seq, row) VALUES (?, ?, ?)');
    this.getMark = db.prepare('SELECT seq, row FROM bactor_marks WHERE persistence_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1');
    this.removeMarks = db.prepare('DELETE FROM bactor_marks WHERE persistence_id = ? AND seq <= ?');
    this.scanRange = db
      .prepare<[number, number, string], LogRow>(
        'SELECT rowid, persistence_id, seq, prev, payload, crc FROM bactor_log WHERE rowid >= ? AND rowid <= ? AND persistence_id = ? ORDER BY rowid',
      )
      .raw();
    this.putSnapshot = db.prepare(
      'INSERT INTO bactor_snapshots (persistence_id, seq, payload, crc) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (persistence_id) DO UPDATE SET seq = excluded.seq, payload = excluded.payload, crc = excluded.crc WHERE excluded.seq >= bactor_snapshots.seq',
    );
    this.getSnapshot = db.prepare('SELECT seq, payload, crc FROM bactor_snapshots WHERE persistence_id = ?');
    const ids = (this.ids = failing(() => new SqliteIds(db), `set-up of ${options.path}`));
    this.syncIds = db.transaction(() => ids.sync());
    const maxRow = db.prepare<[], number | null>('SELECT max(rowid) FROM bactor_log').pluck();
    // Rows go in many to a statement, with their rowids given (the chain's `prev` and the checksum need them before the insert).
    const logRows = new MultiRowInsert(db, 'INSERT INTO bactor_log (rowid, persistence_id, seq, prev, payload, crc)', 6);
    let rowid = 0;
    const append = (write: JournalWrite): BactorError | null => {
      if (write.events.length === 0) return null;
      const id = write.persistenceId;
      const row = ids.get(id);
      const highest = row?.highest ?? 0;
      if (write.events[0]!.seq !== highest + 1) return conflict(write, highest);
      let last = row?.last ?? 0;
      for (const e of write.events) {
        const r = ++rowid;
        logRows.add(r, id, e.seq, last, e.payload, checksum(e.seq, last, e.payload));
        if (e.seq % MARK_EVERY === 1) this.putMark.run(id, e.seq, r);
        last = r;
      }
      ids.set(id, { highest: write.events[write.events.length - 1]!.seq, last, deleted_to: row?.deleted_to ?? 0 });
      return null;
    };
    const writeTx = db.transaction((writes: readonly JournalWrite[]) => {
      // Under the write lock: if another connection committed since our last look, what we know of the ids may be stale.
      ids.sync();
      rowid = maxRow.get() ?? 0;
      const results = writes.map(append);
      logRows.flush();
      ids.checkpoint(rowid);
      return results;
    });
    // IMMEDIATE: the write lock first, so no other process writes between the check and the append.
    this.writeAll = (writes) => {
      try {
        return writeTx.immediate(writes);
      } catch (error) {
        // Rolled back: what it learned or meant to write is not in the database.
        ids.forget();
        logRows.discard();
        throw error;
      }
    };
    const deleteTx = db.transaction((persistenceId: string, toSeq: number) => {
      ids.sync();
      ids.checkpoint(maxRow.get() ?? 0, true); // the table up to date, as the rewrite of the id's row below needs
      const row = this.getId.get(persistenceId);
      if (row === undefined || toSeq <= row.deleted_to) return;
      for (const r of this.chain(persistenceId, row, row.deleted_to + 1).rows) if (r[SEQ] <= toSeq) this.removeRow.run(r[ROWID]);
      this.removeMarks.run(persistenceId, toSeq);
      this.putId.run(persistenceId, row.highest, row.last, Math.min(toSeq, row.highest));
      ids.changed(persistenceId);
    });
    this.deleteAll = (persistenceId, toSeq) => {
      try {
        deleteTx.immediate(persistenceId, toSeq);
      } catch (error) {
        ids.forget();
        throw error;
      }
    };
  }

  write(writes: readonly JournalWrite[]): (BactorError | null)[] {
    this.open();
    checkWrites(writes);
    return failing(() => this.writeAll(writes), 'write');
  }

  writePacked(batches: readonly PackedWrites[]): (BactorError | null)[] {
    return this.write(unpackWrites(batches));
  }

  replayEach(
    persistenceId: string,
    onEvent: (seq: number, payload: Uint8Array) => void,
    fromSeq = 1,
    toSeq = Number.MAX_SAFE_INTEGER,
  ): ReplayEnd {
    this.open();
    let failure: { error: unknown } | null = null;
    const end = failing(() => {
      this.syncIds();
      const id = this.ids.get(persistenceId);
      if (id === undefined) return { last: 0, dropped: 0, reason: '' };
      const from = Math.max(fromSeq, id.deleted_to + 1);
      let expected = from;
      let reason = '';
      /** One row, oldest first: false to stop (past toSeq, a bad record, or onEvent threw). */
      const visit = (r: LogRow): boolean => {
        const seq = r[SEQ];
        if (seq < from) return true;
        if (seq > toSeq) return false;
        const b = r[PAYLOAD];
        const payload = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        if (seq !== expected) reason = `seq ${expected} is missing (the next is ${seq})`;
        else if (checksum(seq, r[PREV], payload) !== r[CRC] >>> 0) reason = `the record of seq ${seq} fails its checksum`;
        if (reason !== '') return false;
        try {
          onEvent(seq, payload);
        } catch (error) {
          failure = { error };
          return false;
        }
        expected++;
        return true;
      };
      // Close together in the log (an id that wrote alone, or in large writes): read the range
      // as it streams, each row checked to follow the one before in the id's chain.
      const mark = this.getMark.get(persistenceId, from);
      let done = false;
      if (mark !== undefined && id.last - mark.row + 1 <= 4 * (id.highest - mark.seq + 1)) {
        let previous = -1;
        for (const r of this.scanRange.iterate(mark.row, id.last, persistenceId)) {
          if (previous === -1 && r[SEQ] !== mark.seq) break; // the mark is stale: walk the chain instead
          if (previous !== -1 && r[PREV] !== previous) {
            reason =
              r[SEQ] !== expected ? `seq ${expected} is missing (the next is ${r[SEQ]})` : `the log's chain is broken at seq ${r[SEQ]}`;
            done = true;
            break;
          }
          previous = r[ROWID];
          done = true;
          if (!visit(r)) break;
        }
      }
      if (!done) for (const r of this.chain(persistenceId, id, from).rows) if (!visit(r)) break;
      // What follows the first bad record is not returned: counted up to the id's highest (or toSeq).
      const dropped = reason === '' ? 0 : Math.max(0, Math.min(id.highest, toSeq) - expected + 1);
      return { last: expected - 1, dropped, reason };
    }, 'replay');
    if (failure !== null) throw (failure as { error: unknown }).error;
    return end;
  }

  /**
   * The rows of an id from seq `from` on, oldest first: by its chain from the last row back;
   * if the chain breaks (a row missing or not what it should be), by a scan of the log.
   */
  private chain(persistenceId: string, id: IdRow, from: number): { rows: LogRow[]; broken: string } {
    const rows: LogRow[] = [];
    let rowid = id.last;
    let seq = id.highest;
    while (seq >= from && rowid !== 0) {
      const r = this.getRow.get(rowid);
      if (r === undefined || r[PID] !== persistenceId || r[SEQ] !== seq) {
        // A broken chain: read what there is of the id in log order (slow, and only here).
        const scanned = this.scanId.all(persistenceId).filter((s) => s[SEQ] >= from);
        return { rows: scanned, broken: '' };
      }
      rows.push(r);
      rowid = r[PREV];
      seq--;
    }
    rows.reverse();
    return { rows, broken: '' };
  }

  highestSeq(persistenceId: string): number {
    this.open();
    return failing(() => {
      this.syncIds();
      return this.ids.get(persistenceId)?.highest ?? 0;
    }, 'highestSeq');
  }

  deleteTo(persistenceId: string, toSeq: number): void {
    this.open();
    failing(() => this.deleteAll(persistenceId, toSeq), 'deleteTo');
  }

  saveSnapshot(persistenceId: string, snapshot: Snapshot): void {
    this.open();
    failing(
      () => this.putSnapshot.run(persistenceId, snapshot.seq, snapshot.payload, checksum(snapshot.seq, 0, snapshot.payload)),
      'saveSnapshot',
    );
  }

  loadSnapshot(persistenceId: string): Snapshot | null {
    this.open();
    const row = failing(() => this.getSnapshot.get(persistenceId), 'loadSnapshot');
    if (row === undefined) return null;
    const payload = new Uint8Array(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength);
    // A corrupt snapshot is as good as none: recovery replays the events instead.
    return checksum(row.seq, 0, payload) === row.crc >>> 0 ? { seq: row.seq, payload } : null;
  }

  close(): void {
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
