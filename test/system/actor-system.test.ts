import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, BactorError } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';

test('spawn on a worker, tell, ask, and shut down', { timeout: 20_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());
  const counter = await system.spawn(Counter, 10);
  assert.equal(counter.participant >= 1, true, 'placed on a worker');
  counter.tell({ type: 'add', n: 5 });
  counter.tell({ type: 'add', n: 7 });
  const total: number = await counter.ask({ type: 'get' }, { timeout: 2000 });
  assert.equal(total, 22);
});

test('one system per thread: a second start fails with ERR_SYSTEM_RUNNING and the first keeps working', async () => {
  const system = await ActorSystem.start({ workers: 1 });
  const counter = await system.spawn(Counter, 1);
  await assert.rejects(ActorSystem.start({ workers: 1 }), { code: 'ERR_SYSTEM_RUNNING', message: /await its shutdown\(\) first/ });
  counter.tell({ type: 'add', n: 2 });
  assert.equal(await counter.ask({ type: 'get' }), 3);
  await system.shutdown();
  const next = await ActorSystem.start({ workers: 1 });
  const again = await next.spawn(Counter, 5);
  assert.equal(await again.ask({ type: 'get' }), 5);
  await next.shutdown();
});

test('a wrong rebalance option is refused before any thread starts, and leaves the thread free for the next system', async () => {
  await assert.rejects(ActorSystem.start({ workers: 2, scheduler: { rebalance: { everyMs: 1 } } }), {
    code: 'ERR_INVALID_OPTION',
    message: /everyMs=1 must be ≥ 10/,
  });
  const system = await ActorSystem.start({ workers: 1 });
  const counter = await system.spawn(Counter, 4);
  assert.equal(await counter.ask({ type: 'get' }), 4);
  await system.shutdown();
});

test('inline dispatcher: the actor runs on the main thread', async (t) => {
  const system = await ActorSystem.start({ workers: 1 });
  t.after(() => system.shutdown());
  const counter = await system.spawn(Counter, 1, { dispatcher: 'inline' });
  assert.equal(counter.participant, 0);
  counter.tell({ type: 'add', n: 2 });
  assert.equal(await counter.ask({ type: 'get' }), 3);
});

test('ask timeout names who did not answer to what', async (t) => {
  const system = await ActorSystem.start({ workers: 1 });
  t.after(() => system.shutdown());
  const counter = await system.spawn(Counter, 0);
  await assert.rejects(counter.ask({ type: 'slow-get', ms: 500 }, { timeout: 50 }), (e: unknown) => {
    assert.ok(e instanceof BactorError);
    assert.equal(e.code, 'ERR_ASK_TIMEOUT');
    assert.match(e.message, /Counter#\d+@w1 did not answer slow-get within 50 ms/);
    return true;
  });
});
