/**
 * Adaptive tuning, shown: three loads (a steady stream, bursts, and latency-sensitive asks
 * behind background work), each run under the adaptive controller and under a sweep of fixed
 * knob settings (the default among them). Reports throughput and p99 for each.
 */
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Blaster, Hog, type HogMsg, Ponger, Sink } from '../fixtures/bench-actors.js';
import { type SuiteContext, latency, throughput } from '../harness.js';

const WINDOWS = 3;

const SUITE = 'tuning';

interface Setting {
  name: string;
  adaptive: boolean;
  quantum: number;
  batch: number;
}

const SETTINGS: Setting[] = [
  { name: 'default', adaptive: false, quantum: 100, batch: 4096 },
  { name: 'q10', adaptive: false, quantum: 10, batch: 4096 },
  { name: 'q1000', adaptive: false, quantum: 1000, batch: 4096 },
  { name: 'b256', adaptive: false, quantum: 100, batch: 256 },
  { name: 'b16k', adaptive: false, quantum: 100, batch: 16_384 },
  { name: 'q1000-b16k', adaptive: false, quantum: 1000, batch: 16_384 },
  { name: 'adaptive', adaptive: true, quantum: 100, batch: 4096 },
];

type Load = (system: ActorSystem, warmMs: number, measureMs: number) => Promise<{ rate: number; samples: Float64Array }>;

/** A producer (Blaster) and its consumer (Sink) on each worker. */
async function producerPairs(system: ActorSystem) {
  const pairs = [];
  for (let w = 1; w <= system.workerCount; w++) {
    const blaster = await system.spawn(Blaster, undefined, { worker: w });
    const sink = await system.spawn(Sink, undefined, { worker: w });
    pairs.push({ blaster, sink });
  }
  return pairs;
}

/** Blaster → Sink on each worker, blasts of 500k one after another. */
const steady: Load = async (system, warmMs, measureMs) => {
  const pairs = await producerPairs(system);
  const n = 500_000;
  let counted = 0;
  let measuring = false;
  let stop = false;
  const loops = pairs.map(async ({ blaster, sink }) => {
    while (!stop) {
      const done = sink.ask({ type: 'expect', n }, { timeout: 120_000 });
      blaster.tell({ type: 'blast', target: sink, n, chunk: 1000 });
      await done;
      if (measuring) counted += n;
    }
  });
  await sleep(warmMs);
  measuring = true;
  const t0 = performance.now();
  await sleep(measureMs);
  measuring = false;
  stop = true;
  const ms = performance.now() - t0;
  await Promise.all(loops);
  return { rate: (counted / ms) * 1000, samples: new Float64Array(0) };
};

/** Bursts of 200k messages per worker, 200 ms apart: throughput within the bursts. */
const bursty: Load = async (system, warmMs, measureMs) => {
  const pairs = await producerPairs(system);
  const n = 200_000;
  let messages = 0;
  let busyMs = 0;
  const end = performance.now() + warmMs + measureMs;
  const start = performance.now() + warmMs;
  while (performance.now() < end) {
    const t0 = performance.now();
    await Promise.all(
      pairs.map(({ blaster, sink }) => {
        const done = sink.ask({ type: 'expect', n }, { timeout: 120_000 });
        blaster.tell({ type: 'blast', target: sink, n, chunk: 1000 });
        return done;
      }),
    );
    if (t0 >= start) {
      busyMs += performance.now() - t0;
      messages += n * pairs.length;
    }
    await sleep(200);
  }
  return { rate: (messages / busyMs) * 1000, samples: new Float64Array(0) };
};

/** Four hogs per worker keep the run queues full; the main thread asks a ponger on worker 1 every ms. */
const latencyLoad: Load = async (system, warmMs, measureMs) => {
  const hogs: ActorRef<HogMsg, number>[] = [];
  for (let w = 1; w <= system.workerCount; w++) for (let k = 0; k < 4; k++) hogs.push(await system.spawn(Hog, undefined, { worker: w }));
  const ponger = await system.spawn(Ponger, undefined, { worker: 1 });
  for (const h of hogs) h.tell({ type: 'spin', work: 100 });
  const samples: number[] = [];
  const end = performance.now() + warmMs + measureMs;
  const start = performance.now() + warmMs;
  while (performance.now() < end) {
    const t0 = performance.now();
    await ponger.ask({ type: 'ping' }, { timeout: 10_000 });
    if (t0 >= start) samples.push((performance.now() - t0) * 1000);
    await sleep(1);
  }
  const counts = await Promise.all(hogs.map((h) => h.ask({ type: 'count' }, { timeout: 10_000 })));
  for (const h of hogs) system.stop(h);
  return { rate: counts.reduce((a, b) => a + b, 0) / ((warmMs + measureMs) / 1000), samples: Float64Array.from(samples) };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function tuningSuite(ctx: SuiteContext): Promise<void> {
  // The controller needs a few rounds of three 500 ms windows: every setting gets the same warm-up.
  const warmMs = ctx.quick ? 4000 : 8000;
  const measureMs = ctx.quick ? 2000 : 5000;
  const loads: [string, Load][] = [
    ['steady', steady],
    ['bursty', bursty],
    ['latency', latencyLoad],
  ];
  for (const [loadName, load] of loads) {
    for (const setting of SETTINGS) {
      const name = `${loadName}:${setting.name}`;
      if (!ctx.enabled(loadName) && !ctx.enabled(name)) continue;
      ctx.log(`${name}: ${setting.adaptive ? 'adaptive controller' : `quantum ${setting.quantum}, batch ${setting.batch}`}`);
      const system = await ActorSystem.start({
        workers: 2,
        scheduler: { adaptive: setting.adaptive, quantum: setting.quantum, batch: setting.batch },
      });
      try {
        // Three measured windows in the same system (the first after the full warm-up): the
        // median, so one lucky or unlucky window does not pick "the best fixed setting".
        const rs = [await load(system, warmMs, measureMs)];
        for (let k = 1; k < WINDOWS; k++) rs.push(await load(system, 1000, measureMs));
        const knobs = system.scheduler
          .stats()
          .map((w) => `q${w.quantum}/b${w.batch}`)
          .join(' ');
        if (setting.adaptive) ctx.log(`${name}: the controller ended at ${knobs}`);
        ctx.report(
          throughput(
            SUITE,
            name,
            loadName === 'latency' ? 'hog msgs/s' : 'msgs/s',
            rs.map((r) => r.rate),
          ),
        );
        if (rs[0]!.samples.length > 0)
          ctx.report(
            latency(
              SUITE,
              `${name}:ask`,
              rs.map((r) => r.samples),
            ),
          );
      } finally {
        await system.shutdown();
      }
    }
  }
}
