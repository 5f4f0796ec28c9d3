// The README's reliable-delivery guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Orders, Shop } from './orders.actor.js';

test('reliable delivery guide: orders from a worker and from the main thread, once and in order', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());

  const orders = await system.spawn(Orders, undefined, { worker: 2 });
  const shop = await system.spawn(Shop, orders, { worker: 1 });
  for (let id = 1; id <= 3; id++) shop.tell({ type: 'sell', id });

  const direct = await system.reliable(orders, { window: 1024, redeliverAfterMs: 200 }); // from the main thread
  direct.tell({ type: 'order', id: 100 });

  let received: number[] = [];
  for (const start = Date.now(); received.length < 4 && Date.now() - start < 10_000; await new Promise((r) => setTimeout(r, 10)))
    received = await orders.ask({ type: 'list' });
  assert.deepEqual(
    received.filter((id) => id < 100),
    [1, 2, 3],
  );
  assert.ok(received.includes(100));
  assert.equal(direct.pending, 0);
});
