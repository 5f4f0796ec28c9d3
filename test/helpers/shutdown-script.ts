// Starts a system, uses it, shuts it down and does nothing else: the process must then exit by
// itself (test/system/shutdown.test.ts checks it does, which proves no handle was left open).
import { ActorSystem } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';
import { Child } from '../fixtures/family.actor.js';
import { Probe, records } from '../fixtures/probe.actor.js';

const system = await ActorSystem.start({ workers: 2 });
const probe = await system.spawn(Probe, 'shutdown', { dispatcher: 'inline' });
const counters = await Promise.all([0, 1, 2, 3].map((i) => system.spawn(Counter, i)));
await Promise.all([0, 1].map((i) => system.spawn(Child, { probe, name: `child${i}` })));
for (const c of counters) for (let i = 0; i < 1000; i++) c.tell({ type: 'add', n: 1 });
const totals = await Promise.all(counters.map((c) => c.ask({ type: 'get' })));
await system.shutdown();
const stopped = (records('shutdown') as { ev: string }[]).filter((e) => e.ev === 'stopped').length;
console.log(JSON.stringify({ totals, stopped }));
