// The README's deterministic-testing guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ActorSystem } from '../../src/index.js';
import { TestProbe, explore, simulate, type SimulationFailure } from '../../src/testkit/index.js';
import { Account, Withdrawer } from './deterministic-tests.actor.js';

test('deterministic guide: explore finds the interleaving that loses an update, and its seed replays it', { timeout: 60_000 }, async () => {
  // Two withdrawals of 10 from 100: 80, unless one reads before the other writes.
  async function twoWithdrawals(system: ActorSystem): Promise<void> {
    const done = await TestProbe.create(system);
    const account = await system.spawn(Account, 100);
    const a = await system.spawn(Withdrawer, { account, done: done.ref, amount: 10 });
    const b = await system.spawn(Withdrawer, { account, done: done.ref, amount: 10 });
    a.tell({ type: 'go' });
    b.tell({ type: 'go' });
    await done.receiveN(2);
    assert.equal(await account.ask({ type: 'read' }), 80);
  }

  // Seeds 1…200, each a fresh system on this thread; rejects at the first seed that fails.
  const failure: SimulationFailure = await explore(twoWithdrawals, { seeds: 200 }).then(
    () => assert.fail('no seed failed'),
    (e) => e,
  );
  console.log(failure.code, failure.seed); // ERR_SIMULATION_FAILED, the seed (failure.cause: the assertion)

  // The seed replays the same turns (the digest) and the same failure, as often as you run it.
  const replay = await simulate({ seed: failure.seed }, twoWithdrawals).catch((e) => e);
  assert.equal(replay.digest, failure.digest);

  assert.equal(failure.code, 'ERR_SIMULATION_FAILED');
  assert.match(String(replay.message), /80/);
});
