/**
 * Main-thread spawning, one way at a time (RESULTS.md, actors, fifth session):
 * `npm run build && node --expose-gc dist/bench/spawn-main.js <worker|many|all|each> [n]`.
 * Prints µs and RSS bytes per actor for n `Leaf` actors on one worker (RSS after a forced GC):
 * worker = `ctx.spawn` inside a worker (the reference), many = `system.spawnMany`,
 * all = `Promise.all` of `system.spawn`, each = `await system.spawn` one by one.
 */
import { ActorSystem } from '../src/index.js';
import { Leaf, Spawner } from './fixtures/bench-actors.js';

const mode = process.argv[2] ?? 'many';
const n = Number(process.argv[3] ?? 100_000);
if (!['worker', 'many', 'all', 'each'].includes(mode) || !(n > 0)) {
  console.error('usage: node --expose-gc dist/bench/spawn-main.js <worker|many|all|each> [n]');
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with --expose-gc: memory is measured after a forced collection');
  process.exit(2);
}
const rss = (): number => {
  gc();
  gc();
  return process.memoryUsage().rss;
};
const system = await ActorSystem.start({ workers: 1 });
const spawner = await system.spawn(Spawner, undefined);
await spawner.ask({ type: 'spawn', n: 1000 }); // warm-up, both ways
await system.spawnMany(
  Leaf,
  Array.from({ length: 1000 }, () => undefined),
);
await new Promise((r) => setTimeout(r, 200));
const rss0 = rss();
const t0 = performance.now();
if (mode === 'worker') await spawner.ask({ type: 'spawn', n }, { timeout: 60_000 });
else if (mode === 'many')
  await system.spawnMany(
    Leaf,
    Array.from({ length: n }, () => undefined),
  );
else if (mode === 'all') await Promise.all(Array.from({ length: n }, () => system.spawn(Leaf, undefined)));
else for (let i = 0; i < n; i++) await system.spawn(Leaf, undefined);
const ms = performance.now() - t0;
await new Promise((r) => setTimeout(r, 300));
console.log(JSON.stringify({ mode, n, usPerActor: +((ms * 1000) / n).toFixed(2), rssBytesPerActor: Math.round((rss() - rss0) / n) }));
await system.shutdown();
