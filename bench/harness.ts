import * as hdr from 'hdr-histogram-js';
import os from 'node:os';

/** One line of a suite's output (`--json` prints exactly these fields). */
export interface BenchResult {
  suite: string;
  name: string;
  unit: string;
  /** The headline figure: the median over runs (throughput), or p50 (latency). */
  value: number;
  p50?: number;
  p99?: number;
  p999?: number;
  runs: number;
  /** (max - min) / median over the runs, as a fraction; for latency, over the runs' p50s. */
  spread: number;
}

export interface SuiteContext {
  /** Smaller sizes when `CI` is set or `--quick` is passed. */
  quick: boolean;
  /** Called with each result as soon as it is measured. */
  report(result: BenchResult): void;
  /** Progress text for the human-readable mode (silent with --json). */
  log(text: string): void;
  /** False when `--only=a,b` was given and does not name this benchmark. */
  enabled(name: string): boolean;
  /** The value of a `--name=value` argument (e.g. the soak suite's `--rounds=`), if given. */
  option?(name: string): string | undefined;
}

export type Suite = (ctx: SuiteContext) => Promise<void>;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function spreadOf(values: readonly number[]): number {
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / m;
}

/** A throughput result from per-run rates. */
export function throughput(suite: string, name: string, unit: string, rates: readonly number[]): BenchResult {
  return { suite, name, unit, value: median(rates), runs: rates.length, spread: spreadOf(rates) };
}

/** A latency result (µs) from per-run samples: percentiles over all samples, spread over run p50s. */
export function latency(suite: string, name: string, runs: readonly Float64Array[]): BenchResult {
  const all = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: 3 });
  const p50s: number[] = [];
  for (const samples of runs) {
    const one = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: 3 });
    // Record in nanoseconds for resolution, report in µs.
    for (const us of samples) {
      const ns = Math.max(1, Math.round(us * 1000));
      one.recordValue(ns);
      all.recordValue(ns);
    }
    p50s.push(one.getValueAtPercentile(50) / 1000);
    one.destroy();
  }
  const r: BenchResult = {
    suite,
    name,
    unit: 'µs',
    value: all.getValueAtPercentile(50) / 1000,
    p50: all.getValueAtPercentile(50) / 1000,
    p99: all.getValueAtPercentile(99) / 1000,
    p999: all.getValueAtPercentile(99.9) / 1000,
    runs: runs.length,
    spread: spreadOf(p50s),
  };
  all.destroy();
  return r;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}`;
}

const fmt = (v: number | undefined, unit = ''): string => {
  if (v === undefined) return '';
  if (unit === 'msgs/s' || unit === 'records/s' || unit === 'ops/s') {
    return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${(v / 1e3).toFixed(0)}k`;
  }
  return v >= 100 ? v.toFixed(0) : v.toFixed(2);
};

/** A readable table of results. */
export function table(results: readonly BenchResult[]): string {
  const rows = [['name', 'value', 'unit', 'p50', 'p99', 'p99.9', 'runs', 'spread']];
  for (const r of results) {
    rows.push([
      r.name,
      fmt(r.value, r.unit),
      r.unit,
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.p999),
      String(r.runs),
      `${(r.spread * 100).toFixed(0)}%`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}
