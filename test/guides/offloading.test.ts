// The README's offloading guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Primes } from './offloading.actor.js';

test('offloading guide: runTask computes on the task pool while the worker goes on', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 1, taskThreads: 1 }); // threads of each task pool (default 1)
  t.after(() => system.shutdown());

  const [busy, other] = await Promise.all([system.spawn(Primes, undefined), system.spawn(Primes, undefined)]);
  const primes = busy.ask({ type: 'count', below: 10_000_000 }, { timeout: 30_000 });
  const first = await Promise.race([primes, other.ask({ type: 'ping' })]); // 'pong': the worker went on meanwhile
  const count = await primes; // 664579

  assert.equal(first, 'pong', 'the other actor on the worker answered before the task ended');
  assert.equal(count, 664579);
  assert.equal(busy.participant, other.participant, 'both on the one worker');
});
