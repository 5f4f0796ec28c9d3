import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASK_SLOT_ID_BIT, packRef } from '../../src/actor/actor-ref.js';
import { TrafficSamples } from '../../src/runtime/traffic-samples.js';

/** A cross-thread send, as Runtime.tell makes it: `note` is called for one in 64. */
const send = (t: TrafficSamples, from: number, to: number) => {
  if (--t.countdown === 0) t.note(from, to);
};
/** One counted sample. */
const sample = (t: TrafficSamples, from: number, to: number) => {
  for (let i = 0; i < 64; i++) send(t, from, to);
};

test('traffic samples count one send in 64 and stay bounded while nothing takes them (rebalancing off)', () => {
  const traffic = new TrafficSamples(1);
  for (let i = 0; i < 63; i++) send(traffic, 3, packRef(2, 4));
  assert.deepEqual(traffic.take(), [], 'fewer than 64 sends: no sample yet');
  send(traffic, 3, packRef(2, 4));
  assert.deepEqual(traffic.take(), [[packRef(1, 3), packRef(2, 4), 1]]);
  const internals = traffic as unknown as { traffic: Map<number, Map<number, number>> };
  // An actor answering asks from the main thread: a new ask slot per reply, never counted.
  for (let i = 0; i < 20_000; i++) sample(traffic, 5, packRef(0, ASK_SLOT_ID_BIT | i));
  assert.equal(internals.traffic.size, 0);
  // An actor replying to many short-lived actors on another worker, and many senders.
  for (let i = 0; i < 5_000; i++) sample(traffic, 5, packRef(2, 10 + i));
  for (let i = 0; i < 5_000; i++) sample(traffic, 10 + i, packRef(2, 7));
  assert.ok(internals.traffic.size <= 1024, `${internals.traffic.size} senders`);
  for (const targets of internals.traffic.values()) assert.ok(targets.size <= 1024, `${targets.size} targets`);
  // A steady pair is still counted, and a stopped actor's samples go.
  traffic.take();
  for (let i = 0; i < 10; i++) sample(traffic, 3, packRef(2, 4));
  sample(traffic, 8, packRef(2, 4));
  traffic.forget(8);
  assert.deepEqual(traffic.take(1), [[packRef(1, 3), packRef(2, 4), 10]]);
  assert.deepEqual(traffic.take(), [], 'take resets');
});
