import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Numbered } from '../fixtures/numbered.actor.js';
import { until } from '../fixtures/probe.actor.js';

const actorsOn = async (system: ActorSystem): Promise<number> => (await system.stats()).workers.reduce((n, w) => n + w.actors, 0);

test(
  'spawnMany: one actor per argument, spread over the workers, in order; re-created with their arguments',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const n = 10_000;
    const refs = await system.spawnMany(
      Numbered,
      Array.from({ length: n }, (_, i) => 1000 + i),
    );
    assert.equal(refs.length, n);
    assert.equal(new Set(refs.map((r) => r.packed)).size, n, 'distinct refs');
    assert.deepEqual([...new Set(refs.map((r) => r.participant))].sort(), [1, 2], 'spread over both workers');
    for (const i of [0, 1, 4095, 4096, 9999]) assert.equal(await refs[i]!.ask('n'), 1000 + i);
    assert.equal(await actorsOn(system), n);

    // Pinned, and inline.
    const pinned = await system.spawnMany(Numbered, [10, 11, 12], { worker: 2 });
    assert.deepEqual(
      pinned.map((r) => r.participant),
      [2, 2, 2],
    );
    const inline = await system.spawnMany(Numbered, [20, 21], { dispatcher: 'inline' });
    assert.deepEqual(await Promise.all(inline.map((r) => r.ask('n'))), [20, 21]);

    // A replaced worker re-creates them with the arguments they were spawned with.
    await system.terminateWorker(1);
    await until(() => system.replacements === 1, 10_000, 'the replacement');
    const onOne = refs.filter((r) => r.participant === 1);
    for (const r of [onOne[0]!, onOne[onOne.length - 1]!]) assert.equal(await r.ask('n', { timeout: 10_000 }), 1000 + refs.indexOf(r));
  },
);

test('spawnMany is all or none: an init that throws stops the ones already started', { timeout: 60_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());
  const before = await actorsOn(system);
  await assert.rejects(
    system.spawnMany(
      Numbered,
      Array.from({ length: 2000 }, (_, i) => i),
    ),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_ACTOR_INIT_FAILED');
      assert.match(error.message, /777 is refused/);
      return true;
    },
  );
  let now = -1;
  await until(
    () => {
      void actorsOn(system).then((a) => (now = a));
      return now === before;
    },
    10_000,
    `no actor left (had ${before})`,
  );
  await assert.rejects(system.spawnMany(Numbered, 5 as never), { code: 'ERR_INVALID_OPTION' });
  await assert.rejects(system.spawnMany(Numbered, [1], { dispatcher: 'dedicated' }), { code: 'ERR_INVALID_OPTION' });
  await assert.rejects(system.spawnMany(Numbered, [1], { name: 'x' } as never), { code: 'ERR_INVALID_OPTION' });
  assert.equal((await system.spawnMany(Numbered, [1, 2])).length, 2, 'and it works afterwards');
});
