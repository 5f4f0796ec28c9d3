import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';
import { Child, OneForOneParent, Watcher } from '../fixtures/family.actor.js';
import { Forwarder } from '../fixtures/forwarder.actor.js';
import { Probe, records, until } from '../fixtures/probe.actor.js';

type Event = { ev: string; ref?: ActorRef; name?: string };

test(
  'death watch across a worker death: Terminated for the actors that are gone, watches kept on the re-created ones',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const onWorker = records('wd-worker') as Event[];
    const onMain = records('wd-main') as Event[];
    const lifecycle = records('wd-life') as Event[];
    const probeWorker = await system.spawn(Probe, 'wd-worker', { dispatcher: 'inline' });
    const probeMain = await system.spawn(Probe, 'wd-main', { dispatcher: 'inline' });
    const life = (await system.spawn(Probe, 'wd-life', { dispatcher: 'inline' })) as ActorRef;
    const watchers = [
      await system.spawn(Watcher, probeWorker as ActorRef, { worker: 2 }),
      await system.spawn(Watcher, probeMain as ActorRef, { dispatcher: 'inline' }),
    ];
    // On worker 1: a top-level actor (re-created by the replacement), one stopped just before the
    // worker dies, and a child (children die with their worker).
    const kept = await system.spawn(Child, { probe: life, name: 'kept' }, { worker: 1 });
    const stopped = await system.spawn(Child, { probe: life, name: 'stopped' }, { worker: 1 });
    const parent = await system.spawn(OneForOneParent, { probe: life, name: 'parent' }, { worker: 1 });
    const child = (await parent.ask({ type: 'spawn', name: 'child' })) as ActorRef;
    for (const w of watchers)
      for (const target of [kept, stopped, child]) assert.equal(await w.ask({ type: 'watch', target: target as ActorRef }), 'ok');

    system.stop(stopped);
    await system.terminateWorker(1); // right after: before the fix, these notices were lost
    await until(() => system.replacements === 1, 10_000, 'the replacement');
    const terminatedOf = (list: Event[]): string[] =>
      list
        .filter((e) => e.ev === 'terminated')
        .map((e) => (e.ref!.equals(stopped) ? 'stopped' : e.ref!.equals(child) ? 'child' : e.ref!.equals(kept) ? 'kept' : String(e.ref)))
        .sort();
    await until(() => terminatedOf(onWorker).length >= 2 && terminatedOf(onMain).length >= 2, 10_000, 'Terminated for the actors gone');
    assert.deepEqual(terminatedOf(onWorker), ['child', 'stopped']);
    assert.deepEqual(terminatedOf(onMain), ['child', 'stopped']);

    // The re-created actor got its spawn arguments back with a working ref (its hooks report to the probe).
    await until(
      () => lifecycle.filter((e) => e.ev === 'started' && e.name === 'kept').length === 2,
      10_000,
      'the re-created actor started',
    );
    // Its watchers still watch it.
    system.stop(kept);
    await until(
      () => terminatedOf(onWorker).length === 3 && terminatedOf(onMain).length === 3,
      10_000,
      'Terminated for the re-created actor',
    );
    assert.deepEqual(terminatedOf(onWorker), ['child', 'kept', 'stopped']);
    assert.deepEqual(terminatedOf(onMain), ['child', 'kept', 'stopped']);
  },
);

test(
  'a re-created actor gets its spawn arguments back as they were, refs to worker and main-thread actors included',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const seen = records('fwd') as unknown[];
    const inline = (await system.spawn(Probe, 'fwd', { dispatcher: 'inline' })) as ActorRef;
    const counter = await system.spawn(Counter, 0, { worker: 2 });
    const toMain = await system.spawn(Forwarder, { to: inline, tag: 'main' }, { worker: 1 });
    const toWorker = await system.spawn(Forwarder, { to: counter as ActorRef, tag: 'worker' }, { worker: 1 });
    await system.terminateWorker(1);
    await until(() => system.replacements === 1, 10_000, 'the replacement');
    // Before the fix: DataCloneError from the inline ref (the process died), or "s.to.tell is not a function".
    toMain.tell({ type: 'add', n: 1 });
    toWorker.tell({ type: 'add', n: 2 });
    await until(() => seen.length === 1, 10_000, 'the forward to the main thread');
    assert.deepEqual(seen, [{ type: 'add', n: 1 }]);
    let total = 0;
    await until(
      () => {
        void counter.ask({ type: 'get' }).then((n) => (total = n));
        return total === 2;
      },
      10_000,
      'the forward to the worker',
    );
  },
);
