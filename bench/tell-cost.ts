/**
 * The cost of one tell, per process, for A/B runs between builds or tracing rates (RESULTS.md,
 * observability, eighteenth session): `npm run build && node dist/bench/tell-cost.js <rate|off>
 * [runs] [local|cross]`. A Blaster on worker 1 tells a Sink (worker 1: local, worker 2: cross)
 * `TELL` messages (default 1,000,000), 100 per turn, `runs` times after 2 warm-up runs; prints
 * the wall and the process CPU (every thread) per message of each run and their medians. `off`:
 * no `tracing` option; a number: tracing at that sample rate, with an exporter that counts.
 */
import { ActorSystem } from '../src/index.js';
import { Blaster, Sink } from './fixtures/bench-actors.js';
import { median } from './harness.js';
import { readFileSync, readdirSync } from 'node:fs';

/** Context switches of every thread of this process so far (voluntary: parks and waits; involuntary: preemptions), from /proc (Linux; zeros elsewhere). */
function switches(): { voluntary: number; involuntary: number } {
  let voluntary = 0;
  let involuntary = 0;
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const status = readFileSync(`/proc/self/task/${task}/status`, 'utf8');
      voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }
  } catch {
    // Not Linux: no counts.
  }
  return { voluntary, involuntary };
}

const rateArg = process.argv[2] ?? 'off';
const runs = Number(process.argv[3] ?? 6);
const where = process.argv[4] ?? 'local';
const TELL = Number(process.env.TELL ?? 1_000_000);
const rate = rateArg === 'off' ? null : Number(rateArg);
if ((rate !== null && !(rate >= 0 && rate <= 1)) || !(runs >= 1) || !['local', 'cross'].includes(where) || !(TELL > 0)) {
  console.error('usage: [TELL=n] node dist/bench/tell-cost.js <off|0..1> [runs] [local|cross]');
  process.exit(2);
}
let exported = 0;
const exporter = {
  export(spans: unknown[], done: (result: { code: number }) => void): void {
    exported += spans.length;
    done({ code: 0 });
  },
};
const system = await ActorSystem.start({
  workers: 2,
  scheduler: { adaptive: false },
  ...(rate === null ? {} : { tracing: { exporter, sampleRate: rate } }),
});
const blaster = await system.spawn(Blaster, undefined, { worker: 1 });
const sink = await system.spawn(Sink, undefined, { worker: where === 'cross' ? 2 : 1 });
const wall: number[] = [];
const cpu: number[] = [];
const vol: number[] = [];
const invol: number[] = [];
for (let i = 0; i < runs + 2; i++) {
  const s0 = switches();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const done = sink.ask({ type: 'expect', n: TELL }, { timeout: 120_000 });
  blaster.tell({ type: 'blast', target: sink, n: TELL, chunk: 100 });
  await done;
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const s1 = switches();
  if (i < 2) continue;
  vol.push(((s1.voluntary - s0.voluntary) * 1000) / TELL);
  invol.push(((s1.involuntary - s0.involuntary) * 1000) / TELL);
  wall.push((ms * 1e6) / TELL);
  cpu.push(((c.user + c.system) * 1e3) / TELL);
}
const list = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' ');
console.log(
  `${where} tracing ${rateArg}: wall ns/msg ${list(wall)} (median ${median(wall).toFixed(0)}), ` +
    `cpu ns/msg ${list(cpu)} (median ${median(cpu).toFixed(0)}), ` +
    `switches per 1,000 msgs: voluntary ${median(vol).toFixed(1)}, involuntary ${median(invol).toFixed(1)}, spans ${exported}`,
);
await system.shutdown();
