import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DRAINED } from '../../native-free-core/layout/stats-layout.js';
import { statsSlot } from '../../native-free-core/index.js';
import { ActorSystem } from '../../src/index.js';
import { Consumer, Producer } from '../fixtures/producer.actor.js';

test(
  'a producer and its consumer on one worker: the consumer crossing its mark again and again tells the other threads once, not at every crossing',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    // A mark of 1,000 and chunks of 1,000: the backlog crosses the mark at (nearly) every chunk.
    const consumer = await system.spawn(Consumer, undefined, { worker: 1, mailbox: { highWater: 1000 } });
    const producer = await system.spawn(Producer, undefined, { worker: 1 });
    // Records the main thread read off its rings (the main loop counts them in slot 0 of the stats block).
    const statsBuffer = (system.scheduler as unknown as { statsBuffer: SharedArrayBuffer }).statsBuffer;
    const main = statsSlot(statsBuffer, 0);
    const chunks = 300;
    const before = main[DRAINED]!;
    const report = await new Promise<{ items: number; outOfOrder: number }>((resolve, reject) => {
      const done = consumer.ask({ type: 'expect', n: chunks * 1000 }, { timeout: 30_000 });
      producer.tell({ type: 'run', chunks, size: 1000, to: consumer });
      done.then(resolve, reject);
    });
    assert.equal(report.items, chunks * 1000);
    assert.equal(report.outOfOrder, 0);
    const read = main[DRAINED]! - before;
    // The ask's reply, one 'congested' and one 'grant' (a notice at every crossing made ~2 per chunk: ~600).
    assert.ok(read <= 10, `the main thread read ${read} records while the worker's pair ran ${chunks} chunks`);
  },
);
