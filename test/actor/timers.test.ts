import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem, ManualClock } from '../../src/index.js';
import { BackoffParent, Ticker } from '../fixtures/family.actor.js';
import { Probe, records, until } from '../fixtures/probe.actor.js';
import { TimerQueue } from '../../src/runtime/timer-queue.js';

/** Lets the main thread's pump run what is due after a manual clock step. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

test('timers on a test clock: scheduleOnce, scheduleRepeatedly, cancel, receive timeout', async (t) => {
  const clock = new ManualClock();
  const system = await ActorSystem.start({ workers: 0, clock });
  t.after(() => system.shutdown());
  const probe = (await system.spawn(Probe, 'timers')) as ActorRef;
  const list = records('timers') as { ev: string; tag?: string }[];
  const ticker = await system.spawn(Ticker, probe);
  ticker.tell({ type: 'once', ms: 100, tag: 'once' });
  await settle();
  clock.advance(99);
  await settle();
  assert.equal(list.length, 0, 'not yet');
  clock.advance(1);
  await until(() => list.length === 1, 2000, 'the tick');
  assert.deepEqual([...list], [{ ev: 'tick', tag: 'once' }]);

  ticker.tell({ type: 'every', ms: 50, tag: 'every' });
  await settle();
  for (let i = 0; i < 3; i++) {
    clock.advance(50);
    await settle();
  }
  assert.equal(list.filter((e) => e.tag === 'every').length, 3);
  ticker.tell({ type: 'cancel' });
  await settle();
  clock.advance(500);
  await settle();
  assert.equal(list.filter((e) => e.tag === 'every').length, 3, 'cancelled');

  ticker.tell({ type: 'idle', ms: 30 });
  await settle();
  clock.advance(29);
  await settle();
  assert.equal(list.filter((e) => e.ev === 'receive-timeout').length, 0);
  clock.advance(1);
  await until(() => list.some((e) => e.ev === 'receive-timeout'), 2000, 'receive timeout');
});

test('restart backoff on a test clock: 40 ms, then 80 ms, then 160 ms', async (t) => {
  const clock = new ManualClock();
  const system = await ActorSystem.start({ workers: 0, clock });
  t.after(() => system.shutdown());
  const probe = (await system.spawn(Probe, 'backoff')) as ActorRef;
  const list = records('backoff') as { ev: string; name: string }[];
  const parent = await system.spawn(BackoffParent, { probe, name: 'P' });
  const child = (await parent.ask({ type: 'spawn', name: 'C' })) as ActorRef<{ type: 'fail'; message: string }>;
  const restarts = (): number => list.filter((e) => e.ev === 'restarted' && e.name === 'C').length;
  for (const [n, delay] of [
    [1, 40],
    [2, 80],
    [3, 160],
  ] as const) {
    child.tell({ type: 'fail', message: `failure ${n}` });
    await settle();
    clock.advance(delay - 1);
    await settle();
    assert.equal(restarts(), n - 1, `restart ${n} waits ${delay} ms`);
    clock.advance(1);
    await until(() => restarts() === n, 2000, `restart ${n}`);
  }
});

test('cancelled timers do not pile up in the timer queue, and the live ones still fire in order', () => {
  const clock = new ManualClock();
  const timers = new TimerQueue(clock);
  const fired: number[] = [];
  // As a thread that never parks sees them: asks answered long before their 5 s timeout,
  // interleaved with live timers due later. Nothing reaches the heap's top in between.
  for (let i = 0; i < 100_000; i++) {
    const handle = timers.schedule(5000, () => fired.push(-1));
    if (i % 1000 === 0) timers.schedule(10_000 + i, () => fired.push(i));
    handle.cancel();
    handle.cancel(); // twice is harmless
  }
  assert.equal(timers.size, 100);
  const heapLength = (timers as unknown as { heap: { length: number } }).heap.length;
  assert.ok(heapLength <= 2 * 100 + 1025, `heap holds ${heapLength} entries for 100 live timers`);
  clock.advance(200_000);
  assert.equal(timers.runDue(), 100);
  assert.deepEqual(
    fired,
    Array.from({ length: 100 }, (_, k) => k * 1000),
  );
  assert.equal(timers.size, 0);
  assert.equal(timers.untilNext(), Infinity);
  // A fired timer cancelled afterwards changes nothing.
  const late = timers.schedule(1, () => fired.push(7));
  clock.advance(1);
  assert.equal(timers.runDue(), 1);
  late.cancel();
  assert.equal(timers.size, 0);
});
