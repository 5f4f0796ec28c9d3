import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { BackpressuredSink, FastProducer, type PressureReport, UnboundedSink } from '../fixtures/pressure.actor.js';
import { until } from '../fixtures/probe.actor.js';

test(
  "'backpressure' mailbox: a fast local producer is suspended, nothing is lost, the backlog stays bounded",
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    const n = 20_000;
    const run = async (sinkDef: typeof BackpressuredSink): Promise<PressureReport> => {
      const sink = await system.spawn(sinkDef, undefined);
      // 1,000 of work per turn (handled + sent): ten chunks of 100 per turn unless the sink's mailbox suspends it.
      const producer = await system.spawn(FastProducer, undefined, { throughput: 1000 });
      producer.tell({ type: 'go', target: sink, n });
      let report: PressureReport = { received: 0, maxBacklog: 0, inOrder: true };
      await until(
        () => {
          void sink.ask({ type: 'report' }).then((r) => (report = r));
          return report.received === n;
        },
        30_000,
        `${sinkDef.name} to receive everything`,
      );
      return report;
    };
    const bounded = await run(BackpressuredSink);
    assert.equal(bounded.inOrder, true);
    assert.ok(bounded.maxBacklog <= 10 + 100, `backlog stayed within capacity + one producer turn: ${bounded.maxBacklog}`);
    const unbounded = await run(UnboundedSink);
    assert.ok(unbounded.maxBacklog > 1000, `without backpressure the backlog grows: ${unbounded.maxBacklog}`);
    const stats = await system.stats();
    assert.equal(stats.workers[0]!.deadLetters, 0, 'nothing was dropped');
  },
);
