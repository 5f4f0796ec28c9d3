import { ActorSystem, type ActorSystemOptions } from '../../src/index.js';
import { Blaster, Sink } from '../fixtures/bench-actors.js';
import { type SuiteContext, median, throughput } from '../harness.js';

const SUITE = 'observability';

/** What the systems of a round differ in: nothing, the metrics, or the metrics and tracing. */
interface Variant {
  suffix: string;
  options: ActorSystemOptions;
}

/**
 * The cost of monitoring on the `actors` suite's tells: `local-tell` and `cross-tell` (a Blaster
 * on worker 1 telling a Sink on worker 1 or 2, 100 per turn) in a system without monitoring and
 * in one with `monitoring: { port: 0 }` (its HTTP server up and scraped once per round, the
 * dashboard's event stream open), and in one with `tracing` at a 1% sample rate (a Blaster's
 * self-told 'more' starts a trace 1 time in 100, and its 100 tells are in it; the exporter
 * counts and drops). All with the scheduler's default knobs, fixed (`adaptive: false`). The
 * variants alternate round by round (one system at a time: a thread holds one), so a drift of
 * the machine falls on all; each name's figure is the median of every timed run of every round.
 * Each variant's cost is also reported paired, `<name><suffix>/<name>`: the median over rounds of
 * the round's ratio (its runs' medians, taken minutes apart at most). Each system is a fresh set of
 * workers, a fresh draw of V8's inlining and of the machine's phase (cross-tell moves by ±30%
 * between processes of the same code here): many short rounds, compared in pairs, measure a 5%
 * cost that a ratio of two overall medians over a few rounds cannot.
 */
export async function observabilitySuite(ctx: SuiteContext): Promise<void> {
  const q = ctx.quick;
  const rounds = Number(ctx.option?.('rounds') ?? (q ? 2 : 8));
  const runs = q ? 2 : 3;
  const TELL = q ? 500_000 : 1_000_000;
  // Tracing's cost is bactor's, not an exporter's: this one counts the spans and drops them.
  let exported = 0;
  const exporter = {
    export(spans: unknown[], done: (result: { code: number }) => void): void {
      exported += spans.length;
      done({ code: 0 });
    },
  };
  const variants: Variant[] = [
    { suffix: '', options: {} },
    { suffix: '-metrics', options: { monitoring: { port: 0 } } },
    { suffix: '-traced', options: { tracing: { exporter, sampleRate: 0.01 } } },
  ];
  const names = ['local-tell', 'cross-tell'];
  const rates = new Map<string, number[]>();
  /** Per round, each name's median run. */
  const roundMedians: Map<string, number>[] = [];
  const wanted = variants.some((v) => names.some((n) => ctx.enabled(n + v.suffix)));
  if (!wanted) return;
  ctx.log(
    `${rounds} rounds of ${TELL} tells per run, ${runs} timed runs per round and name, variants alternating: none, metrics (served, scraped), tracing at 1%`,
  );
  for (let round = 0; round < rounds; round++) {
    const medians = new Map<string, number>();
    roundMedians.push(medians);
    // Every other round goes through the variants the other way.
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      if (!names.some((n) => ctx.enabled(n + variant.suffix))) continue;
      // Fixed knobs: the adaptive controller's run-to-run choices moved cross-tell by ±30% here,
      // more than what is measured; every variant runs with the same knobs.
      const system = await ActorSystem.start({ workers: 2, scheduler: { adaptive: false }, ...variant.options });
      let events: AbortController | null = null;
      try {
        const url = system.monitoring?.url ?? null;
        if (url !== null) {
          // A dashboard watching: its stream takes a snapshot every interval.
          events = new AbortController();
          void fetch(`${url}/events`, { signal: events.signal })
            .then((r) => r.body?.pipeTo(new WritableStream()))
            .catch(() => undefined);
        }
        for (const name of names) {
          const key = name + variant.suffix;
          if (!ctx.enabled(key)) continue;
          const blaster = await system.spawn(Blaster, undefined, { worker: 1 });
          const sink = await system.spawn(Sink, undefined, { worker: name === 'local-tell' ? 1 : 2 });
          const once = async (): Promise<number> => {
            const t0 = performance.now();
            const done = sink.ask({ type: 'expect', n: TELL }, { timeout: 120_000 });
            blaster.tell({ type: 'blast', target: sink, n: TELL, chunk: 100 });
            const sum = await done;
            if (sum !== 42 * TELL) throw new Error(`sink sum ${sum}`);
            return (TELL / (performance.now() - t0)) * 1000;
          };
          // Warm-up (the workers' JIT), then the timed runs.
          for (let i = 0; i < 2; i++) await once();
          const these: number[] = [];
          for (let i = 0; i < runs; i++) these.push(await once());
          (rates.get(key) ?? rates.set(key, []).get(key)!).push(...these);
          medians.set(key, median(these));
          if (url !== null) {
            const text = await (await fetch(`${url}/metrics`)).text();
            if (!text.includes('bactor_actor_messages_total{thread="w1",kind="Blaster"}'))
              throw new Error('the scrape lacks the Blaster series');
          }
          await system.stop(blaster);
          await system.stop(sink);
        }
      } finally {
        events?.abort();
        await system.shutdown();
      }
    }
    ctx.log(`round ${round + 1}/${rounds} done`);
  }
  if (exported > 0) ctx.log(`tracing at 1%: ${exported} spans exported in all`);
  for (const variant of variants)
    for (const name of names) {
      const key = name + variant.suffix;
      const r = rates.get(key);
      if (r !== undefined) ctx.report(throughput(SUITE, key, 'msgs/s', r));
    }
  for (const variant of variants.slice(1))
    for (const name of names) {
      const key = name + variant.suffix;
      const paired = roundMedians.flatMap((m) => (m.has(key) && m.has(name) ? [m.get(key)! / m.get(name)!] : []));
      if (paired.length === 0) continue;
      ctx.report(throughput(SUITE, `${key}/${name}`, 'ratio', paired));
      if (paired.length >= 5) {
        const [low, high] = bootstrapMedian(paired);
        ctx.log(
          `${key}/${name}: median of ${paired.length} paired rounds ${median(paired).toFixed(3)}, 90% bootstrap interval ${low.toFixed(3)}–${high.toFixed(3)}`,
        );
      }
    }
}

/** A 90% interval of the median of `values`: 2,000 resamples with replacement (seeded, so a run's figures repeat). */
function bootstrapMedian(values: readonly number[]): [number, number] {
  let seed = 0x2545f491;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians: number[] = [];
  const sample: number[] = new Array<number>(values.length);
  for (let i = 0; i < 2000; i++) {
    for (let j = 0; j < values.length; j++) sample[j] = values[Math.floor(random() * values.length)]!;
    medians.push(median(sample));
  }
  medians.sort((a, b) => a - b);
  return [medians[100]!, medians[1899]!];
}
