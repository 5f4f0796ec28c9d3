import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASK_SLOT_ID_BIT, packRef } from '../../src/actor/actor-ref.js';
import { Runtime } from '../../src/runtime/runtime.js';

test('traffic samples stay bounded while nothing takes them (rebalancing off)', () => {
  const runtime = new Runtime({ participant: 1, endpoint: null });
  const internals = runtime as unknown as { sampleTraffic(from: number, to: number): void; traffic: Map<number, Map<number, number>> };
  // An actor answering asks from the main thread: a new ask slot per reply.
  for (let i = 0; i < 100_000; i++) internals.sampleTraffic(5, packRef(0, ASK_SLOT_ID_BIT | i));
  assert.equal(internals.traffic.size, 0);
  // An actor replying to many short-lived actors on another worker, and many senders.
  for (let i = 0; i < 100_000; i++) internals.sampleTraffic(5, packRef(2, 10 + i));
  for (let i = 0; i < 100_000; i++) internals.sampleTraffic(10 + i, packRef(2, 7));
  assert.ok(internals.traffic.size <= 1024, `${internals.traffic.size} senders`);
  for (const targets of internals.traffic.values()) assert.ok(targets.size <= 1024, `${targets.size} targets`);
  // A steady pair is still counted.
  for (let i = 0; i < 10; i++) internals.sampleTraffic(3, packRef(2, 4));
  assert.deepEqual(runtime.traffic.take(1), [[packRef(1, 3), packRef(2, 4), 10]]);
});
