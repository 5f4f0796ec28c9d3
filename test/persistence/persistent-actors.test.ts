import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ActorSystem,
  BactorError,
  ErrorCode,
  MemoryJournal,
  SqliteJournal,
  defineActor,
  type Journal,
  type SystemEvent,
} from '../../src/index.js';
import { Account, type AccountView, Plain, ProfileActor, SnapshotAccount, Tally, Unsnappable } from '../fixtures/persistent.actor.js';
import { until } from '../fixtures/probe.actor.js';

function tempDb(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bactor-persist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'journal.db');
}

/** A system with `journal` whose events the test sees; shut down after the test. */
async function start(
  t: { after(fn: () => Promise<void> | void): void },
  journal: Journal,
  workers = 2,
): Promise<{ system: ActorSystem; events: SystemEvent[] }> {
  const system = await ActorSystem.start({ workers, journal });
  t.after(() => system.shutdown());
  const events: SystemEvent[] = [];
  system.events.subscribe((e) => events.push(e));
  return { system, events };
}

/** The journal's own view of an id: the payloads as the actor stored them. */
async function stored(journal: Journal, id: string): Promise<number[]> {
  const { unpackPortable } = await import('../../src/codec/portable.js');
  return (await journal.replay(id)).events.map((e) => (unpackPortable(e.payload) as { tag: number }).tag);
}

test('an event-sourced actor stores its events; stopped and spawned again with its id, it replays them', { timeout: 30_000 }, async (t) => {
  const journal = new MemoryJournal();
  const { system } = await start(t, journal);
  const a = await system.spawn(Account, { id: 'a' });
  for (let tag = 1; tag <= 5; tag++) {
    const v = (await a.ask({ type: 'deposit', amount: 10, tag })) as AccountView;
    assert.equal(v.balance, 10 * tag, 'the event is applied before persist resolves');
    assert.equal(v.seq, tag);
  }
  const many = (await a.ask({ type: 'deposit-many', amounts: [1, 2, 3] })) as AccountView;
  assert.equal(many.balance, 56);
  assert.equal(many.seq, 8);
  await system.stop(a);
  assert.deepEqual(await stored(journal, 'account-a'), [1, 2, 3, 4, 5, -1, -2, -3]);
  // Again, on whichever worker: the state comes back from the events, and the started hook sees it.
  const again = await system.spawn(Account, { id: 'a' });
  const v = (await again.ask({ type: 'get' })) as AccountView;
  assert.deepEqual([v.balance, v.tags, v.seq, v.recoveredAt, v.startedHooks], [56, [1, 2, 3, 4, 5, -1, -2, -3], 8, 8, 1]);
  // Another id starts empty.
  const b = (await (await system.spawn(Account, { id: 'b' })).ask({ type: 'get' })) as AccountView;
  assert.deepEqual([b.balance, b.seq], [0, 0]);
});

test(
  'a restart after a failure recovers the state; messages sent meanwhile wait for the recovery, in order',
  { timeout: 30_000 },
  async (t) => {
    const journal = new MemoryJournal();
    const { system, events } = await start(t, journal);
    const a = await system.spawn(Account, { id: 'r' });
    for (let tag = 1; tag <= 3; tag++) await a.ask({ type: 'deposit', amount: 1, tag });
    a.tell({ type: 'boom' });
    // Sent right behind the failure: they reach the restarted actor after its replay.
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => a.ask({ type: 'deposit', amount: 1, tag: 4 + i }) as Promise<AccountView>),
    );
    assert.deepEqual(
      replies.map((r) => r.balance),
      Array.from({ length: 20 }, (_, i) => 4 + i),
    );
    const v = (await a.ask({ type: 'get' })) as AccountView;
    assert.equal(v.recoveredAt, 3, 'the restarted hook ran after the replay of the 3 events stored before the failure');
    assert.deepEqual(
      v.tags,
      Array.from({ length: 23 }, (_, i) => i + 1),
    );
    assert.ok(events.some((e) => e.type === 'actor-failed' && e.directive === 'restart'));
    assert.deepEqual(await stored(journal, 'account-r'), v.tags);
  },
);

test(
  'persist without await: the next message sees the event applied; many actors on two workers lose and reorder nothing',
  { timeout: 60_000 },
  async (t) => {
    const journal = new MemoryJournal();
    const { system } = await start(t, journal);
    const actors = 200;
    const each = 250;
    const refs = await system.spawnMany(
      Tally,
      Array.from({ length: actors }, (_, i) => `t${i}`),
    );
    for (let n = 0; n < each; n++) for (const ref of refs) ref.tell({ type: 'add', n });
    for (const [i, ref] of refs.entries()) {
      const r = await ref.ask({ type: 'get' });
      assert.deepEqual(r, { count: each, last: each - 1, errors: 0, seq: each }, `actor ${i}`);
    }
    for (let i = 0; i < actors; i += 37) {
      const seqs = (await journal.replay(`tally-t${i}`)).events.map((e) => e.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: each }, (_, k) => k + 1),
      );
    }
  },
);

test(
  'a worker that dies: its persistent actor is re-created on the replacement and recovers what it stored',
  { timeout: 60_000 },
  async (t) => {
    const journal = new MemoryJournal();
    const { system } = await start(t, journal);
    const a = await system.spawn(Account, { id: 'crash' }, { worker: 1 });
    for (let tag = 1; tag <= 10; tag++) await a.ask({ type: 'deposit', amount: 5, tag });
    a.tell({ type: 'exit' });
    await until(() => system.replacements === 1, 10_000, 'the replacement of worker 1');
    const v = (await a.ask({ type: 'get' }, { timeout: 10_000 })) as AccountView;
    assert.deepEqual([v.balance, v.seq, v.recoveredAt], [50, 10, 10]);
    const next = (await a.ask({ type: 'deposit', amount: 5, tag: 11 })) as AccountView;
    assert.equal(next.seq, 11);
  },
);

test(
  'SQLite: snapshots every N events, the events they cover deleted; state and sequence numbers survive a restart of the system',
  { timeout: 60_000 },
  async (t) => {
    const path = tempDb(t);
    {
      const system = await ActorSystem.start({ workers: 2, journal: new SqliteJournal({ path }) });
      const a = await system.spawn(SnapshotAccount, 'x');
      for (let tag = 1; tag <= 25; tag++) a.tell({ type: 'deposit', amount: tag, tag });
      const v = (await a.ask({ type: 'get' })) as AccountView;
      assert.deepEqual([v.balance, v.seq], [325, 25]);
      const p = await system.spawn(ProfileActor, 'p');
      p.tell({ type: 'visit' });
      p.tell({ type: 'rename', name: 'Ada' });
      p.tell({ type: 'visit' });
      assert.deepEqual(await p.ask({ type: 'get' }), { name: 'Ada', visits: 2, revision: 3 });
      await system.shutdown(); // closes the journal
    }
    const journal = new SqliteJournal({ path });
    const { system } = await start(t, journal);
    const snapshot = await journal.loadSnapshot('snap-x');
    assert.equal(snapshot?.seq, 20, 'the latest snapshot, after event 20');
    const left = (await journal.replay('snap-x')).events.map((e) => e.seq);
    assert.deepEqual(left, [21, 22, 23, 24, 25], 'the events the snapshot covers are deleted');
    const a = await system.spawn(SnapshotAccount, 'x');
    const v = (await a.ask({ type: 'get' })) as AccountView;
    assert.deepEqual([v.balance, v.seq, v.tags.length], [325, 25, 25]);
    a.tell({ type: 'deposit', amount: 1, tag: 26 });
    assert.equal(((await a.ask({ type: 'get' })) as AccountView).seq, 26);
    const p = await system.spawn(ProfileActor, 'p');
    assert.deepEqual(await p.ask({ type: 'get' }), { name: 'Ada', visits: 2, revision: 3 });
  },
);

test('durable state: each persist is a revision; a restart starts from the last one', { timeout: 30_000 }, async (t) => {
  const journal = new MemoryJournal();
  const { system } = await start(t, journal);
  const p = await system.spawn(ProfileActor, 'd');
  for (let i = 0; i < 150; i++) p.tell({ type: 'visit' });
  assert.deepEqual(await p.ask({ type: 'get' }), { name: 'user-d', visits: 150, revision: 150 });
  p.tell({ type: 'boom' });
  assert.deepEqual(await p.ask({ type: 'get' }), { name: 'user-d', visits: 150, revision: 150 });
  // Only the last revisions are kept: a snapshot every 100, the revisions before it deleted.
  assert.ok((await journal.replay('profile-d')).events.length <= 100);
});

test(
  'two live actors with one persistence id: the second writer fails with ERR_PERSISTENCE_CONFLICT, nothing interleaves',
  { timeout: 30_000 },
  async (t) => {
    const journal = new MemoryJournal();
    const { system, events } = await start(t, journal);
    const first = await system.spawn(Account, { id: 'twin' }, { worker: 1 });
    await first.ask({ type: 'deposit', amount: 1, tag: 1 });
    const second = await system.spawn(Account, { id: 'twin' }, { worker: 2 });
    await second.ask({ type: 'get' }); // recovered: it saw event 1
    await first.ask({ type: 'deposit', amount: 1, tag: 2 });
    await assert.rejects(second.ask({ type: 'deposit', amount: 100, tag: 99 }), (e: BactorError) => {
      assert.equal(e.code, ErrorCode.ACTOR_FAILED);
      return true;
    });
    await until(
      () => events.some((e) => e.type === 'actor-failed' && e.error.code === ErrorCode.PERSISTENCE_CONFLICT),
      5000,
      'the conflict reported',
    );
    assert.deepEqual(await stored(journal, 'account-twin'), [1, 2]);
    // Restarted, the second recovered both events; the id's history stays one line.
    const v = (await second.ask({ type: 'get' })) as AccountView;
    assert.deepEqual(v.tags, [1, 2]);
  },
);

test(
  'wrong use: no journal, persist on a plain actor, an event that cannot be stored, a bad persistence option',
  { timeout: 30_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    await assert.rejects(
      system.spawn(Account, { id: 'n' }),
      (e: BactorError) => e.code === ErrorCode.NO_JOURNAL && /ActorSystem\.start\(\{ journal/.test(e.message),
    );
    const plain = await system.spawn(Plain, undefined);
    assert.match(await plain.ask('go'), /^ERR_NOT_PERSISTENT: ctx\.persist\(\) on .*no persistence option/);
    await assert.rejects(
      ActorSystem.start({ workers: 1, journal: {} as Journal }),
      (e: BactorError) => e.code === ErrorCode.INVALID_OPTION && /journal must be a Journal/.test(e.message),
    );
    // A journal an earlier system closed (at its shutdown) is refused at the start, not at the first recovery.
    const used = new MemoryJournal();
    await used.close();
    await assert.rejects(ActorSystem.start({ workers: 1, journal: used }), { code: ErrorCode.JOURNAL_CLOSED });

    const journal = new MemoryJournal();
    await system.shutdown();
    const { system: withJournal } = await start(t, journal, 1);
    const a = await withJournal.spawn(Account, { id: 'bad' });
    await a.ask({ type: 'deposit', amount: 1, tag: 1 });
    assert.equal(await a.ask({ type: 'deposit-bad' }), ErrorCode.UNSERIALIZABLE_MESSAGE);
    assert.equal(await a.ask({ type: 'persist-undefined' }), ErrorCode.INVALID_ARGUMENT);
    const v = (await a.ask({ type: 'get' })) as AccountView;
    assert.deepEqual([v.balance, v.seq], [1, 1], 'nothing changed');

    const bad = (persistence: unknown): unknown =>
      defineActor(import.meta.url, `Bad${Math.random()}`, { init: () => 0, receive() {}, persistence } as never);
    for (const [options, pattern] of [
      [{ apply: () => undefined }, /persistence\.id must be a function/],
      [{ id: () => 'x' }, /needs apply\(state, event\)/],
      [{ id: () => 'x', apply: () => undefined, durableState: true }, /both apply and durableState/],
      [{ id: () => 'x', apply: () => undefined, snapshotEvery: 0 }, /snapshotEvery=0 must be an integer ≥ 1/],
      [{ id: () => 'x', aply: () => undefined }, /did you mean 'apply'/],
    ] as const) {
      assert.throws(
        () => bad(options),
        (e: BactorError) => e.code === ErrorCode.INVALID_OPTION && pattern.test(e.message),
        String(pattern),
      );
    }
  },
);

/** A journal whose store fails on demand (a disk full, a database down). */
class FailingJournal extends MemoryJournal {
  failWrites = false;
  override async write(writes: Parameters<Journal['write']>[0]): ReturnType<Journal['write']> {
    if (this.failWrites) throw new BactorError(ErrorCode.JOURNAL_FAILED, 'disk full (simulated)');
    return super.write(writes);
  }
}

test(
  'a write the store fails fails the actor through its supervisor with the cause; nothing of it is applied or read back',
  { timeout: 30_000 },
  async (t) => {
    const journal = new FailingJournal();
    const { system, events } = await start(t, journal);
    const a = await system.spawn(Account, { id: 'disk' });
    await a.ask({ type: 'deposit', amount: 1, tag: 1 });
    journal.failWrites = true;
    await assert.rejects(a.ask({ type: 'deposit', amount: 1, tag: 2 }), (e: BactorError) => e.code === ErrorCode.ACTOR_FAILED);
    await until(() => events.some((e) => e.type === 'actor-failed' && /disk full/.test(e.error.message)), 5000, 'the failure reported');
    journal.failWrites = false;
    const v = (await a.ask({ type: 'get' })) as AccountView;
    assert.deepEqual([v.tags, v.seq], [[1], 1], 'restarted from what was stored');
    assert.equal(((await a.ask({ type: 'deposit', amount: 1, tag: 3 })) as AccountView).seq, 2);
  },
);

test('SQLite: a corrupt last record is dropped at recovery and reported; the actor goes on after it', { timeout: 30_000 }, async (t) => {
  const path = tempDb(t);
  {
    const system = await ActorSystem.start({ workers: 1, journal: new SqliteJournal({ path }) });
    const a = await system.spawn(Account, { id: 'torn' });
    for (let tag = 1; tag <= 4; tag++) await a.ask({ type: 'deposit', amount: 1, tag });
    await system.shutdown();
  }
  // Damage the last record's bytes as a torn write would.
  const { createRequire } = await import('node:module');
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(path);
  db.prepare(`UPDATE bactor_log SET payload = X'c1c1' WHERE persistence_id = 'account-torn' AND seq = 4`).run();
  db.close();
  const { system, events } = await start(t, new SqliteJournal({ path }), 1);
  const a = await system.spawn(Account, { id: 'torn' });
  const v = (await a.ask({ type: 'get' })) as AccountView;
  assert.deepEqual(v.tags, [1, 2, 3]);
  const dropped = events.find((e) => e.type === 'journal-dropped');
  assert.ok(
    dropped && dropped.type === 'journal-dropped' && dropped.dropped === 1 && dropped.persistenceId === 'account-torn',
    JSON.stringify(dropped),
  );
  // Its sequence numbers go on after the dropped one (never reused).
  assert.equal(((await a.ask({ type: 'deposit', amount: 1, tag: 5 })) as AccountView).seq, 5);
});

test(
  'a snapshot that cannot be taken is reported and the actor goes on; promises nobody awaits do not end the worker',
  { timeout: 30_000 },
  async (t) => {
    const { system, events } = await start(t, new MemoryJournal(), 1);
    const a = await system.spawn(Unsnappable, undefined);
    for (let i = 0; i < 5; i++) a.tell('add');
    a.tell('snap');
    assert.equal(await a.ask('get'), 5);
    await until(() => events.filter((e) => e.type === 'snapshot-failed').length >= 3, 5000, 'three failed snapshots reported');
    const failed = events.find((e) => e.type === 'snapshot-failed');
    assert.ok(
      failed && failed.type === 'snapshot-failed' && failed.error.code === ErrorCode.UNSERIALIZABLE_MESSAGE,
      JSON.stringify(failed),
    );
    assert.equal(system.replacements, 0, 'no worker died of an unhandled rejection');
    assert.equal(await a.ask('get'), 5);
  },
);

test('shutdown lets persisting actors finish: what their mailboxes held when it began is stored', { timeout: 30_000 }, async (t) => {
  const path = tempDb(t);
  {
    const system = await ActorSystem.start({ workers: 1, journal: new SqliteJournal({ path }) });
    const tally = await system.spawn(Tally, 'drain');
    await tally.ask({ type: 'get' });
    // 150 one at a time (synchronous=FULL): within the workers' 1 s drain at shutdown on a loaded machine.
    for (let n = 0; n < 150; n++) tally.tell({ type: 'add', n });
    await system.shutdown();
  }
  const journal = new SqliteJournal({ path });
  const { system } = await start(t, journal, 1);
  const tally = await system.spawn(Tally, 'drain');
  assert.deepEqual(await tally.ask({ type: 'get' }), { count: 150, last: 149, errors: 0, seq: 150 });
});
