// Per-actor backpressure: a producer flooding a slow consumer on another worker is held once the
// consumer's backlog passes its high-water mark, so the messages in flight toward it (mailbox,
// rings, overflow) stay bounded whatever the handler's time; a fast actor on the same worker,
// fed from the same producer thread, keeps getting its messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { FastSink, Flooder, type SinkMsg, type SinkReport, SlowSink } from '../../bench/fixtures/slow-consumer.actor.js';
import { until } from '../fixtures/probe.actor.js';

const RING = 64 * 1024;
/** The smallest ring record an item can take (8-byte record header, 8 of actor headers, format, shape, values; 8-aligned). */
const MIN_RECORD = 24;
const HIGH_WATER = 1000;
const CHUNK = 100;
/** The documented bound: the high-water mark, what the rings toward the consumer hold, one turn of each producer. */
const BOUND = HIGH_WATER + Math.floor(RING / MIN_RECORD) + 2 * CHUNK;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `sink` has received `n` messages; its last report. An ask is a message too: asked only while not backpressured. */
async function allArrived(sink: ActorRef<SinkMsg, SinkReport>, n: number, ms: number): Promise<SinkReport> {
  let last: SinkReport = { received: 0, inOrder: true };
  await until(
    () => {
      if (!sink.backpressured) void sink.ask({ type: 'report' }).then((r) => (last = r));
      return last.received === n;
    },
    ms,
    `all ${n} accepted messages`,
  );
  return last;
}

for (const us of [50, 200, 1000]) {
  test(
    `a ${us} µs consumer holds its producer back: in flight ≤ ${BOUND}, nothing lost or reordered, the neighbour keeps its pace`,
    { timeout: 60_000 },
    async (t) => {
      const system = await ActorSystem.start({ workers: 2, ringCapacity: RING });
      t.after(() => system.shutdown());
      const slow = await system.spawn(SlowSink, us, { worker: 2, mailbox: { highWater: HIGH_WATER } });
      const fast = await system.spawn(FastSink, 0, { worker: 2 });
      const producer = await system.spawn(Flooder, undefined, { worker: 1 });
      const feeder = await system.spawn(Flooder, undefined, { worker: 1 });
      producer.tell({ type: 'go', target: slow as ActorRef<SinkMsg, SinkReport>, chunk: CHUNK });
      feeder.tell({ type: 'go', target: fast as ActorRef<SinkMsg, SinkReport>, chunk: CHUNK });
      // The consumer's worker measures its actors first, then the window is sampled.
      await sleep(1000);
      let maxInFlight = 0;
      let heldSeen = 0;
      const until2s = Date.now() + 2000;
      const slow0 = (await slow.ask({ type: 'report' })).received;
      const fast0 = (await fast.ask({ type: 'report' })).received;
      while (Date.now() < until2s) {
        // The slow actor's backlog, from the worker itself (an ask would wait behind it), and what
        // the ring toward it holds, counted at the smallest record size.
        const stats = await system.stats();
        const backlog = stats.workers[1]!.kinds.find((k) => k.kind === 'SlowSink')?.mailbox ?? 0;
        maxInFlight = Math.max(maxInFlight, backlog + Math.ceil((stats.workers[1]!.ringFill * RING) / MIN_RECORD));
        if (stats.workers[0]!.kinds.some((k) => k.kind === 'Flooder' && k.held > 0)) heldSeen++;
        await sleep(20);
      }
      const slowGot = (await slow.ask({ type: 'report' })).received - slow0;
      const fastGot = (await fast.ask({ type: 'report' })).received - fast0;
      producer.tell({ type: 'stop' });
      feeder.tell({ type: 'stop' });
      assert.ok(maxInFlight <= BOUND, `at most ${BOUND} in flight toward the slow actor, saw ${maxInFlight}`);
      assert.ok(heldSeen > 0, 'the producer was seen held');
      // Time, not message count, is shared: the fast actor gets many times the slow one's messages
      // (message-fair turns would give it about as many; before the fix it got fewer).
      assert.ok(fastGot >= 10 * slowGot, `the fast neighbour got ${fastGot} messages while the slow actor got ${slowGot}`);
      // Everything sent arrives, once, in order.
      const sent = await producer.ask({ type: 'sent' });
      let last: SinkReport = { received: 0, inOrder: true };
      await until(
        () => {
          void slow.ask({ type: 'report' }).then((r) => (last = r));
          return last.received === sent;
        },
        30_000,
        `the slow actor to receive all ${sent}`,
      );
      assert.equal(last.inOrder, true);
      const dead = (await system.stats()).workers.reduce((n, w) => n + w.deadLetters, 0);
      assert.equal(dead, 0, 'no dead letters');
    },
  );
}

test(
  'a main-thread loop that never yields to the event loop is held too: `await ref.send()` follows the consumer, and `tell` is refused past the limit',
  { timeout: 90_000 },
  async (t) => {
    // The main thread reads its rings (the consumer's 'congested' and grants) every 256 sends
    // outside actors, not only when its event loop turns: a tight loop awaiting only microtasks
    // must not run ahead of the consumer.
    const system = await ActorSystem.start({ workers: 1, ringCapacity: RING });
    t.after(() => system.shutdown());
    const first = await system.spawn(SlowSink, 200, { mailbox: { highWater: 200 } });
    const second = await system.spawn(SlowSink, 200, { mailbox: { highWater: 200 } });
    const sends = 10_000;
    for (let i = 0; i < sends; i++) await first.send({ type: 'item', n: i });
    const stats = await system.stats();
    const queued = stats.workers[0]!.kinds.find((k) => k.kind === 'SlowSink')?.mailbox ?? 0;
    // In flight: the mark, a grant (≤ the mark), the sends between two reads of the rings, and
    // the ring's records at the first congestion (under RING / MIN_RECORD). Before: ~all 10,000.
    const bound = 200 + 200 + 256 + Math.floor(RING / MIN_RECORD);
    assert.ok(queued <= bound, `the consumer's mailbox held ${queued} after ${sends} sends (bound ${bound})`);
    assert.equal((await allArrived(first, sends, 60_000)).inOrder, true);
    // Ignoring it, yielding only to microtasks (which publish the main thread's sends): refused
    // once a default mark's worth (32,768) more went out without credit. Before, only the ring's
    // overflow limit refused (262,144 + the ring). How many went before the congestion notice
    // reached this thread depends on when the worker woke and read the ring (a few thousand
    // here, more on a loaded machine), so the exact count is congestion.test.ts's; this asserts
    // the regime: well under twice the limit.
    let refused: { code?: string } | null = null;
    let told = 0;
    try {
      for (; told < 200_000; told++) {
        second.tell({ type: 'item', n: told });
        if (told % 1000 === 999) await null;
      }
    } catch (error) {
      refused = error as { code?: string };
    }
    assert.equal(refused?.code, 'ERR_BACKPRESSURE', `refused after ${told} tells`);
    assert.ok(told < 2 * 32_768, `refused after ${told} tells`);
    assert.equal((await allArrived(second, told, 60_000)).inOrder, true);
  },
);

test(
  'the main thread sees ref.backpressured, awaits ref.send(), and gets ERR_BACKPRESSURE past the limit; nothing else is lost',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    const slow = await system.spawn(SlowSink, 200, { mailbox: { highWater: 100 } });
    let n = 0;
    // Tell until the consumer's backlog crosses its mark and the main thread hears of it.
    while (!slow.backpressured && n < 100_000) {
      slow.tell({ type: 'item', n: n++ });
      if (n % 50 === 0) await sleep(1);
    }
    assert.equal(slow.backpressured, true, `backpressured after ${n} messages`);
    // send() waits for a grant: the backlog is down to half a grant (at most half the mark).
    await slow.send({ type: 'item', n: n++ });
    // Ignoring it: refused with ERR_BACKPRESSURE once a default mark's worth more went out.
    let refused: { code?: string } | null = null;
    while (n < 200_000) {
      try {
        slow.tell({ type: 'item', n });
        n++;
      } catch (error) {
        refused = error as { code?: string };
        break;
      }
      // Let the main thread read its rings now and then (the consumer's 'congested' notice).
      if (n % 1000 === 0) await sleep(0);
    }
    assert.equal(refused?.code, 'ERR_BACKPRESSURE');
    const last = await allArrived(slow, n, 30_000);
    assert.equal(last.inOrder, true, 'the refused message left no gap: the ones accepted arrived in order');
  },
);

test('a consumer that speeds up under flow control keeps granting: its producer is never left waiting', { timeout: 60_000 }, async (t) => {
  // Grants follow the measured handler time: when it drops, grants grow. A producer that spent
  // the last (smaller) grant must still get the next one (before the fix it waited for ever).
  const system = await ActorSystem.start({ workers: 2, ringCapacity: RING });
  t.after(() => system.shutdown());
  const sink = await system.spawn(SlowSink, 300, { worker: 2, mailbox: { highWater: HIGH_WATER } });
  const producer = await system.spawn(Flooder, undefined, { worker: 1 });
  producer.tell({ type: 'go', target: sink as ActorRef<SinkMsg, SinkReport>, chunk: CHUNK });
  await sleep(1500);
  sink.tell({ type: 'speed', us: 0 });
  const before = await producer.ask({ type: 'sent' }, { timeout: 30_000 });
  await sleep(1500);
  const after = await producer.ask({ type: 'sent' }, { timeout: 30_000 });
  assert.ok(after - before > 10_000, `the producer went on once the consumer was fast: ${after - before} sent in 1.5 s`);
  producer.tell({ type: 'stop' });
  const sent = await producer.ask({ type: 'sent' }, { timeout: 30_000 });
  let last: SinkReport = { received: 0, inOrder: true };
  await until(
    () => {
      void sink.ask({ type: 'report' }).then((r) => (last = r));
      return last.received === sent;
    },
    30_000,
    `all ${sent} messages`,
  );
  assert.equal(last.inOrder, true);
});
