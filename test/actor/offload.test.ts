import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Offloader } from '../fixtures/offload.actor.js';

test('runTask: CPU work runs on the task pool while the other actors of the worker keep answering', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 1 });
  t.after(() => system.shutdown());
  const busy = await system.spawn(Offloader, undefined);
  const other = await system.spawn(Offloader, undefined);
  assert.equal(await busy.ask({ type: 'fib', n: 20 }, { timeout: 10_000 }), 6765);
  const long = busy.ask({ type: 'spin', ms: 600 }, { timeout: 10_000 });
  const t0 = performance.now();
  assert.equal(await other.ask({ type: 'ping' }), 'pong');
  const answered = performance.now() - t0;
  assert.ok(answered < 400, `the other actor answered in ${answered.toFixed(0)} ms, during the 600 ms task`);
  assert.equal(await long, 600);
  assert.equal(await busy.ask({ type: 'fail', message: 'bad input' }, { timeout: 10_000 }), 'task failed: bad input');
});
