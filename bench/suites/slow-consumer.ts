/**
 * Per-actor backpressure under slow consumers (part of the `backpressure` suite): a producer
 * actor on worker 1 floods a consumer on worker 2 whose handler busy-waits 50 µs, 200 µs or
 * 1 ms per message, with default options, for 60 s each (12 s with --quick). Reports the RSS
 * growth after the first 5 s and the most messages seen in flight toward the consumer (its
 * mailbox, from `system.stats()`, plus the ring toward its worker counted at 24 bytes a record); with the 50 µs consumer, the rate at which a fast actor on the same worker, fed by
 * a second producer on worker 1, receives — against the same without the slow consumer.
 */
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { FastSink, Flooder, type SinkMsg, type SinkReport, SlowSink } from '../fixtures/slow-consumer.actor.js';
import type { SuiteContext } from '../harness.js';

const SUITE = 'backpressure';
/** The default ring capacity (the runs use default options). */
const RING_BYTES = 1 << 20;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
type Sink = ActorRef<SinkMsg, SinkReport>;

interface Run {
  rssGrowthMb: number;
  maxInFlight: number;
  /** Messages per second the fast neighbour received after the first 5 s (0 without one). */
  neighbourRate: number;
}

/** One run: an optional slow consumer and an optional fast neighbour, each fed by its own producer on worker 1. */
async function run(ctx: SuiteContext, slowUs: number | null, neighbour: boolean, seconds: number): Promise<Run> {
  const system = await ActorSystem.start({ workers: 2 });
  try {
    const slow = slowUs === null ? null : ((await system.spawn(SlowSink, slowUs, { worker: 2 })) as Sink);
    const fast = neighbour ? ((await system.spawn(FastSink, 0, { worker: 2 })) as Sink) : null;
    const producer = await system.spawn(Flooder, undefined, { worker: 1 });
    const feeder = await system.spawn(Flooder, undefined, { worker: 1 });
    if (slow !== null) producer.tell({ type: 'go', target: slow, chunk: 100 });
    if (fast !== null) feeder.tell({ type: 'go', target: fast, chunk: 100 });
    const t0 = performance.now();
    let baseline = 0;
    let peak = 0;
    let maxInFlight = 0;
    let fastAt5 = 0;
    let t5 = 0;
    while (performance.now() - t0 < seconds * 1000) {
      await sleep(250);
      const elapsed = performance.now() - t0;
      if (slow !== null) {
        // The backlog from the worker itself (an ask would wait behind it), plus what the ring
        // toward it holds, counted at the smallest record an item takes (24 bytes).
        const stats = await system.stats();
        const backlog = stats.workers[1]!.kinds.find((k) => k.kind === 'SlowSink')?.mailbox ?? 0;
        maxInFlight = Math.max(maxInFlight, backlog + Math.ceil((stats.workers[1]!.ringFill * RING_BYTES) / 24));
      }
      const rss = process.memoryUsage.rss();
      if (baseline === 0 && elapsed >= 5000) {
        baseline = rss;
        t5 = performance.now();
        if (fast !== null) fastAt5 = (await fast.ask({ type: 'report' }, { timeout: 120_000 })).received;
      }
      if (baseline !== 0) peak = Math.max(peak, rss);
    }
    const fastEnd = fast === null ? 0 : (await fast.ask({ type: 'report' }, { timeout: 120_000 })).received;
    const neighbourRate = fast === null ? 0 : (fastEnd - fastAt5) / ((performance.now() - t5) / 1000);
    producer.tell({ type: 'stop' });
    feeder.tell({ type: 'stop' });
    if (slow !== null) {
      // Everything arrives, once and in order.
      const sent = await producer.ask({ type: 'sent' }, { timeout: 120_000 });
      let report = await slow.ask({ type: 'report' }, { timeout: 120_000 });
      const deadline = performance.now() + 120_000;
      while (report.received < sent && performance.now() < deadline) {
        await sleep(100);
        report = await slow.ask({ type: 'report' }, { timeout: 120_000 });
      }
      if (report.received !== sent || !report.inOrder)
        throw new Error(`slow consumer ${slowUs} µs: sent ${sent}, received ${report.received}, in order ${report.inOrder}`);
      ctx.log(
        `${slowUs} µs consumer: ${sent} messages once and in order, at most ${maxInFlight} in flight, rss +${((peak - baseline) / 2 ** 20).toFixed(1)} MB after 5 s`,
      );
    }
    return { rssGrowthMb: (peak - baseline) / 2 ** 20, maxInFlight, neighbourRate };
  } finally {
    await system.shutdown();
  }
}

export async function slowConsumerRuns(ctx: SuiteContext): Promise<void> {
  const seconds = ctx.quick ? 12 : 60;
  const one = (name: string, unit: string, value: number): void => ctx.report({ suite: SUITE, name, unit, value, runs: 1, spread: 0 });
  if (ctx.enabled('slow-50us-rss') || ctx.enabled('slow-50us-neighbour-rate')) {
    const r = await run(ctx, 50, true, seconds);
    one('slow-50us-rss', 'MB (peak after 5 s − at 5 s)', r.rssGrowthMb);
    one('slow-50us-max-inflight', 'messages', r.maxInFlight);
    one('slow-50us-neighbour-rate', 'msgs/s', r.neighbourRate);
    const alone = await run(ctx, null, true, Math.max(10, seconds / 3));
    one('neighbour-rate-alone', 'msgs/s', alone.neighbourRate);
    ctx.log(
      `fast neighbour: ${(r.neighbourRate / 1e6).toFixed(2)}M/s beside the 50 µs consumer, ${(alone.neighbourRate / 1e6).toFixed(2)}M/s alone`,
    );
  }
  for (const [us, name] of [
    [200, 'slow-200us-rss'],
    [1000, 'slow-1ms-rss'],
  ] as const) {
    if (!ctx.enabled(name)) continue;
    const r = await run(ctx, us, false, seconds);
    one(name, 'MB (peak after 5 s − at 5 s)', r.rssGrowthMb);
    one(`${name.replace('-rss', '')}-max-inflight`, 'messages', r.maxInFlight);
  }
}
