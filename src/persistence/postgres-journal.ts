import { createRequire } from 'node:module';
import type * as Pg from 'pg';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { collectReplay } from './collect-replay.js';
import { crc32 } from './crc32.js';
import type { Journal, JournalWrite, Replay, ReplayEnd, Snapshot } from './journal.js';
import { checkBag } from '../util/option-bag.js';
import { checkWrites, conflict, journalClosed } from './write-checks.js';

export interface PostgresJournalOptions {
  /** A connection string (postgres://user:password@host:port/database), or the options of a pg.Pool. */
  connection: string | Pg.PoolConfig;
  /** Prefix of the journal's tables (default 'bactor'): several journals can share a database. */
  tablePrefix?: string;
}

/** Events per query of a replay (keyset pages: a recovery of millions of events never holds them all). */
const PAGE = 10_000;

const require = createRequire(import.meta.url);

function loadDriver(): typeof Pg {
  try {
    return require('pg') as typeof Pg;
  } catch (error) {
    throw new BactorError(ErrorCode.MISSING_PEER_DEPENDENCY, "the PostgreSQL journal needs the package 'pg': npm install pg", {
      cause: error,
    });
  }
}

/** A record's checksum: CRC-32 of its seq, then its payload. */
const scratch = new DataView(new ArrayBuffer(8));
function checksum(seq: number, payload: Uint8Array): number {
  scratch.setFloat64(0, seq);
  return crc32(payload, crc32(new Uint8Array(scratch.buffer))) | 0;
}

/**
 * The journal for several nodes: PostgreSQL through `pg` (an optional peer dependency: without it
 * the constructor throws ERR_MISSING_PEER_DEPENDENCY). Events are rows keyed by (persistence id,
 * seq) — a primary key, so two writers of one id can never interleave: each write locks its id's
 * row in the ids table (SELECT … FOR UPDATE) and is refused with ERR_PERSISTENCE_CONFLICT unless it
 * starts right after the id's highest seq, whichever node wrote last. A `write` of many actors'
 * events is one transaction (one INSERT of all of them, through unnest). Each record carries a
 * CRC-32, checked at replay. Calls go out on a pool of connections; `ready()` connects and
 * creates the tables (ActorSystem.start waits for it).
 */
export class PostgresJournal implements Journal {
  private readonly pool: Pg.Pool;
  private readonly t: { events: string; ids: string; snapshots: string };
  private readonly opened: Promise<void>;
  private closed = false;

  constructor(options: PostgresJournalOptions) {
    if (typeof options === 'string')
      throw new BactorError(ErrorCode.INVALID_OPTION, 'PostgresJournal takes options: new PostgresJournal({ connection: "postgres://…" })');
    checkBag(options, ['connection', 'tablePrefix'], 'PostgresJournal');
    const connection = (options as { connection?: unknown } | null)?.connection;
    if (typeof connection !== 'string' && (connection === null || typeof connection !== 'object'))
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `PostgresJournal: connection must be a connection string or pg.Pool options, got ${JSON.stringify(connection)}`,
      );
    const prefix = options.tablePrefix ?? 'bactor';
    if (typeof prefix !== 'string' || !/^[a-z_][a-z0-9_]{0,40}$/.test(prefix))
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `PostgresJournal: tablePrefix must be a lower-case SQL name, got ${JSON.stringify(prefix)}`,
      );
    const pg = loadDriver();
    this.pool = new pg.Pool(typeof connection === 'string' ? { connectionString: connection } : connection);
    // An idle connection that fails (the server restarts) must not end the process: the next call reports it.
    this.pool.on('error', () => undefined);
    this.t = { events: `${prefix}_events`, ids: `${prefix}_ids`, snapshots: `${prefix}_snapshots` };
    // Two nodes starting at once would race in CREATE TABLE IF NOT EXISTS: the set-up holds an advisory lock.
    this.opened = this.failing('set-up', () =>
      this.pool.query(`
        BEGIN;
        SELECT pg_advisory_xact_lock(hashtext('bactor-journal-setup'));
        CREATE TABLE IF NOT EXISTS ${this.t.events} (
          persistence_id TEXT NOT NULL, seq BIGINT NOT NULL, payload BYTEA NOT NULL, crc INTEGER NOT NULL,
          PRIMARY KEY (persistence_id, seq));
        CREATE TABLE IF NOT EXISTS ${this.t.ids} (
          persistence_id TEXT PRIMARY KEY, highest BIGINT NOT NULL, deleted_to BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS ${this.t.snapshots} (
          persistence_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, payload BYTEA NOT NULL, crc INTEGER NOT NULL);
        COMMIT;`),
    ).then(() => undefined);
    this.opened.catch(() => undefined);
  }

  /** Resolves once connected with the tables in place; rejects with ERR_JOURNAL_FAILED and the cause. */
  async ready(): Promise<void> {
    if (this.closed) throw journalClosed();
    await this.opened;
  }

  /** Runs `call`; a failure of the database becomes ERR_JOURNAL_FAILED with its cause. */
  private async failing<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof BactorError) throw error;
      throw new BactorError(ErrorCode.JOURNAL_FAILED, `the PostgreSQL journal's ${what} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async usable(): Promise<void> {
    if (this.closed) throw journalClosed();
    await this.opened;
  }

  async write(writes: readonly JournalWrite[]): Promise<(BactorError | null)[]> {
    await this.usable();
    checkWrites(writes);
    const ids = [...new Set(writes.filter((w) => w.events.length > 0).map((w) => w.persistenceId))];
    if (ids.length === 0) return writes.map(() => null);
    return this.failing('write', async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        // Every id has a row to lock; then the rows are locked in one order (no deadlock between two nodes' batches).
        await client.query(
          `INSERT INTO ${this.t.ids} (persistence_id, highest, deleted_to) SELECT unnest($1::text[]), 0, 0 ON CONFLICT DO NOTHING`,
          [ids],
        );
        const locked = await client.query<{ persistence_id: string; highest: string }>(
          `SELECT persistence_id, highest FROM ${this.t.ids} WHERE persistence_id = ANY($1::text[]) ORDER BY persistence_id FOR UPDATE`,
          [ids],
        );
        const highest = new Map(locked.rows.map((r) => [r.persistence_id, Number(r.highest)]));
        const results: (BactorError | null)[] = [];
        const eventIds: string[] = [];
        const seqs: number[] = [];
        const payloads: Buffer[] = [];
        const crcs: number[] = [];
        for (const w of writes) {
          if (w.events.length === 0) {
            results.push(null);
            continue;
          }
          const h = highest.get(w.persistenceId) ?? 0;
          if (w.events[0]!.seq !== h + 1) {
            results.push(conflict(w, h));
            continue;
          }
          for (const e of w.events) {
            eventIds.push(w.persistenceId);
            seqs.push(e.seq);
            payloads.push(Buffer.from(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength));
            crcs.push(checksum(e.seq, e.payload));
          }
          highest.set(w.persistenceId, w.events[w.events.length - 1]!.seq);
          results.push(null);
        }
        if (eventIds.length > 0) {
          await client.query(
            `INSERT INTO ${this.t.events} (persistence_id, seq, payload, crc) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::int[])`,
            [eventIds, seqs, payloads, crcs],
          );
          await client.query(
            `UPDATE ${this.t.ids} AS i SET highest = v.highest FROM unnest($1::text[], $2::bigint[]) AS v(id, highest) WHERE i.persistence_id = v.id`,
            [[...highest.keys()], [...highest.values()]],
          );
        }
        await client.query('COMMIT');
        return results;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }

  replay(persistenceId: string, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): Promise<Replay> {
    return collectReplay(this, persistenceId, fromSeq, toSeq);
  }

  async replayEach(
    persistenceId: string,
    onEvent: (seq: number, payload: Uint8Array) => void,
    fromSeq = 1,
    toSeq = Number.MAX_SAFE_INTEGER,
  ): Promise<ReplayEnd> {
    await this.usable();
    const id = await this.failing('replay', () =>
      this.pool.query<{ highest: string; deleted_to: string }>(`SELECT highest, deleted_to FROM ${this.t.ids} WHERE persistence_id = $1`, [
        persistenceId,
      ]),
    );
    if (id.rows.length === 0) return { last: 0, dropped: 0, reason: '' };
    const highest = Number(id.rows[0]!.highest);
    let expected = Math.max(fromSeq, Number(id.rows[0]!.deleted_to) + 1);
    const end = Math.min(toSeq, highest);
    let reason = '';
    while (expected <= end && reason === '') {
      const page = await this.failing('replay', () =>
        this.pool.query<{ seq: string; payload: Buffer; crc: number }>(
          `SELECT seq, payload, crc FROM ${this.t.events} WHERE persistence_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq LIMIT ${PAGE}`,
          [persistenceId, expected, end],
        ),
      );
      if (page.rows.length === 0) {
        reason = `seq ${expected} is missing (the highest is ${highest})`;
        break;
      }
      for (const row of page.rows) {
        const seq = Number(row.seq);
        const payload = new Uint8Array(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength);
        if (seq !== expected) reason = `seq ${expected} is missing (the next is ${seq})`;
        else if (checksum(seq, payload) !== row.crc) reason = `the record of seq ${seq} fails its checksum`;
        if (reason !== '') break;
        onEvent(seq, payload);
        expected++;
      }
    }
    const dropped = reason === '' ? 0 : Math.max(0, end - expected + 1);
    return { last: expected - 1, dropped, reason };
  }

  async highestSeq(persistenceId: string): Promise<number> {
    await this.usable();
    const r = await this.failing('highestSeq', () =>
      this.pool.query<{ highest: string }>(`SELECT highest FROM ${this.t.ids} WHERE persistence_id = $1`, [persistenceId]),
    );
    return r.rows.length === 0 ? 0 : Number(r.rows[0]!.highest);
  }

  async deleteTo(persistenceId: string, toSeq: number): Promise<void> {
    await this.usable();
    await this.failing('deleteTo', async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`DELETE FROM ${this.t.events} WHERE persistence_id = $1 AND seq <= $2`, [persistenceId, toSeq]);
        await client.query(`UPDATE ${this.t.ids} SET deleted_to = LEAST(highest, GREATEST(deleted_to, $2)) WHERE persistence_id = $1`, [
          persistenceId,
          toSeq,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }

  async saveSnapshot(persistenceId: string, snapshot: Snapshot): Promise<void> {
    await this.usable();
    const payload = Buffer.from(snapshot.payload.buffer, snapshot.payload.byteOffset, snapshot.payload.byteLength);
    await this.failing('saveSnapshot', () =>
      this.pool.query(
        `INSERT INTO ${this.t.snapshots} (persistence_id, seq, payload, crc) VALUES ($1, $2, $3, $4)
         ON CONFLICT (persistence_id) DO UPDATE SET seq = excluded.seq, payload = excluded.payload, crc = excluded.crc
         WHERE excluded.seq >= ${this.t.snapshots}.seq`,
        [persistenceId, snapshot.seq, payload, checksum(snapshot.seq, snapshot.payload)],
      ),
    );
  }

  async loadSnapshot(persistenceId: string): Promise<Snapshot | null> {
    await this.usable();
    const r = await this.failing('loadSnapshot', () =>
      this.pool.query<{ seq: string; payload: Buffer; crc: number }>(
        `SELECT seq, payload, crc FROM ${this.t.snapshots} WHERE persistence_id = $1`,
        [persistenceId],
      ),
    );
    if (r.rows.length === 0) return null;
    const row = r.rows[0]!;
    const seq = Number(row.seq);
    const payload = new Uint8Array(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength);
    // A corrupt snapshot is as good as none: recovery replays the events instead.
    return checksum(seq, payload) === row.crc ? { seq, payload } : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
