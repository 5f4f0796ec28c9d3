// A watch that races a stop: the watch record from one worker and the stop from the main thread
// can both wait in the target's system queue when its turn begins, stop first. The watcher must
// get Terminated all the same (before the fix, about one try in four on this machine got none).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Idle, Monitor } from '../guides/death-watch.actor.js';

test('a watch racing a stop across workers always ends in Terminated (40 tries)', { timeout: 60_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());
  const monitor = await system.spawn(Monitor, undefined, { worker: 1 });
  const tries = 40;
  for (let i = 0; i < tries; i++) {
    const target = await system.spawn(Idle, undefined, { worker: 2 });
    monitor.tell({ type: 'watch', target });
    system.stop(target);
    let gone: ActorRef[] = [];
    for (const start = Date.now(); gone.length <= i && Date.now() - start < 5000; await new Promise((r) => setTimeout(r, 2)))
      gone = await monitor.ask({ type: 'gone' });
    assert.equal(gone.length, i + 1, `try ${i}: Terminated for ${target}`);
    assert.ok(gone[i]!.equals(target));
  }
});
