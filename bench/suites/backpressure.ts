/**
 * Backpressure soak: a producer actor on one worker that could send ~10x faster than its consumer
 * on the other worker takes (the consumer spends ~5 µs per message), for 60 s (15 s with
 * --quick). Reports the consumer's rate, the process's resident memory growth after the first
 * seconds, how often the producer was seen suspended, and checks every message arrived once and
 * in order. Then the slow consumers of ./slow-consumer.ts (per-actor backpressure).
 */
import { ActorSystem } from '../../src/index.js';
import { SoakProducer, SoakSink } from '../fixtures/bench-actors.js';
import type { SuiteContext } from '../harness.js';
import { slowConsumerRuns } from './slow-consumer.js';

const SUITE = 'backpressure';

export async function backpressureSuite(ctx: SuiteContext): Promise<void> {
  if (ctx.enabled('rss-growth')) await ringSoak(ctx);
  await slowConsumerRuns(ctx);
}

/** The ring chain: a ~5 µs consumer, the producer held by the full ring. */
async function ringSoak(ctx: SuiteContext): Promise<void> {
  const seconds = ctx.quick ? 15 : 60;
  const system = await ActorSystem.start({ workers: 2 });
  try {
    const sink = await system.spawn(SoakSink, undefined, { worker: 2 });
    const producer = await system.spawn(SoakProducer, undefined, { worker: 1 });
    ctx.log(`soak: ${seconds} s, producer on worker 1, consumer (~5 µs per message) on worker 2`);
    producer.tell({ type: 'go', target: sink });
    let baseline = 0;
    let peak = 0;
    let suspendedSeen = 0;
    let samples = 0;
    let maxOverflow = 0;
    const t0 = performance.now();
    for (let s = 1; s <= seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      const rss = process.memoryUsage.rss();
      if (s === 5) baseline = rss;
      if (s >= 5) peak = Math.max(peak, rss);
      const st = await system.stats();
      samples++;
      if (st.workers[0]!.suspended > 0) suspendedSeen++;
      maxOverflow = Math.max(maxOverflow, st.workers[0]!.overflow);
      if (s % 10 === 0)
        ctx.log(
          `${s} s: rss ${(rss / 2 ** 20).toFixed(0)} MB, worker 1 overflow ${st.workers[0]!.overflow}, ring fill to worker 2 ${(st.workers[1]!.ringFill * 100).toFixed(0)}%`,
        );
    }
    const sent = await producer.ask({ type: 'stop' }, { timeout: 60_000 });
    const elapsed = (performance.now() - t0) / 1000;
    let report = await sink.ask({ type: 'report' }, { timeout: 60_000 });
    while (report.received < sent) {
      await new Promise((r) => setTimeout(r, 50));
      report = await sink.ask({ type: 'report' }, { timeout: 60_000 });
    }
    if (report.received !== sent || report.outOfOrder !== 0) {
      throw new Error(`backpressure soak: sent ${sent}, received ${report.received}, out of order ${report.outOfOrder}`);
    }
    const growthMb = (peak - baseline) / 2 ** 20;
    ctx.report({ suite: SUITE, name: 'consumer-rate', unit: 'msgs/s', value: sent / elapsed, runs: 1, spread: 0 });
    ctx.report({ suite: SUITE, name: 'messages', unit: 'delivered once, in order', value: sent, runs: 1, spread: 0 });
    ctx.report({ suite: SUITE, name: 'rss-growth', unit: 'MB (peak after 5 s − at 5 s)', value: growthMb, runs: 1, spread: 0 });
    ctx.report({
      suite: SUITE,
      name: 'producer-suspended',
      unit: '% of 1 s samples',
      value: (suspendedSeen / samples) * 100,
      runs: 1,
      spread: 0,
    });
    ctx.report({ suite: SUITE, name: 'max-overflow', unit: 'messages waiting', value: maxOverflow, runs: 1, spread: 0 });
  } finally {
    await system.shutdown();
  }
}
