import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PostgresJournal } from '../../src/persistence/postgres-journal.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js';
import { ErrorCode } from '../../src/errors/error-codes.js';
import { ActorSystem } from '../../src/index.js';
import type { Journal, StoredEvent } from '../../src/persistence/journal.js';
import { MemoryJournal } from '../../src/persistence/memory-journal.js';
import { SqliteJournal } from '../../src/persistence/sqlite-journal.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const events = (from: number, ...names: string[]): StoredEvent[] => names.map((n, i) => ({ seq: from + i, payload: bytes(n) }));

function temp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bactor-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'journal.db');
}

const kinds: [string, (t: { after(fn: () => void): void }) => Journal][] = [
  ['memory', () => new MemoryJournal()],
  ['sqlite', (t) => new SqliteJournal({ path: temp(t) })],
  ['sqlite inline', (t) => new SqliteJournal({ path: temp(t), thread: false })],
  ['postgres', (t) => postgres(t)],
];

// One PostgreSQL server for the file; each journal gets tables of its own (a prefix).
let server: PostgresServer | null = null;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());
let tables = 0;
function postgres(t: { after(fn: () => void): void }, prefix = `contract${tables++}`): PostgresJournal {
  const journal = new PostgresJournal({ connection: server!.url, tablePrefix: prefix });
  t.after(() => void journal.close());
  return journal;
}

for (const [kind, open] of kinds) {
  test(`${kind} journal: the contract — append in order, replay ranges, highest seq, delete, snapshots`, async (t) => {
    const journal = open(t);
    t.after(() => journal.close());
    assert.equal(await journal.highestSeq('a'), 0);
    assert.deepEqual(await journal.write([{ persistenceId: 'a', events: events(1, 'one', 'two') }]), [null]);
    assert.deepEqual(await journal.write([{ persistenceId: 'a', events: events(3, 'three') }]), [null]);
    assert.equal(await journal.highestSeq('a'), 3);
    const all = await journal.replay('a');
    assert.deepEqual(
      all.events.map((e) => [e.seq, text(e.payload)]),
      [
        [1, 'one'],
        [2, 'two'],
        [3, 'three'],
      ],
    );
    assert.deepEqual([all.dropped, all.reason], [0, '']);
    assert.deepEqual(
      (await journal.replay('a', 2, 2)).events.map((e) => e.seq),
      [2],
    );
    assert.deepEqual((await journal.replay('nobody')).events, []);
    // Streaming: the same events, handed out one by one; an error in the callback ends it.
    const seen: string[] = [];
    const end = await journal.replayEach('a', (seq, payload) => void seen.push(`${seq}:${text(payload)}`), 2);
    assert.deepEqual(seen, ['2:two', '3:three']);
    assert.deepEqual(end, { last: 3, dropped: 0, reason: '' });
    const boom = new Error('the handler failed');
    await assert.rejects(
      journal.replayEach('a', () => {
        throw boom;
      }),
      (e) => e === boom,
    );

    await journal.deleteTo('a', 2);
    assert.deepEqual(
      (await journal.replay('a')).events.map((e) => e.seq),
      [3],
    );
    assert.equal(await journal.highestSeq('a'), 3, 'deleting keeps the highest seq: none is reused');
    const [reuse] = await journal.write([{ persistenceId: 'a', events: events(1, 'again') }]);
    assert.equal(reuse?.code, ErrorCode.PERSISTENCE_CONFLICT);

    assert.equal(await journal.loadSnapshot('a'), null);
    await journal.saveSnapshot('a', { seq: 2, payload: bytes('state@2') });
    await journal.saveSnapshot('a', { seq: 3, payload: bytes('state@3') });
    const snapshot = await journal.loadSnapshot('a');
    assert.deepEqual([snapshot?.seq, text(snapshot!.payload)], [3, 'state@3']);
  });

  test(`${kind} journal: one write carries many ids (group commit); a conflicting one is refused alone`, async (t) => {
    const journal = open(t);
    t.after(() => journal.close());
    const ids = Array.from({ length: 1000 }, (_, i) => `actor-${i}`);
    const first = await journal.write(ids.map((persistenceId) => ({ persistenceId, events: events(1, 'e1', 'e2') })));
    assert.ok(first.every((r) => r === null));
    // Two writers of actor-7: the second one's seq 3 is taken by the first.
    const second = await journal.write([
      { persistenceId: 'actor-6', events: events(3, 'x') },
      { persistenceId: 'actor-7', events: events(3, 'from writer 1') },
      { persistenceId: 'actor-7', events: events(3, 'from writer 2') },
      { persistenceId: 'actor-8', events: events(3, 'y') },
    ]);
    assert.deepEqual(
      second.map((r) => r?.code ?? null),
      [null, null, ErrorCode.PERSISTENCE_CONFLICT, null],
    );
    assert.match(second[2]!.message, /actor-7.*another writer/);
    assert.deepEqual(
      (await journal.replay('actor-7')).events.map((e) => text(e.payload)),
      ['e1', 'e2', 'from writer 1'],
      'not interleaved: the refused write left nothing',
    );
    assert.equal(await journal.highestSeq('actor-8'), 3);
  });

  test(`${kind} journal: bad input fails with a code and changes nothing; a closed journal says so`, async (t) => {
    const journal = open(t);
    await assert.rejects(journal.write([{ persistenceId: '', events: events(1, 'x') }]), { code: ErrorCode.INVALID_ARGUMENT });
    await assert.rejects(journal.write({ persistenceId: 'a', events: events(1, 'x') } as never), { code: ErrorCode.INVALID_ARGUMENT });
    await assert.rejects(
      journal.write([
        {
          persistenceId: 'a',
          events: [
            { seq: 1, payload: bytes('x') },
            { seq: 3, payload: bytes('y') },
          ],
        },
      ]),
      {
        code: ErrorCode.INVALID_ARGUMENT,
        message: /seqs must run/,
      },
    );
    await assert.rejects(journal.write([{ persistenceId: 'a', events: [{ seq: 1, payload: 'text' as never }] }]), {
      code: ErrorCode.INVALID_ARGUMENT,
    });
    assert.equal(await journal.highestSeq('a'), 0);
    await journal.close();
    await assert.rejects(journal.replay('a'), { code: ErrorCode.JOURNAL_CLOSED });
  });
}

test('sqlite journal: what was written is there after a reopen; a corrupt record ends the replay there and is reported', async (t) => {
  const path = temp(t);
  const first = new SqliteJournal({ path });
  await first.write([{ persistenceId: 'p', events: events(1, 'a', 'b', 'c', 'd', 'e') }]);
  await first.saveSnapshot('p', { seq: 2, payload: bytes('snap') });
  await first.close();

  const again = new SqliteJournal({ path });
  t.after(() => again.close());
  assert.deepEqual(
    (await again.replay('p')).events.map((e) => text(e.payload)),
    ['a', 'b', 'c', 'd', 'e'],
  );
  // Damage record 4 behind the journal's back (a torn write, a bad sector): replay stops at 3.
  const { default: Database } = await import('better-sqlite3');
  const raw = new Database(path);
  raw.prepare("UPDATE bactor_log SET payload = x'00' WHERE persistence_id = 'p' AND seq = 4").run();
  raw.prepare("UPDATE bactor_snapshots SET payload = x'00' WHERE persistence_id = 'p'").run();
  raw.close();
  const replay = await again.replay('p');
  assert.deepEqual(
    replay.events.map((e) => e.seq),
    [1, 2, 3],
  );
  assert.equal(replay.dropped, 2, 'record 4 and what follows it are dropped, never returned');
  assert.match(replay.reason, /seq 4 fails its checksum/);
  const streamed: number[] = [];
  assert.deepEqual(await again.replayEach('p', (seq) => void streamed.push(seq)), { last: 3, dropped: 2, reason: replay.reason });
  assert.deepEqual(streamed, [1, 2, 3]);
  assert.equal(await again.loadSnapshot('p'), null, 'a corrupt snapshot is as good as none');
  // A record gone from the middle (its chain broken): the log is scanned, the replay ends before the gap.
  const raw2 = new Database(path);
  raw2.prepare("DELETE FROM bactor_log WHERE persistence_id = 'p' AND seq = 2").run();
  raw2.close();
  const gap = await again.replay('p');
  assert.deepEqual(
    gap.events.map((e) => e.seq),
    [1],
  );
  assert.equal(gap.dropped, 4);
  assert.match(gap.reason, /seq 2 is missing/);
});

test('sqlite journal: two journals on one file (two writers of one id) — the second is refused, nothing interleaves', async (t) => {
  const path = temp(t);
  const a = new SqliteJournal({ path });
  const b = new SqliteJournal({ path });
  t.after(() => (a.close(), b.close()));
  assert.deepEqual(await a.write([{ persistenceId: 'x', events: events(1, 'a1') }]), [null]);
  const [refused] = await b.write([{ persistenceId: 'x', events: events(1, 'b1') }]);
  assert.equal(refused?.code, ErrorCode.PERSISTENCE_CONFLICT);
  assert.deepEqual(
    (await b.replay('x')).events.map((e) => text(e.payload)),
    ['a1'],
  );
  // And the first again, now behind: refused too, whatever order the two write in.
  assert.deepEqual(await b.write([{ persistenceId: 'x', events: events(2, 'b2') }]), [null]);
  const [late] = await a.write([{ persistenceId: 'x', events: events(2, 'a2') }]);
  assert.equal(late?.code, ErrorCode.PERSISTENCE_CONFLICT);
  assert.deepEqual(
    (await a.replay('x')).events.map((e) => text(e.payload)),
    ['a1', 'b2'],
  );
});

test('sqlite journal: ids past a checkpoint (kept in the log, not yet in the ids table) are read back by a reopen, a second writer and a delete', async (t) => {
  // 30 ids × 1,200 events = 36,000 rows: one checkpoint (at 32,768 rows) is passed, the last rows lie after it.
  const path = temp(t);
  const a = new SqliteJournal({ path, thread: false });
  const ids = Array.from({ length: 30 }, (_, i) => `id${i}`);
  const payload = bytes('e');
  for (let from = 1; from <= 1200; from += 100) {
    const results = await a.write(
      ids.map((persistenceId) => ({ persistenceId, events: Array.from({ length: 100 }, (_, i) => ({ seq: from + i, payload })) })),
    );
    assert.ok(results.every((r) => r === null));
  }
  // 100 rows more for id0 only, after the checkpoint: the ids table is behind for id0 alone.
  await a.write([{ persistenceId: 'id0', events: Array.from({ length: 100 }, (_, i) => ({ seq: 1201 + i, payload })) }]);
  const { default: Database } = await import('better-sqlite3');
  const raw = new Database(path, { readonly: true });
  const tableHighest = raw.prepare<[], number>("SELECT highest FROM bactor_ids WHERE persistence_id = 'id0'").pluck().get();
  raw.close();
  assert.ok(tableHighest !== undefined && tableHighest < 1300, `the table is at a checkpoint (${tableHighest}), the rest is in the log`);

  // A second connection (another process would be the same) reads the tail: it sees every id's highest and is refused a taken seq.
  const b = new SqliteJournal({ path });
  t.after(() => b.close());
  assert.equal(await b.highestSeq('id0'), 1300);
  assert.equal(await b.highestSeq('id29'), 1200);
  const [taken] = await b.write([{ persistenceId: 'id0', events: events(1300, 'x') }]);
  assert.equal(taken?.code, ErrorCode.PERSISTENCE_CONFLICT);
  assert.deepEqual(await b.write([{ persistenceId: 'id0', events: events(1301, 'b') }]), [null]);
  // The first connection learns of the second's commit before its next write.
  const [late] = await a.write([{ persistenceId: 'id0', events: events(1301, 'a') }]);
  assert.equal(late?.code, ErrorCode.PERSISTENCE_CONFLICT);
  assert.deepEqual(await a.write([{ persistenceId: 'id0', events: events(1302, 'a') }]), [null]);
  const replay = await b.replay('id0', 1299);
  assert.deepEqual(
    replay.events.map((e) => [e.seq, text(e.payload)]),
    [
      [1299, 'e'],
      [1300, 'e'],
      [1301, 'b'],
      [1302, 'a'],
    ],
  );
  // A delete brings the table up to date first; what was deleted stays deleted after a reopen (not closed: as after a crash).
  await a.deleteTo('id1', 1150);
  const c = new SqliteJournal({ path, thread: false });
  t.after(() => (a.close(), c.close()));
  assert.deepEqual(
    (await c.replay('id1')).events.map((e) => e.seq),
    Array.from({ length: 50 }, (_, i) => 1151 + i),
  );
  assert.equal(await c.highestSeq('id1'), 1200);
  assert.equal(await c.highestSeq('id0'), 1302);
  assert.equal((await c.replay('id29')).events.length, 1200);
  assert.deepEqual(await c.write([{ persistenceId: 'id29', events: events(1201, 'c') }]), [null]);
});

test('postgres journal: two journals on one database (two nodes writing one id) — (id, seq) is unique, the later writer is refused, nothing interleaves', async (t) => {
  const a = postgres(t, 'twonodes');
  const b = postgres(t, 'twonodes');
  await a.ready();
  await b.ready();
  assert.deepEqual(await a.write([{ persistenceId: 'shared', events: events(1, 'a1', 'a2') }]), [null]);
  // b believes it is at seq 0, as a second live actor would after recovering before a wrote.
  const [refused] = await b.write([{ persistenceId: 'shared', events: events(1, 'b1') }]);
  assert.equal(refused?.code, ErrorCode.PERSISTENCE_CONFLICT);
  // Both at once from seq 3: exactly one wins, whole.
  const [ra, rb] = await Promise.all([
    a.write([{ persistenceId: 'shared', events: events(3, 'a3', 'a4') }]),
    b.write([{ persistenceId: 'shared', events: events(3, 'b3', 'b4', 'b5') }]),
  ]);
  assert.equal([ra![0], rb![0]].filter((r) => r === null).length, 1, `${ra![0]?.code} ${rb![0]?.code}`);
  const stored = (await a.replay('shared')).events.map((e) => text(e.payload));
  assert.ok(
    JSON.stringify(stored) === JSON.stringify(['a1', 'a2', 'a3', 'a4']) ||
      JSON.stringify(stored) === JSON.stringify(['a1', 'a2', 'b3', 'b4', 'b5']),
    JSON.stringify(stored),
  );
});

test('postgres journal: a corrupt record ends the replay there and is reported; a server that is gone fails calls with ERR_JOURNAL_FAILED', async (t) => {
  const journal = postgres(t, 'corrupt');
  await journal.write([{ persistenceId: 'p', events: events(1, 'a', 'b', 'c') }]);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server!.url });
  await client.connect();
  await client.query(`UPDATE corrupt_events SET payload = '\\x0000' WHERE persistence_id = 'p' AND seq = 2`);
  await client.end();
  const replay = await journal.replay('p');
  assert.deepEqual(
    replay.events.map((e) => text(e.payload)),
    ['a'],
  );
  assert.equal(replay.dropped, 2);
  assert.match(replay.reason, /seq 2 fails its checksum/);
  const nowhere = new PostgresJournal({ connection: 'postgres://postgres@127.0.0.1:1/postgres', tablePrefix: 'x' });
  await assert.rejects(
    nowhere.ready(),
    (e: Error & { code?: string; cause?: unknown }) => e.code === ErrorCode.JOURNAL_FAILED && e.cause instanceof Error,
  );
  await assert.rejects(nowhere.highestSeq('a'), { code: ErrorCode.JOURNAL_FAILED });
  await nowhere.close();
  assert.throws(() => new PostgresJournal({ connection: 42 as never }), { code: ErrorCode.INVALID_OPTION });
  assert.throws(() => new PostgresJournal({ connection: server!.url, tabel: 'x' } as never), {
    code: ErrorCode.INVALID_OPTION,
    message: /unknown option 'tabel'/,
  });
  assert.throws(() => new PostgresJournal(server!.url as never), { code: ErrorCode.INVALID_OPTION, message: /takes options/ });
  assert.throws(() => new PostgresJournal({ connection: server!.url, tablePrefix: 'Drop Table' }), { code: ErrorCode.INVALID_OPTION });
});

test('sqlite journal: wrong options fail with ERR_INVALID_OPTION; a store that cannot open fails with ERR_JOURNAL_FAILED and its cause', async (t) => {
  assert.throws(() => new SqliteJournal({ path: '' }), { code: ErrorCode.INVALID_OPTION });
  assert.throws(() => new SqliteJournal(undefined as never), { code: ErrorCode.INVALID_OPTION });
  assert.throws(() => new SqliteJournal({ path: ':memory:', synchronous: 'sometimes' as never }), { code: ErrorCode.INVALID_OPTION });
  assert.throws(
    () => new SqliteJournal({ path: join(tmpdir(), 'no-such-dir-bactor', 'deeper', 'j.db') }),
    (e: Error & { code?: string; cause?: unknown }) => e.code === ErrorCode.JOURNAL_FAILED && e.cause instanceof Error,
  );
  assert.throws(() => new SqliteJournal({ path: ':memory:', thread: 'yes' as never }), { code: ErrorCode.INVALID_OPTION });
  assert.throws(() => new SqliteJournal({ path: ':memory:', synchronus: 'full' } as never), {
    code: ErrorCode.INVALID_OPTION,
    message: /unknown option 'synchronus' \(did you mean 'synchronous'\?\)/,
  });
  assert.throws(() => new SqliteJournal('x.db' as never), {
    code: ErrorCode.INVALID_OPTION,
    message: /new SqliteJournal\(\{ path: "x\.db" \}\)/,
  });
  const closed = new SqliteJournal({ path: ':memory:' });
  await closed.close();
  await assert.rejects(closed.ready(), { code: ErrorCode.JOURNAL_CLOSED });
  // A path SQLite cannot open (a directory): said by ready() on its thread, by the constructor inline; and by every call.
  const dir = mkdtempSync(join(tmpdir(), 'bactor-journal-dir-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const journal = new SqliteJournal({ path: dir });
  const failed = (e: Error & { code?: string; cause?: unknown }): boolean =>
    e.code === ErrorCode.JOURNAL_FAILED && e.cause instanceof Error;
  await assert.rejects(journal.ready(), failed);
  await assert.rejects(journal.highestSeq('a'), failed);
  await journal.close();
  assert.throws(() => new SqliteJournal({ path: dir, thread: false }), failed);
  await assert.rejects(ActorSystem.start({ workers: 1, journal: new SqliteJournal({ path: dir }) }), failed);
});
