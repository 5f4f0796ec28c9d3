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
  // Ordering, not timing: the other actor's answer comes back while the task still runs.
  const first = await Promise.race([long.then(() => 'task'), other.ask({ type: 'ping' }).then(() => 'ping')]);
  assert.equal(first, 'ping', 'the other actor answered before the 600 ms task ended');
  assert.equal(await long, 600);
  assert.equal(await busy.ask({ type: 'fail', message: 'bad input' }, { timeout: 10_000 }), 'task failed: bad input');
});
