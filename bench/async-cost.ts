/**
 * What an `async` handler costs on a worker (RESULTS.md, actors, nineteenth session):
 * `npm run build && node dist/bench/async-cost.js [guarded]`. An actor whose handler is async
 * (no await inside) on worker 1 takes 100,000 tells from the main thread in batches of 10,000,
 * each batch followed by an ask: wall time per message. Then, for a handler that awaits a timer:
 * the process CPU while one awaits 2 s (the worker otherwise idle), and 200 sequential asks of
 * one that awaits 1 ms. `guarded`: under the watchdog's restart policy (guarded slices).
 */
import { ActorSystem } from '../src/index.js';
import { AsyncCounter, Sleeper } from './fixtures/async-actors.js';

const guarded = process.argv[2] === 'guarded';
if (process.argv[2] !== undefined && !guarded) {
  console.error('usage: node dist/bench/async-cost.js [guarded]');
  process.exit(2);
}
const system = await ActorSystem.start({
  workers: 1,
  ...(guarded ? { scheduler: { watchdog: { restart: true, limitMs: 1000 } } } : {}),
});
const counter = await system.spawn(AsyncCounter, undefined, { worker: 1 });
const N = guarded ? 20_000 : 100_000;
const t0 = performance.now();
for (let batch = 0; batch < 10; batch++) {
  for (let i = 0; i < N / 10; i++) counter.tell({ type: 'inc' });
  await counter.ask({ type: 'get' }, { timeout: 120_000 });
}
const perMessage = ((performance.now() - t0) * 1000) / N;
const sleeper = await system.spawn(Sleeper, undefined, { worker: 1 });
let c = process.cpuUsage();
await sleeper.ask({ type: 'sleep', ms: 2000 }, { timeout: 10_000 });
const idleCpu = process.cpuUsage(c);
const t1 = performance.now();
c = process.cpuUsage();
for (let i = 0; i < 200; i++) await sleeper.ask({ type: 'sleep', ms: 1 });
const shortCpu = process.cpuUsage(c);
const ms = (u: NodeJS.CpuUsage): string => ((u.user + u.system) / 1000).toFixed(0);
console.log(
  `${guarded ? 'guarded' : 'plain'}: ${N} async messages, ${perMessage.toFixed(2)} µs each; ` +
    `a 2 s await: ${ms(idleCpu)} ms of process CPU; 200 asks of a 1 ms await: ${(performance.now() - t1).toFixed(0)} ms wall, ${ms(shortCpu)} ms CPU`,
);
await system.shutdown();
