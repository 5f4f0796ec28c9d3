import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { TransportEndpoint, createTransport, transferListOf } from '../../src/transport/transport.js';

test('a worker parked only through waitAsync stays alive until rung, then exits by itself', { timeout: 30_000 }, async () => {
  const [mainInit, workerInit] = createTransport({ participants: 2, ringCapacity: 1 << 12 });
  const worker = new Worker(new URL('../helpers/park-async-worker.js', import.meta.url), {
    workerData: workerInit,
    transferList: transferListOf(workerInit!),
  });
  let exited = false;
  const exit = new Promise<number>((resolve) => worker.once('exit', (code) => ((exited = true), resolve(code))));
  const reply = new Promise<{ result: string; got: unknown[] }>((resolve) => worker.once('message', resolve));
  const main = new TransportEndpoint(mainInit!);
  // Wait until the worker has announced it parks, then a while longer.
  while (!main.mesh.bells[1]!.isParked()) await sleep(5);
  await sleep(300);
  assert.equal(exited, false, 'the parked worker is still alive');
  assert.equal(main.send(1, 1, { wake: 'up' }), true);
  main.flush();
  assert.deepEqual(await reply, { result: 'woken', got: [{ wake: 'up' }] });
  assert.equal(await exit, 0, 'and exits by itself once it is done');
  main.close();
});

test('the main thread parks without blocking: timers keep running while it waits', async () => {
  const [mainInit, otherInit] = createTransport({ participants: 2, ringCapacity: 1 << 12 });
  const main = new TransportEndpoint(mainInit!);
  const other = new TransportEndpoint(otherInit!);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  setTimeout(() => {
    other.send(0, 1, 'hello');
    other.flush();
  }, 100);
  assert.equal(await main.parkAsync(10_000), 'woken');
  clearInterval(timer);
  // A blocked thread runs no timer at all (nor the one that sends): one tick proves the loop ran.
  assert.ok(ticks >= 1, `the event loop ran ${ticks} timer ticks while parked`);
  const got: unknown[] = [];
  main.drain({ onMessage: (_t, _a, _b, m) => got.push(m) });
  assert.deepEqual(got, ['hello']);
  main.close();
  other.close();
});

test('a quiet send is published without waking a parked owner, until its ring is a quarter full; a loud one wakes it', async () => {
  const [mainInit, otherInit] = createTransport({ participants: 2, ringCapacity: 1 << 12 });
  const main = new TransportEndpoint(mainInit!);
  const other = new TransportEndpoint(otherInit!);
  const bell = other.mesh.bells[0]!;
  main.mesh.bells[0]!.prepareToPark();
  assert.equal(bell.isParked(), true);
  // 40 bytes of a 4 KiB ring: published, the owner left parked.
  assert.equal(other.sendAside(0, 1, 'quiet one', 0, 0, false), true);
  other.flush();
  assert.equal(bell.isParked(), true, 'a quiet record does not ring');
  // Over a quarter of the ring: the quiet send rings after all, so what waits behind a full ring is drained.
  assert.equal(other.sendAside(0, 1, 'x'.repeat(1200), 0, 0, false), true);
  other.flush();
  assert.equal(bell.isParked(), false, 'a ring over a quarter full wakes its owner');
  main.mesh.bells[0]!.cancelPark();
  // Both records are there, in order.
  const got: unknown[] = [];
  main.drain({ onMessage: (_t, _h0, _h1, m) => void got.push(m) });
  assert.deepEqual(got, ['quiet one', 'x'.repeat(1200)]);
  // A loud send wakes a parked owner at once.
  main.mesh.bells[0]!.prepareToPark();
  other.sendAside(0, 1, 'loud', 0, 0, true);
  other.flush();
  assert.equal(bell.isParked(), false);
  main.mesh.bells[0]!.cancelPark();
  main.close();
  other.close();
});
