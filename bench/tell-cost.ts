/**
 * The cost of one tell, per process, for A/B runs between builds or tracing rates (RESULTS.md,
 * observability, eighteenth and nineteenth sessions): `npm run build && node
 * dist/bench/tell-cost.js <rate|off> [runs] [local|cross]`. A Blaster on worker 1 tells a Sink
 * (worker 1: local, worker 2: cross) `TELL` messages (default 1,000,000), 100 per turn, `runs`
 * times after 2 warm-up runs; prints the wall and the process CPU (every thread) per message of
 * each run and their medians, then, over the timed runs, the CPU per message of the three
 * busiest threads (on Linux: the two workers and the main thread) and their context switches
 * per run (voluntary: parks; involuntary: preemptions). `off`: no `tracing` option; a number:
 * tracing at that sample rate, with an exporter that counts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { ActorSystem } from '../src/index.js';
import { Blaster, Sink } from './fixtures/bench-actors.js';
import { median } from './harness.js';

interface ThreadTimes {
  /** CPU time, clock ticks (utime + stime). */
  ticks: number;
  voluntary: number;
  involuntary: number;
}

/** Every thread of this process, by id, from /proc (Linux; empty elsewhere). */
function threads(): Map<string, ThreadTimes> {
  const out = new Map<string, ThreadTimes>();
  try {
    for (const task of readdirSync('/proc/self/task')) {
      try {
        const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const status = readFileSync(`/proc/self/task/${task}/status`, 'utf8');
        out.set(task, {
          ticks: Number(fields[11]) + Number(fields[12]),
          voluntary: Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
          involuntary: Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
        });
      } catch {
        // The thread ended meanwhile.
      }
    }
  } catch {
    // Not Linux.
  }
  return out;
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
let before = new Map<string, ThreadTimes>();
for (let i = 0; i < runs + 2; i++) {
  if (i === 2) before = threads();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const done = sink.ask({ type: 'expect', n: TELL }, { timeout: 120_000 });
  blaster.tell({ type: 'blast', target: sink, n: TELL, chunk: 100 });
  await done;
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (i < 2) continue;
  wall.push((ms * 1e6) / TELL);
  cpu.push(((c.user + c.system) * 1e3) / TELL);
}
const after = threads();
const list = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' ');
// Clock ticks are 10 ms here (USER_HZ 100).
const busiest = [...after]
  .map(([id, t]) => {
    const b = before.get(id) ?? { ticks: 0, voluntary: 0, involuntary: 0 };
    return {
      ns: ((t.ticks - b.ticks) * 1e7) / (runs * TELL),
      voluntary: (t.voluntary - b.voluntary) / runs,
      involuntary: (t.involuntary - b.involuntary) / runs,
    };
  })
  .sort((a, b) => b.ns - a.ns)
  .slice(0, 3);
console.log(
  `${where} tracing ${rateArg}: wall ns/msg ${list(wall)} (median ${median(wall).toFixed(0)}), ` +
    `cpu ns/msg ${list(cpu)} (median ${median(cpu).toFixed(0)}), spans ${exported}` +
    (busiest.length === 0
      ? ''
      : `; busiest threads, cpu ns/msg and switches per run (voluntary/involuntary): ${busiest
          .map((t) => `${t.ns.toFixed(0)} (${t.voluntary.toFixed(0)}/${t.involuntary.toFixed(0)})`)
          .join(', ')}`),
);
await system.shutdown();
