import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem, type SystemEvent } from '../../src/index.js';
import { Counter, type CounterMsg } from '../fixtures/counter.actor.js';
import { Relay } from '../fixtures/relay.actor.js';

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

test('a ref kept past shutdown reaches nothing in the next system: not the actor that took its id', { timeout: 30_000 }, async () => {
  const first = await ActorSystem.start({ workers: 1 });
  const old = await first.spawn(Counter, 100);
  const oldInline = await first.spawn(Counter, 200, { dispatcher: 'inline' });
  assert.equal(await old.ask({ type: 'get' }), 100);
  await first.shutdown();

  // No system: a clear error, not "start one".
  assert.throws(() => old.tell({ type: 'add', n: 1 }), { code: 'ERR_SYSTEM_STOPPED' });
  assert.equal(await codeOf(old.ask({ type: 'get' })), 'ERR_SYSTEM_STOPPED');

  const second = await ActorSystem.start({ workers: 1 });
  try {
    const fresh = await second.spawn(Counter, 7);
    const freshInline = await second.spawn(Counter, 8, { dispatcher: 'inline' });
    // The same places and ids: before the fix the old refs reached these actors.
    assert.equal(fresh.participant, old.participant);
    assert.equal(fresh.id, old.id);
    assert.equal(freshInline.id, oldInline.id);
    assert.equal(fresh.equals(old), false);
    assert.notEqual(fresh.incarnation, old.incarnation);

    const dead: SystemEvent[] = [];
    second.events.subscribe((e) => e.type === 'dead-letter' && dead.push(e));
    old.tell({ type: 'add', n: 1000 });
    oldInline.tell({ type: 'add', n: 1000 });
    assert.equal(await codeOf(old.ask({ type: 'get' }, { timeout: 2000 })), 'ERR_ACTOR_NOT_FOUND');
    assert.equal(await codeOf(oldInline.ask({ type: 'get' }, { timeout: 2000 })), 'ERR_ACTOR_NOT_FOUND');
    assert.equal(await fresh.ask({ type: 'get' }), 7, 'the new actor got nothing of the old ref');
    assert.equal(await freshInline.ask({ type: 'get' }), 8);
    assert.ok(
      dead.some((e) => e.type === 'dead-letter' && e.reason === 'earlier-system'),
      `dead letters name the reason: ${JSON.stringify(dead)}`,
    );

    // An old ref inside a message keeps its incarnation on another thread.
    const relay = await second.spawn(Relay, undefined);
    const viaWorker = await relay.ask({
      type: 'ask-via',
      target: old as ActorRef,
      message: { type: 'get' } satisfies CounterMsg,
      timeout: 2000,
    });
    assert.deepEqual(viaWorker, { code: 'ERR_ACTOR_NOT_FOUND' });
    const viaWorkerFresh = await relay.ask({
      type: 'ask-via',
      target: fresh as ActorRef,
      message: { type: 'get' } satisfies CounterMsg,
      timeout: 2000,
    });
    assert.deepEqual(viaWorkerFresh, { reply: 7 });
  } finally {
    await second.shutdown();
  }
});
