import type BetterSqlite3 from 'better-sqlite3';
import { MultiRowInsert } from './multi-row.js';

/** An id's highest seq, the rowid of its last event in the log, and the seq up to which its events were deleted. */
export interface IdRow {
  highest: number;
  last: number;
  deleted_to: number;
}

/** Log rows between two checkpoints: the ids' table is brought up to date once this many rows were appended since the last. */
const CHECKPOINT_ROWS = 32_768;
/** Ids whose rows are kept in memory at most, past the ones changed since the checkpoint (then they are forgotten and read again). */
const MAX_KNOWN = 1 << 17;

/**
 * The ids' rows of the SQLite journal (sqlite-store.ts): for each persistence id its highest
 * seq and last row. `bactor_ids` holds them as they were at a checkpoint, a log rowid kept in
 * `bactor_meta`; what was appended after it is in the log itself, and in memory here. A commit
 * therefore appends only to the log (rewriting 1,000 ids' rows per commit cost as much as
 * appending their events); every CHECKPOINT_ROWS rows the changed ids are written in the same
 * transaction as the commit that passes the mark. A connection that was not there (another
 * process, or this one reopened after a crash) reads the table and then the log's tail after
 * the checkpoint: at most CHECKPOINT_ROWS rows. What this connection holds is trusted while
 * PRAGMA data_version says no other connection committed; otherwise it reads again.
 */
export class SqliteIds {
  /** Rows read from the table (or written to it at a checkpoint). */
  private readonly known = new Map<string, IdRow>();
  /** Rows changed since the checkpoint: newer than the table's. */
  private readonly tail = new Map<string, IdRow>();
  private checkpointRow = 0;
  /** The data_version the view matches; -1: read everything again. */
  private version = -1;
  private readonly getId: BetterSqlite3.Statement<[string], IdRow>;
  private readonly dataVersion: BetterSqlite3.Statement<[], number>;
  private readonly getCheckpoint: BetterSqlite3.Statement<[], number>;
  private readonly putCheckpoint: BetterSqlite3.Statement<[number]>;
  private readonly scanTail: BetterSqlite3.Statement<[number], [rowid: number, persistenceId: string, seq: number]>;
  private readonly idRows: MultiRowInsert;

  constructor(db: BetterSqlite3.Database) {
    // A database written before checkpoints existed has every id's row up to date: its checkpoint is the log's end.
    db.exec(`
CREATE TABLE IF NOT EXISTS bactor_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO bactor_meta (key, value) SELECT 'checkpoint', coalesce(max(rowid), 0) FROM bactor_log;
`);
    this.getId = db.prepare('SELECT highest, last, deleted_to FROM bactor_ids WHERE persistence_id = ?');
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.getCheckpoint = db.prepare<[], number>("SELECT value FROM bactor_meta WHERE key = 'checkpoint'").pluck();
    this.putCheckpoint = db.prepare("UPDATE bactor_meta SET value = ? WHERE key = 'checkpoint'");
    this.scanTail = db
      .prepare<[number], [number, string, number]>('SELECT rowid, persistence_id, seq FROM bactor_log WHERE rowid > ? ORDER BY rowid')
      .raw();
    this.idRows = new MultiRowInsert(
      db,
      'INSERT INTO bactor_ids (persistence_id, highest, last, deleted_to)',
      4,
      'ON CONFLICT (persistence_id) DO UPDATE SET highest = excluded.highest, last = excluded.last, deleted_to = excluded.deleted_to',
    );
  }

  /** Inside a transaction: if another connection committed since the last look (or a transaction of ours failed), reads the view again. */
  sync(): void {
    const version = this.dataVersion.get()!;
    if (version === this.version) return;
    this.known.clear();
    this.tail.clear();
    this.checkpointRow = this.getCheckpoint.get() ?? 0;
    for (const [rowid, id, seq] of this.scanTail.iterate(this.checkpointRow)) {
      const row = this.tail.get(id) ?? this.tableRow(id);
      this.tail.set(id, { highest: seq, last: rowid, deleted_to: row?.deleted_to ?? 0 });
    }
    this.version = version;
  }

  get(id: string): IdRow | undefined {
    return this.tail.get(id) ?? this.known.get(id) ?? this.tableRow(id);
  }

  /** `id` appended up to `row` in the running transaction. */
  set(id: string, row: IdRow): void {
    this.tail.set(id, row);
  }

  /**
   * At the end of a commit that appended up to log row `rowid`: writes the ids changed since the
   * checkpoint and moves it to `rowid`, once it is CHECKPOINT_ROWS behind (or now, with `force`).
   */
  checkpoint(rowid: number, force = false): void {
    if (this.tail.size === 0 || (!force && rowid - this.checkpointRow < CHECKPOINT_ROWS)) return;
    if (this.known.size + this.tail.size > MAX_KNOWN) this.known.clear();
    for (const [id, row] of this.tail) {
      this.idRows.add(id, row.highest, row.last, row.deleted_to);
      this.known.set(id, row);
    }
    this.idRows.flush();
    this.putCheckpoint.run(rowid);
    this.checkpointRow = rowid;
    this.tail.clear();
  }

  /** `id`'s row was rewritten in the table (after a checkpoint): read it again when asked. */
  changed(id: string): void {
    this.known.delete(id);
  }

  /** A transaction failed and was rolled back: what the view learned in it is not in the database. */
  forget(): void {
    this.idRows.discard();
    this.version = -1;
  }

  private tableRow(id: string): IdRow | undefined {
    const row = this.getId.get(id);
    if (row !== undefined && this.known.size < MAX_KNOWN) this.known.set(id, row);
    return row;
  }
}
