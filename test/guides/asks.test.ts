// The README's asks guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, BactorError } from '../../src/index.js';
import { Halver } from './asks.actor.js';

test('asks guide: a reply, or ERR_ASK_TIMEOUT, ERR_ACTOR_FAILED, ERR_ACTOR_NOT_FOUND', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());

  const halver = await system.spawn(Halver, undefined);
  const half = await halver.ask({ type: 'halve', n: 8 }); // 4: answered within 5000 ms, the default timeout
  const late = await halver.ask({ type: 'ignore' }, { timeout: 100 }).catch((e: BactorError) => e.code); // 'ERR_ASK_TIMEOUT'
  // The handler throws: the ask fails at once with 'ERR_ACTOR_FAILED', and e.cause is a copy of the RangeError.
  const odd = await halver.ask({ type: 'halve', n: 3 }).catch((e: BactorError) => e);
  await system.stop(halver); // resolves once it has stopped (postStop ran); never rejects
  const gone = await halver.ask({ type: 'halve', n: 2 }).catch((e: BactorError) => e.code); // 'ERR_ACTOR_NOT_FOUND', at once

  assert.equal(half, 4);
  assert.equal(late, 'ERR_ASK_TIMEOUT');
  assert.ok(odd instanceof BactorError && odd.code === 'ERR_ACTOR_FAILED', String(odd));
  assert.deepEqual([(odd.cause as Error).name, (odd.cause as Error).message], ['RangeError', '3 is odd']);
  assert.equal(gone, 'ERR_ACTOR_NOT_FOUND');
});
