import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Blocker } from '../fixtures/blocking.actor.js';
import { Counter } from '../fixtures/counter.actor.js';
import { Child, OneForOneParent } from '../fixtures/family.actor.js';
import { Probe, records, until } from '../fixtures/probe.actor.js';

type ChildRef = ActorRef<{ type: 'get' } | { type: 'slow'; ms: number }, number>;

/**
 * After `await system.stop(ref)` the actor is gone: an ask fails at once. Its stopped hook ran
 * before (it told the probe before its Terminated went out; the probe takes it in its next turn).
 */
async function assertGone(ref: ChildRef, label: string, name: string): Promise<void> {
  await assert.rejects(ref.ask({ type: 'get' }, { timeout: 5000 }), { code: 'ERR_ACTOR_NOT_FOUND' });
  await until(
    () => records(label).some((e) => (e as { ev: string; name: string }).ev === 'stopped' && (e as { name: string }).name === name),
    5000,
    `${name}'s stopped hook`,
  );
}

test('await system.stop(ref) resolves once the actor has stopped: on a worker, inline, and a child', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());
  const probe = await system.spawn(Probe, 'stop-promise', { dispatcher: 'inline' });
  const onWorker = (await system.spawn(Child, { probe, name: 'w' }, { worker: 1 })) as ChildRef;
  await system.stop(onWorker);
  await assertGone(onWorker, 'stop-promise', 'w');

  const inline = (await system.spawn(Child, { probe, name: 'i' }, { dispatcher: 'inline' })) as ChildRef;
  await system.stop(inline);
  await assertGone(inline, 'stop-promise', 'i');

  const parent = await system.spawn(OneForOneParent, { probe, name: 'p' }, { worker: 2 });
  const child = (await parent.ask({ type: 'spawn', name: 'c' })) as unknown as ChildRef;
  await system.stop(child);
  await assertGone(child, 'stop-promise', 'c');
  assert.equal(await parent.ask({ type: 'child', name: 'c' }).then((r) => typeof r), 'object', 'the parent lives on');
});

test(
  'stop of an actor that is gone resolves at once; two stops of one actor both resolve; a stop waiting at shutdown resolves',
  { timeout: 30_000 },
  async () => {
    const system = await ActorSystem.start({ workers: 1 });
    const probe = await system.spawn(Probe, 'stop-twice', { dispatcher: 'inline' });
    const a = (await system.spawn(Child, { probe, name: 'a' }, { worker: 1 })) as ChildRef;
    await Promise.all([system.stop(a), system.stop(a)]);
    await system.stop(a);
    // Busy in a handler for a long while: its stop waits behind the handler, until shutdown ends everything.
    const busy = await system.spawn(Blocker, undefined, { worker: 1 });
    const blocking = busy.ask({ type: 'block', ms: 1500 }).catch(() => undefined);
    // (System messages go first: a stop sent with the block would overtake it.)
    await new Promise((r) => setTimeout(r, 200));
    let resolved = false;
    const stopped = system.stop(busy).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(resolved, false, 'not before the actor stopped');
    await system.shutdown({ timeoutMs: 200 });
    await stopped;
    await blocking;
    assert.equal(resolved, true);
    // After shutdown every actor is stopped: a stop resolves at once.
    await system.stop(busy);
  },
);

test('stop of a moved actor stops it where it lives now; a ref of an earlier system resolves at once', { timeout: 30_000 }, async () => {
  const earlier = await ActorSystem.start({ workers: 1 });
  const stale = await earlier.spawn(Counter, 0, { worker: 1 });
  await earlier.shutdown();
  const system = await ActorSystem.start({ workers: 2 });
  try {
    // Same participant and id as the stale ref (the first actor on worker 1), but of this system.
    const live = await system.spawn(Counter, 1, { worker: 1 });
    assert.equal(live.packed, stale.packed, 'the stale ref names the same address');
    await system.stop(stale);
    assert.equal(await live.ask({ type: 'get' }), 1, 'the live actor is untouched');
    const counter = await system.spawn(Counter, 7, { worker: 1 });
    const moved = await system.move(counter, 2);
    assert.equal(moved.participant, 2);
    await system.stop(counter);
    await assert.rejects(moved.ask({ type: 'get' }, { timeout: 5000 }), { code: 'ERR_ACTOR_NOT_FOUND' });
  } finally {
    await system.shutdown();
  }
});
