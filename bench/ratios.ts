import { type BenchResult, median } from './harness.js';

interface Floor {
  text: string;
  ratio: (get: (name: string) => BenchResult | undefined) => number | undefined;
  /** The floor the issue sets, and whether higher is better. */
  floor: number;
}

const v = (r: BenchResult | undefined): number | undefined => r?.value;
const div = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a / b);

const SAVINA = ['pingpong', 'counting', 'fj-throughput', 'fj-creation', 'threadring', 'chameneos', 'big'];
const TEN_X = new Set(['pingpong', 'counting', 'threadring']);

const FIXED = ['default', 'q10', 'q1000', 'b256', 'b16k', 'q1000-b16k'];
/** The best figure of the fixed settings for `load` (`suffix` ':ask' for the ask latency). */
const best = (
  g: (n: string) => BenchResult | undefined,
  load: string,
  suffix: string,
  pick: (r: BenchResult) => number | undefined,
  lower: boolean,
) => {
  const values = FIXED.map((f) => g(`${load}:${f}${suffix}`))
    .filter((r): r is BenchResult => r !== undefined)
    .map(pick)
    .filter((x): x is number => x !== undefined);
  return values.length === 0 ? undefined : lower ? Math.min(...values) : Math.max(...values);
};
/** Adaptive against the default, as a gain (throughput for steady and bursty, p99 for latency). */
const gain = (g: (n: string) => BenchResult | undefined, load: string) =>
  load === 'latency'
    ? div(g('latency:default:ask')?.p99, g('latency:adaptive:ask')?.p99)
    : div(v(g(`${load}:adaptive`)), v(g(`${load}:default`)));

/** Flat: a slope under `limit` MB per round (the ratio is limit / slope; a slope under 0.01 counts as 0.01). */
const flat = (text: string, name: string, limit: number): Floor => ({
  text: `${text}: ${limit} MB/round / ${name}-slope`,
  ratio: (g) => div(limit, Math.max(0.01, v(g(`${name}-slope`)) ?? NaN)),
  floor: 1,
});

/** `a` against `b` as the suite's paired figure (`a/b`: the median of per-round ratios) where it reports one, else the ratio of the two medians. */
const paired = (a: string, b: string, floor: number): Floor => ({
  text: `${a} / ${b}`,
  ratio: (g) => v(g(`${a}/${b}`)) ?? div(v(g(a)), v(g(b))),
  floor,
});

const FLOORS: Record<string, Floor[]> = {
  observability: [
    paired('local-tell-metrics', 'local-tell', 0.95),
    paired('cross-tell-metrics', 'cross-tell', 0.95),
    paired('cross-tell-traced', 'cross-tell', 0.9),
  ],
  remote: [
    { text: 'remote-oneway / grpc-oneway-100', ratio: (g) => div(v(g('remote-oneway')), v(g('grpc-oneway-100'))), floor: 0.25 },
    { text: 'remote-oneway / grpc-oneway-1', ratio: (g) => div(v(g('remote-oneway')), v(g('grpc-oneway-1'))), floor: 50 },
    {
      text: '(grpc-pingpong-rtt p50 + 100 µs) / remote-ask-rtt p50',
      ratio: (g) => div((g('grpc-pingpong-rtt')?.p50 ?? NaN) + 100, g('remote-ask-rtt')?.p50),
      floor: 1,
    },
    { text: '3000 µs / remote-ask-rtt p99', ratio: (g) => div(3000, g('remote-ask-rtt')?.p99), floor: 1 },
    { text: '50 MB / remote-slow-consumer-rss', ratio: (g) => div(50, Math.max(0.01, v(g('remote-slow-consumer-rss')) ?? NaN)), floor: 1 },
  ],
  soak: [
    flat('rss', 'rss', 1),
    flat('main heap', 'main-heap', 0.1),
    flat('worker 1 heap', 'worker1-heap', 0.1),
    flat('worker 2 heap', 'worker2-heap', 0.1),
  ],
  backpressure: [
    { text: '50 MB / rss-growth', ratio: (g) => div(50, Math.max(0.01, v(g('rss-growth')) ?? NaN)), floor: 1 },
    ...(['slow-50us-rss', 'slow-200us-rss', 'slow-1ms-rss'] as const).map((name) => ({
      text: `50 MB / ${name}`,
      ratio: (g: (name: string) => BenchResult | undefined) => div(50, Math.max(0.01, v(g(name)) ?? NaN)),
      floor: 1,
    })),
    {
      text: 'slow-50us-neighbour-rate / neighbour-rate-alone',
      ratio: (g) => div(v(g('slow-50us-neighbour-rate')), v(g('neighbour-rate-alone'))),
      floor: 0.5,
    },
  ],
  tuning: [
    ...['steady', 'bursty'].flatMap((load): Floor[] => [
      {
        text: `${load}: adaptive / best fixed, paired by round`,
        ratio: (g) => v(g(`${load}:adaptive-paired`)),
        floor: 0.95,
      },
      {
        text: `${load}: adaptive / best fixed, medians (info)`,
        ratio: (g) =>
          div(
            v(g(`${load}:adaptive`)),
            best(g, load, '', (r) => r.value, false),
          ),
        floor: 0.95,
      },
    ]),
    {
      text: 'latency: best fixed ask p99 / adaptive ask p99 (best chosen on even rounds, compared on odd)',
      ratio: (g) => v(g('latency:best-p99/adaptive-p99')),
      floor: 0.95,
    },
    {
      text: 'latency: the same split for b256 / its A/A copy (the resolution of the line above; info)',
      ratio: (g) => v(g('latency:b256-p99/b256-aa-p99')),
      floor: 0.95,
    },
    {
      text: 'latency: least fixed ask p99 of six / adaptive ask p99 (biased low by the pick; info)',
      ratio: (g) =>
        div(
          best(g, 'latency', ':ask', (r) => r.p99, true),
          g('latency:adaptive:ask')?.p99,
        ),
      floor: 0.95,
    },
    {
      text: 'adaptive over the default, best of the three loads',
      ratio: (g) => Math.max(...['steady', 'bursty', 'latency'].map((l) => gain(g, l) ?? 0)),
      floor: 1.3,
    },
  ],
  client: [
    { text: 'main-ask-seq / nact-ask-seq', ratio: (g) => div(v(g('main-ask-seq')), v(g('nact-ask-seq'))), floor: 1 },
    { text: '20 µs / main-ask-seq p99', ratio: (g) => div(20, g('main-ask-seq:latency')?.p99), floor: 1 },
    { text: 'main-tell-1k / nact-tell-1k', ratio: (g) => div(v(g('main-tell-1k')), v(g('nact-tell-1k'))), floor: 8 },
    { text: 'main-spawn-100 / nact-spawn-100', ratio: (g) => div(v(g('main-spawn-100')), v(g('nact-spawn-100'))), floor: 1 },
    { text: 'main-ask-seq / inline-ask-seq (info)', ratio: (g) => div(v(g('main-ask-seq')), v(g('inline-ask-seq'))), floor: 1 },
    { text: 'main-tell-10k / nact-tell-10k (info)', ratio: (g) => div(v(g('main-tell-10k')), v(g('nact-tell-10k'))), floor: 1 },
  ],
  service: [
    ...[1, 16, 256].flatMap((c) =>
      ['50us', '200us', '1ms'].flatMap((job): Floor[] => {
        const n = (arm: string) => `service-${job}-c${c}-${arm}`;
        const floors = job === '200us' && c === 16;
        return [
          {
            text: `${n('bactor')} / piscina${floors ? '' : ' (info)'}`,
            ratio: (g) => div(v(g(n('bactor'))), v(g(n('piscina')))),
            floor: floors ? 1.2 : 1,
          },
          {
            text: `piscina p99 / bactor p99, ${job} c${c}${floors ? '' : ' (info)'}`,
            ratio: (g) => div(g(n('piscina'))?.p99, g(n('bactor'))?.p99),
            floor: 1,
          },
          {
            text: `${n('bactor')} / main${floors ? '' : ' (info)'}`,
            ratio: (g) => div(v(g(n('bactor'))), v(g(n('main')))),
            floor: floors ? 1.4 : 1,
          },
        ];
      }),
    ),
  ],
  fanout: [
    { text: 'bactor efficiency at 50 µs tasks / 85%', ratio: (g) => div(v(g('bactor-50us-efficiency')), 85), floor: 1 },
    { text: 'bactor efficiency at 1 ms tasks / 97%', ratio: (g) => div(v(g('bactor-1ms-efficiency')), 97), floor: 1 },
    { text: 'bactor-50us / piscina-50us (info)', ratio: (g) => div(v(g('bactor-50us')), v(g('piscina-50us'))), floor: 1 },
    { text: 'bactor-1ms / piscina-1ms (info)', ratio: (g) => div(v(g('bactor-1ms')), v(g('piscina-1ms'))), floor: 1 },
    {
      text: 'skewed placement: rebalancing on / off (info)',
      ratio: (g) => div(v(g('skewed-rebalance-on')), v(g('skewed-rebalance-off'))),
      floor: 1,
    },
  ],
  savina: SAVINA.flatMap((name): Floor[] => [
    { text: `${name}: bactor / nact`, ratio: (g) => div(v(g(`${name}:bactor`)), v(g(`${name}:nact`))), floor: TEN_X.has(name) ? 10 : 1 },
    { text: `${name}: bactor / comedy`, ratio: (g) => div(v(g(`${name}:bactor`)), v(g(`${name}:comedy`))), floor: 1 },
  ]),
  actors: [
    { text: 'local-pingpong / 10M msgs/s', ratio: (g) => div(v(g('local-pingpong')), 1e7), floor: 1 },
    { text: 'local-pingpong / nact-pingpong', ratio: (g) => div(v(g('local-pingpong')), v(g('nact-pingpong'))), floor: 25 },
    { text: 'local-tell / 10M msgs/s', ratio: (g) => div(v(g('local-tell')), 1e7), floor: 1 },
    { text: 'local-tell / nact-tell', ratio: (g) => div(v(g('local-tell')), v(g('nact-tell'))), floor: 25 },
    { text: 'local-tell-burst / nact-tell-burst (info)', ratio: (g) => div(v(g('local-tell-burst')), v(g('nact-tell-burst'))), floor: 1 },
    { text: 'async-tell / nact-async-tell (info)', ratio: (g) => div(v(g('async-tell')), v(g('nact-async-tell'))), floor: 1 },
    { text: 'cross-tell / postmessage-oneway', ratio: (g) => div(v(g('cross-tell')), v(g('postmessage-oneway'))), floor: 4 },
    { text: 'cross-tell / comedy-threaded-tell (info)', ratio: (g) => div(v(g('cross-tell')), v(g('comedy-threaded-tell'))), floor: 1 },
    { text: 'comedy-threaded-ask p50 / ask-rtt p50 (info)', ratio: (g) => div(g('comedy-threaded-ask')?.p50, g('ask-rtt')?.p50), floor: 1 },
    { text: 'comlink-rtt p50 / ask-rtt p50', ratio: (g) => div(g('comlink-rtt')?.p50, g('ask-rtt')?.p50), floor: 2 },
    { text: '2000 ms / spawn-time (1M actors)', ratio: (g) => div(2000, v(g('spawn-time'))), floor: 1 },
    { text: '400 bytes / spawn-bytes', ratio: (g) => div(400, v(g('spawn-bytes'))), floor: 1 },
    { text: '100 µs / restart p50', ratio: (g) => div(100, g('restart')?.p50), floor: 1 },
  ],
  transport: [
    { text: 'ring-oneway / postmessage-oneway', ratio: (g) => div(v(g('ring-oneway')), v(g('postmessage-oneway'))), floor: 5 },
    {
      text: 'ring-oneway / postmessage-batch100-oneway',
      ratio: (g) => div(v(g('ring-oneway')), v(g('postmessage-batch100-oneway'))),
      floor: 1.5,
    },
    { text: 'ring-raw-oneway / 1M records/s', ratio: (g) => div(v(g('ring-raw-oneway')), 1e6), floor: 20 },
    { text: 'postmessage-rtt p50 / ring-rtt p50', ratio: (g) => div(g('postmessage-rtt')?.p50, g('ring-rtt')?.p50), floor: 2 },
    {
      text: 'postmessage-rtt p50 / ring-rtt-parked p50',
      ratio: (g) => div(g('postmessage-rtt')?.p50, g('ring-rtt-parked')?.p50),
      floor: 1,
    },
    { text: '1% / parked-consumer-cpu', ratio: (g) => div(1, v(g('parked-consumer-cpu'))), floor: 1 },
  ],
};

/** The suite's floors that its results let us compute, with their ratio. */
export function floorRatios(suite: string, results: readonly BenchResult[]): { text: string; ratio: number; floor: number }[] {
  const get = (name: string): BenchResult | undefined => results.find((r) => r.name === name);
  return (FLOORS[suite] ?? []).flatMap((f) => {
    const ratio = f.ratio(get);
    return ratio === undefined || Number.isNaN(ratio) ? [] : [{ text: f.text, ratio, floor: f.floor }];
  });
}

/** Lines like `ring-oneway / postmessage-oneway = 8.1x (floor 5x) ok`. */
export function ratios(suite: string, results: readonly BenchResult[]): string[] {
  return floorRatios(suite, results).map(
    (f) => `${f.text} = ${f.ratio.toFixed(2)}x (floor ${f.floor}x) ${f.ratio >= f.floor ? 'ok' : 'BELOW FLOOR'}`,
  );
}

/**
 * After `--repeat=n`: each floor's ratio over the n runs — median, lowest, highest, and how many
 * runs met it — e.g. `steady: … = 0.98x median, 0.95–1.01x over 5 runs, 5/5 ok (floor 0.95x)`.
 */
export function repeatedRatios(suite: string, runs: readonly (readonly BenchResult[])[]): string[] {
  const byText = new Map<string, { floor: number; values: number[] }>();
  for (const results of runs) {
    for (const f of floorRatios(suite, results)) {
      const entry = byText.get(f.text) ?? { floor: f.floor, values: [] };
      entry.values.push(f.ratio);
      byText.set(f.text, entry);
    }
  }
  return [...byText].map(([text, { floor, values }]) => {
    const met = values.filter((x) => x >= floor).length;
    const range = `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}x`;
    return `${text} = ${median(values).toFixed(2)}x median, ${range} over ${values.length} runs, met in ${met}/${values.length} (floor ${floor}x)`;
  });
}
