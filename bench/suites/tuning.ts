/**
 * Adaptive tuning, shown: three loads (a steady stream, bursts, and latency-sensitive asks
 * behind background work), each run under the adaptive controller and under a sweep of fixed
 * knob settings (the default among them). Reports throughput and p99 for each.
 */
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Blaster, Hog, type HogMsg, Ponger, Sink } from '../fixtures/bench-actors.js';
import { type SuiteContext, latency, median, throughput } from '../harness.js';

/** Measured windows per setting (each setting one per round; the value is their median). */
const ROUNDS = 5;

const SUITE = 'tuning';

interface Setting {
  name: string;
  adaptive: boolean;
  quantum: number;
  batch: number;
  /** The latency load's A/A control: b256's knobs again, never a candidate for the best. */
  control?: true;
}

const SETTINGS: Setting[] = [
  { name: 'default', adaptive: false, quantum: 100, batch: 4096 },
  { name: 'q10', adaptive: false, quantum: 10, batch: 4096 },
  { name: 'q1000', adaptive: false, quantum: 1000, batch: 4096 },
  { name: 'b256', adaptive: false, quantum: 100, batch: 256 },
  { name: 'b16k', adaptive: false, quantum: 100, batch: 16_384 },
  { name: 'q1000-b16k', adaptive: false, quantum: 1000, batch: 16_384 },
  { name: 'adaptive', adaptive: true, quantum: 100, batch: 4096 },
  { name: 'b256-aa', adaptive: false, quantum: 100, batch: 256, control: true },
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

/**
 * Bursts of 1M messages per worker (~70 ms), 100 ms apart, the workers parked in between:
 * throughput within the bursts. (Bursts of 200k lasted ~15 ms: the wake-ups and the main thread's
 * round trips then moved each window by 30%.)
 */
const bursty: Load = async (system, warmMs, measureMs) => {
  const pairs = await producerPairs(system);
  const n = 1_000_000;
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
    await sleep(100);
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

/**
 * The adaptive setting against the best fixed one, round by round: the fixed setting with the best
 * median is chosen, then each round's adaptive window is divided by that setting's window of the
 * same round. Windows of one round lie within ~30 s of each other; this machine drifts by up to
 * 25% between rounds, which a ratio of medians carries. (Not for the latency load: a window's p99
 * rests on its ~40 slowest asks and moves by 2× from window to window; its floor takes the p99
 * over all windows' samples.)
 */
function pairedRatios(settings: Setting[], results: { rate: number }[][]): number[] | undefined {
  const a = settings.findIndex((s) => s.adaptive);
  let best = -1;
  settings.forEach((s, k) => {
    if (!s.adaptive && (best < 0 || median(results[k]!.map((w) => w.rate)) > median(results[best]!.map((w) => w.rate)))) best = k;
  });
  if (best < 0 || a < 0) return undefined;
  return results[a]!.map((w, r) => w.rate / results[best]![r]!.rate);
}

/** The p99 of the samples of the given rounds, pooled (µs). */
function pooledP99(windows: { samples: Float64Array }[], rounds: number[]): number {
  const all = Float64Array.from(rounds.flatMap((r) => Array.from(windows[r]!.samples))).sort();
  return all[Math.min(all.length - 1, Math.floor(all.length * 0.99))]!;
}

/**
 * The latency load's floor, free of the bias of picking the least of six noisy p99s: the best
 * fixed setting is chosen on the even rounds' pooled samples, and compared with the adaptive
 * one on the odd rounds' (best p99 / adaptive p99: above 1, adaptive is better). With it, the
 * same split for b256 against its A/A copy: how far two identical settings land apart.
 */
function splitP99Ratios(settings: Setting[], results: { samples: Float64Array }[][]): { floor: number; aa: number } | undefined {
  const rounds = results[0]!.length;
  const even = [...Array(rounds).keys()].filter((r) => r % 2 === 0);
  const odd = [...Array(rounds).keys()].filter((r) => r % 2 === 1);
  const a = settings.findIndex((s) => s.adaptive);
  const b256 = settings.findIndex((s) => s.name === 'b256');
  const aa = settings.findIndex((s) => s.control === true);
  if (a < 0 || odd.length === 0) return undefined;
  let best = -1;
  settings.forEach((s, k) => {
    if (!s.adaptive && s.control !== true && (best < 0 || pooledP99(results[k]!, even) < pooledP99(results[best]!, even))) best = k;
  });
  if (best < 0) return undefined;
  const floor = pooledP99(results[best]!, odd) / pooledP99(results[a]!, odd);
  const control = b256 >= 0 && aa >= 0 ? pooledP99(results[b256]!, odd) / pooledP99(results[aa]!, odd) : NaN;
  return { floor, aa: control };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function tuningSuite(ctx: SuiteContext): Promise<void> {
  const warmMs = ctx.quick ? 4000 : 8000;
  const measureMs = ctx.quick ? 2000 : 4000;
  const asked = ctx.option?.('rounds');
  const rounds = asked !== undefined ? Number(asked) : ctx.quick ? 3 : ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 2) throw new Error(`--rounds=${asked}: a whole number of rounds, 2 or more`);
  const loads: [string, Load][] = [
    ['steady', steady],
    ['bursty', bursty],
    ['latency', latencyLoad],
  ];
  for (const [loadName, load] of loads) {
    // The A/A control runs on the latency load only (the throughput loads are steady enough).
    const settings = SETTINGS.filter(
      (s) => (s.control !== true || loadName === 'latency') && (ctx.enabled(loadName) || ctx.enabled(`${loadName}:${s.name}`)),
    );
    if (settings.length === 0) continue;
    // One system per load, and the settings take turns on it: round after round each measures one
    // window, in an order rotated every round. This machine's speed drifts by up to 2× over
    // minutes; measured one after another, settings would be compared across that drift,
    // interleaved they share it. A fixed setting switches the controller off and writes its
    // knobs; the adaptive one gets back the knobs its controller had chosen and switches it on
    // again (it goes on from where it stopped).
    const system = await ActorSystem.start({ workers: 2, scheduler: { adaptive: true } });
    try {
      const scheduler = system.scheduler;
      const knobsNow = () => scheduler.stats().map((w) => ({ quantum: w.quantum, batch: w.batch, spins: w.spins }));
      let learned = knobsNow();
      const baseSpins = learned[0]!.spins;
      const apply = (setting: Setting): void => {
        if (setting.adaptive) {
          learned.forEach((knobs, i) => scheduler.writeKnobs(i + 1, knobs));
          scheduler.adaptive = true;
        } else {
          scheduler.adaptive = false;
          for (let w = 1; w <= system.workerCount; w++)
            scheduler.writeKnobs(w, { quantum: setting.quantum, batch: setting.batch, spins: baseSpins });
        }
      };
      const leave = (setting: Setting): void => {
        if (!setting.adaptive) return;
        learned = knobsNow();
        scheduler.adaptive = false;
      };
      const describe = (s: Setting) => (s.adaptive ? 'adaptive controller' : `quantum ${s.quantum}, batch ${s.batch}`);
      ctx.log(`${loadName}: ${settings.map((s) => `${s.name} (${describe(s)})`).join(', ')}`);
      // Warm-up: the JIT under the default knobs, then the controller's first search.
      apply(SETTINGS[0]!);
      await load(system, 2000, 1000);
      const adaptive = settings.find((s) => s.adaptive);
      if (adaptive !== undefined) {
        apply(adaptive);
        await load(system, warmMs, 1000);
        leave(adaptive);
      }
      const results: { rate: number; samples: Float64Array }[][] = settings.map(() => []);
      for (let r = 0; r < rounds; r++) {
        for (let j = 0; j < settings.length; j++) {
          const k = (j + r) % settings.length;
          apply(settings[k]!);
          results[k]!.push(await load(system, 1000, measureMs));
          const knobs = knobsNow()
            .map((w) => `q${w.quantum}/b${w.batch}/s${w.spins}`)
            .join(' ');
          ctx.log(`${settings[k]!.name}: ${(results[k]!.at(-1)!.rate / 1e6).toFixed(2)}M ${knobs}`);
          leave(settings[k]!);
        }
      }
      if (adaptive !== undefined)
        ctx.log(`${loadName}:adaptive: the controller ended at ${learned.map((k) => `q${k.quantum}/b${k.batch}`).join(' ')}`);
      if (adaptive !== undefined && loadName !== 'latency') {
        const paired = pairedRatios(settings, results);
        if (paired !== undefined) ctx.report(throughput(SUITE, `${loadName}:adaptive-paired`, '× best fixed', paired));
      }
      if (adaptive !== undefined && loadName === 'latency') {
        const split = splitP99Ratios(settings, results);
        if (split !== undefined) {
          ctx.report(throughput(SUITE, 'latency:best-p99/adaptive-p99', '×', [split.floor]));
          if (!Number.isNaN(split.aa)) ctx.report(throughput(SUITE, 'latency:b256-p99/b256-aa-p99', '× (A/A)', [split.aa]));
        }
      }
      for (let k = 0; k < settings.length; k++) {
        const name = `${loadName}:${settings[k]!.name}`;
        const rs = results[k]!;
        ctx.report(
          throughput(
            SUITE,
            name,
            loadName === 'latency' ? 'hog msgs/s' : 'msgs/s',
            rs.map((x) => x.rate),
          ),
        );
        if (rs[0]!.samples.length > 0)
          ctx.report(
            latency(
              SUITE,
              `${name}:ask`,
              rs.map((x) => x.samples),
            ),
          );
      }
    } finally {
      await system.shutdown();
    }
  }
}
