// The README's death-watch guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Idle, Monitor } from './death-watch.actor.js';

test('death watch guide: terminated for a watched actor that stops, none after unwatch', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());

  const monitor = await system.spawn(Monitor, undefined, { worker: 1 });
  const a = await system.spawn(Idle, undefined, { worker: 2 });
  const b = await system.spawn(Idle, undefined, { worker: 2 });
  monitor.tell({ type: 'watch', target: a });
  monitor.tell({ type: 'watch', target: b });
  monitor.tell({ type: 'unwatch', target: b });
  await system.stop(a);
  await system.stop(b);
  // soon after, monitor.ask({ type: 'gone' }) answers [a]: b was unwatched first

  let gone: ActorRef[] = [];
  for (const start = Date.now(); gone.length === 0 && Date.now() - start < 5000; await new Promise((r) => setTimeout(r, 5)))
    gone = await monitor.ask({ type: 'gone' });
  assert.equal(gone.length, 1);
  assert.ok(gone[0]!.equals(a), `${gone[0]} is a`);
  // Watching an actor that is already gone: terminated at once.
  monitor.tell({ type: 'watch', target: b });
  for (const start = Date.now(); gone.length === 1 && Date.now() - start < 5000; await new Promise((r) => setTimeout(r, 5)))
    gone = await monitor.ask({ type: 'gone' });
  assert.equal(gone.length, 2);
  assert.ok(gone[1]!.equals(b), `${gone[1]} is b`);
});
