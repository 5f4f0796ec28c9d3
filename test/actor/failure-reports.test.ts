import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem, type SystemEvent, oneForOne } from '../../src/index.js';
import { Failing, type FailingMsg, StrictParent } from '../fixtures/failing.actor.js';
import { Relay } from '../fixtures/relay.actor.js';

const failure = async (p: Promise<unknown>): Promise<{ code?: string; message: string; cause?: { message?: string } }> => {
  try {
    await p;
  } catch (error) {
    return error as { code?: string; message: string; cause?: { message?: string } };
  }
  assert.fail('expected a rejection');
};

for (const dispatcher of ['pool', 'inline'] as const) {
  test(
    `an ask whose handler throws or rejects fails at once with ERR_ACTOR_FAILED and the cause (${dispatcher})`,
    { timeout: 30_000 },
    async (t) => {
      const system = await ActorSystem.start({ workers: 1 });
      t.after(() => system.shutdown());
      const actor = await system.spawn(Failing, undefined, { dispatcher });
      // A timeout long enough that the old behaviour (waiting it out) fails the test's own timeout budget.
      const thrown = await failure(actor.ask({ type: 'boom' }, { timeout: 20_000 }));
      assert.equal(thrown.code, 'ERR_ACTOR_FAILED', thrown.message);
      assert.match(thrown.message, /Failing#\d+.*failed on 'boom': boom/);
      assert.equal(thrown.cause?.message, 'boom');
      const rejected = await failure(actor.ask({ type: 'reject' }, { timeout: 20_000 }));
      assert.equal(rejected.code, 'ERR_ACTOR_FAILED');
      assert.match(rejected.message, /async boom/);
      // Restarted by the guardian (state fresh), and answers again.
      assert.equal(await actor.ask({ type: 'get' }), 1);
    },
  );
}

test('an ask from an actor on another thread also fails at once with ERR_ACTOR_FAILED', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());
  const actor = await system.spawn(Failing, undefined, { worker: 1 });
  const relay = await system.spawn(Relay, undefined, { worker: 2 });
  const result = await relay.ask(
    { type: 'ask-via', target: actor as ActorRef, message: { type: 'boom' } satisfies FailingMsg, timeout: 20_000 },
    { timeout: 25_000 },
  );
  assert.deepEqual(result, { code: 'ERR_ACTOR_FAILED' });
});

test('a child stopped for exceeding its restart intensity is reported on system.events', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 1 });
  t.after(() => system.shutdown());
  const events: SystemEvent[] = [];
  system.events.subscribe((e) => events.push(e));
  const parent = await system.spawn(StrictParent, undefined);
  const child = await parent.ask({ type: 'spawn' });
  for (let i = 0; i < 3; i++) await failure(child.ask({ type: 'boom' }));
  // The third failure stops it: asks to it now fail as to a stopped actor.
  const after = await failure(child.ask({ type: 'get' }, { timeout: 5000 }));
  assert.equal(after.code, 'ERR_ACTOR_NOT_FOUND');
  const stopped = events.filter((e) => e.type === 'actor-failed' && e.actor === String(child));
  assert.equal(stopped.length, 1, JSON.stringify(events));
  assert.match((stopped[0] as { directive: string }).directive, /more than 2 restarts within 10000 ms/);
});

test('ctx.respond after the handler returned is ERR_OUTSIDE_HANDLER; the kept sender answers the ask', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 1 });
  t.after(() => system.shutdown());
  const actor = await system.spawn(Failing, undefined);
  actor.tell({ type: 'respond-later' });
  let code: unknown = null;
  for (let i = 0; i < 100 && code === null; i++) {
    await new Promise((r) => setTimeout(r, 10));
    code = await actor.ask({ type: 'late-error' });
  }
  assert.equal(code, 'ERR_OUTSIDE_HANDLER');
  assert.equal(await actor.ask({ type: 'reply-later', value: 42 }), 42);
});

test('the system guardian decides for actors on workers too: stop, resume, from the error', { timeout: 30_000 }, async (t) => {
  const seen: { name: string; message: string }[] = [];
  const system = await ActorSystem.start({
    workers: 1,
    guardian: oneForOne({
      decider: (error) => {
        const e = error as Error;
        seen.push({ name: e.name, message: e.message });
        return e.name === 'TypeError' ? 'resume' : 'stop';
      },
    }),
  });
  t.after(() => system.shutdown());
  const events: SystemEvent[] = [];
  system.events.subscribe((e) => e.type === 'actor-failed' && events.push(e));
  const resumed = await system.spawn(Failing, undefined);
  await failure(resumed.ask({ type: 'reject' })); // a TypeError: resume, state kept
  assert.equal(await resumed.ask({ type: 'get' }), 2, 'resumed with its state (2 messages handled)');
  const stopped = await system.spawn(Failing, undefined);
  await failure(stopped.ask({ type: 'boom' }));
  const after = await failure(stopped.ask({ type: 'get' }, { timeout: 5000 }));
  assert.equal(after.code, 'ERR_ACTOR_NOT_FOUND', 'the decider said stop: before the fix the worker restarted it');
  assert.deepEqual(seen, [
    { name: 'TypeError', message: 'async boom' },
    { name: 'Error', message: 'boom' },
  ]);
  assert.deepEqual(
    events.map((e) => (e as { directive: string }).directive),
    ['resume', 'stop'],
  );
});
