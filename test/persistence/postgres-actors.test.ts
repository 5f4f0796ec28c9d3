import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ActorSystem, ErrorCode, type SystemEvent } from '../../src/index.js';
import { PostgresJournal } from '../../src/persistence/postgres-journal.js';
import { Account, type AccountView, SnapshotAccount } from '../fixtures/persistent.actor.js';
import { until } from '../fixtures/probe.actor.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres-server.js';

let server: PostgresServer | null = null;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());

test('PostgreSQL: persistent actors store their events and snapshots; a new system recovers them', { timeout: 60_000 }, async () => {
  {
    const system = await ActorSystem.start({ workers: 2, journal: new PostgresJournal({ connection: server!.url }) });
    const a = await system.spawn(Account, { id: 'pg' });
    for (let tag = 1; tag <= 6; tag++) await a.ask({ type: 'deposit', amount: 2, tag });
    const s = await system.spawn(SnapshotAccount, 'pg');
    for (let tag = 1; tag <= 23; tag++) s.tell({ type: 'deposit', amount: 1, tag });
    assert.equal(((await s.ask({ type: 'get' })) as AccountView).seq, 23);
    await system.shutdown();
  }
  const journal = new PostgresJournal({ connection: server!.url });
  const system = await ActorSystem.start({ workers: 2, journal });
  try {
    const a = (await (await system.spawn(Account, { id: 'pg' })).ask({ type: 'get' })) as AccountView;
    assert.deepEqual([a.balance, a.seq, a.tags], [12, 6, [1, 2, 3, 4, 5, 6]]);
    const s = (await (await system.spawn(SnapshotAccount, 'pg')).ask({ type: 'get' })) as AccountView;
    assert.deepEqual([s.balance, s.seq, s.tags.length], [23, 23, 23]);
    assert.equal((await journal.loadSnapshot('snap-pg'))?.seq, 20);
    assert.deepEqual(
      (await journal.replay('snap-pg')).events.map((e) => e.seq),
      [21, 22, 23],
    );
  } finally {
    await system.shutdown();
  }
});

test(
  'PostgreSQL: two systems (two nodes) with a live actor of one persistence id — the later writer fails with ERR_PERSISTENCE_CONFLICT',
  { timeout: 60_000 },
  async () => {
    // The other node: a journal of its own on the same database, writing as a live actor there would.
    const otherNode = new PostgresJournal({ connection: server!.url });
    const system = await ActorSystem.start({ workers: 1, journal: new PostgresJournal({ connection: server!.url }) });
    try {
      const events: SystemEvent[] = [];
      system.events.subscribe((e) => events.push(e));
      const a = await system.spawn(Account, { id: 'contested' });
      await a.ask({ type: 'deposit', amount: 1, tag: 1 });
      const { packPortable } = await import('../../src/codec/portable.js');
      const [other] = await otherNode.write([
        { persistenceId: 'account-contested', events: [{ seq: 2, payload: packPortable({ type: 'deposited', amount: 100, tag: 100 }) }] },
      ]);
      assert.equal(other, null, 'the other node wrote seq 2');
      await assert.rejects(a.ask({ type: 'deposit', amount: 1, tag: 2 }), { code: ErrorCode.ACTOR_FAILED });
      await until(
        () => events.some((e) => e.type === 'actor-failed' && e.error.code === ErrorCode.PERSISTENCE_CONFLICT),
        5000,
        'the conflict',
      );
      // Restarted, it recovered what is stored, the other node's event included: one history, not two.
      assert.deepEqual(((await a.ask({ type: 'get' })) as AccountView).tags, [1, 100]);
    } finally {
      await system.shutdown();
      await otherNode.close();
    }
  },
);
