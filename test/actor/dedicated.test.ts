import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Blocker } from '../fixtures/blocking.actor.js';
import { Counter } from '../fixtures/counter.actor.js';
import { until } from '../fixtures/probe.actor.js';

test('dedicated dispatcher: a blocking actor gets a worker of its own; the pool keeps answering', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 1, dedicatedWorkers: 1 });
  t.after(() => system.shutdown());
  const blocker = await system.spawn(Blocker, undefined, { dispatcher: 'dedicated' });
  assert.equal(blocker.participant, 2, 'the dedicated worker comes after the pool');
  const pooled = await system.spawn(Counter, 1);
  assert.equal(pooled.participant, 1, 'pool placement never uses the dedicated worker');
  const blocking = blocker.ask({ type: 'block', ms: 500 }, { timeout: 5000 });
  // Ordering, not timing: the pool answers while the dedicated worker is still blocked.
  const first = await Promise.race([blocking.then(() => 'blocker'), pooled.ask({ type: 'get' }).then(() => 'pool')]);
  assert.equal(first, 'pool', 'the pool answered while the dedicated worker was blocked');
  assert.equal(await blocking, 500);
  await assert.rejects(system.spawn(Blocker, undefined, { dispatcher: 'dedicated' }), {
    code: 'ERR_NO_DEDICATED_WORKER',
    message: /no free dedicated worker/,
  });
  system.stop(blocker);
  let again: typeof blocker | undefined;
  await until(
    () => {
      void system
        .spawn(Blocker, undefined, { dispatcher: 'dedicated' })
        .then((r) => (again = r))
        .catch(() => undefined);
      return again !== undefined;
    },
    5000,
    'the dedicated worker to be free again',
  );
  assert.equal(await again!.ask({ type: 'where' }), 2);
  await assert.rejects(ActorSystem.start({ workers: 1, dedicatedWorkers: -1 }), { code: 'ERR_INVALID_OPTION' });
});
