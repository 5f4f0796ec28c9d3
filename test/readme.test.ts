// Keeps the README's "Hello, rings" true: the same calls, run for real.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ActorSystem } from '../src/index.js';
import { TransportEndpoint, createTransport, transferListOf } from '../src/engine.js';
import { Counter } from './fixtures/readme-counter.actor.js';

test('README hello-actor: spawn on a worker, tell, typed ask, shutdown', async () => {
  const system = await ActorSystem.start({ workers: 2 });
  const counter = await system.spawn(Counter, 0); // placed on a worker
  counter.tell({ type: 'add', n: 5 });
  const total: number = await counter.ask({ type: 'get' }, { timeout: 1000 }); // typed: number
  assert.equal(total, 5);
  await system.shutdown();
});

test('README hello: a message to a worker and its echo back', async () => {
  const [mainInit, workerInit] = createTransport({ participants: 2 });
  const worker = new Worker(new URL('./helpers/echo-worker.js', import.meta.url), {
    workerData: workerInit,
    transferList: transferListOf(workerInit!),
  });
  const main = new TransportEndpoint(mainInit!);
  assert.equal(main.send(1, 1, { type: 'inc', id: 1, value: 42 }), true);
  main.flush();
  const replies: unknown[] = [];
  while (replies.length === 0) {
    await main.parkAsync(1000);
    main.drain({ onMessage: (_type, _h0, _h1, msg) => replies.push(msg) });
  }
  assert.deepEqual(replies, [{ type: 'inc', id: 1, value: 42 }]);
  main.send(1, 0, null);
  main.flush();
  assert.equal(await new Promise((resolve) => worker.once('exit', resolve)), 0);
  main.close();
});
