import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { type OrderReport, SeqChecker, Sender } from '../fixtures/ordering.actor.js';
import { until } from '../fixtures/probe.actor.js';

for (const guarded of [false, true]) {
  test(
    `per sender-receiver FIFO under load: senders on another worker, on the same worker and on the main thread${guarded ? ' (workers running under the watchdog guard)' : ''}`,
    { timeout: 60_000 },
    async () => {
      // The restart policy runs each worker's loop in slices under a vm timeout: nothing may be lost or reordered by it.
      const system = await ActorSystem.start({
        workers: 2,
        ringCapacity: 1 << 16,
        ...(guarded ? { scheduler: { watchdog: { limitMs: 200, restart: true } } } : {}),
      });
      const checker = await system.spawn(SeqChecker, undefined, { worker: 2 });
      const count = 60_000;
      const senders = [
        ...(await Promise.all([1, 1, 1].map((worker) => system.spawn(Sender, undefined, { worker })))),
        await system.spawn(Sender, undefined, { worker: 2 }),
        await system.spawn(Sender, undefined, { dispatcher: 'inline' }),
      ];
      senders.forEach((s, i) => s.tell({ type: 'go', target: checker, count, tag: `s${i}`, payload: i % 2 === 0 }));
      let report: OrderReport = { counts: {}, errors: [] };
      await until(
        () => {
          void checker.ask({ type: 'report' }).then((r) => (report = r));
          return Object.values(report.counts).reduce((a, b) => a + b, 0) === senders.length * count || report.errors.length > 0;
        },
        45_000,
        'every message',
      );
      assert.deepEqual(report.errors, []);
      assert.deepEqual(report.counts, Object.fromEntries(senders.map((_, i) => [`s${i}`, count])));
      const stats = await system.stats();
      assert.equal(
        stats.workers.reduce((a, w) => a + w.deadLetters, 0),
        0,
        'nothing went to dead letters',
      );
      await system.shutdown();
    },
  );
}
