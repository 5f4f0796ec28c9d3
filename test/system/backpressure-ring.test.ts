import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, BactorError } from '../../src/index.js';
import { FastProducer, type PressureReport, UnboundedSink } from '../fixtures/pressure.actor.js';
import { until } from '../fixtures/probe.actor.js';

async function waitFor(predicate: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function report(sink: { ask(m: { type: 'report' }): Promise<PressureReport> }): Promise<PressureReport> {
  return sink.ask({ type: 'report' });
}

test(
  'a full ring suspends the producing actor: bounded overflow, everything delivered once and in order',
  { timeout: 90_000 },
  async (t) => {
    // A 16 KiB ring fills in a few hundred messages; the sink takes ~5 µs per message.
    const system = await ActorSystem.start({ workers: 2, ringCapacity: 16 * 1024 });
    t.after(() => system.shutdown());
    const n = 100_000;
    const sink = await system.spawn(UnboundedSink, undefined, { worker: 2 });
    const producer = await system.spawn(FastProducer, undefined, { worker: 1 });
    producer.tell({ type: 'go', target: sink, n });
    let maxOverflow = 0;
    let suspendedSeen = 0;
    let last: PressureReport = { received: 0, maxBacklog: 0, inOrder: true };
    await until(
      () => {
        void system.stats().then((s) => {
          const w1 = s.workers[0]!;
          maxOverflow = Math.max(maxOverflow, w1.overflow);
          if (w1.suspended > 0) suspendedSeen++;
        });
        void report(sink).then((r) => (last = r));
        return last.received === n;
      },
      60_000,
      'the sink to receive everything',
    );
    assert.equal(last.inOrder, true, 'FIFO held across suspensions');
    assert.ok(suspendedSeen > 0, 'the producer was seen suspended on the full ring');
    // One handler's output at most waits outside the ring: the producer sends 100 per turn.
    assert.ok(maxOverflow <= 101, `overflow stayed within one producer turn: ${maxOverflow}`);
    const after = await system.stats();
    assert.equal(after.workers[0]!.suspended, 0, 'released once the ring drained');
    assert.equal(after.workers[0]!.deadLetters + after.workers[1]!.deadLetters, 0, 'nothing dropped');
    // Nothing more arrives later: exactly n.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await report(sink)).received, n);
  },
);

test('main thread: ref.send() waits for room, ref.backpressured reports the pressure, order holds', { timeout: 60_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 1, ringCapacity: 4096 });
  t.after(() => system.shutdown());
  const sink = await system.spawn(UnboundedSink, undefined);
  const n = 20_000;
  let pressured = 0;
  let maxOverflow = 0;
  for (let i = 0; i < n; i++) {
    const sent = sink.send({ type: 'item', n: i });
    if (sink.backpressured) pressured++;
    await sent;
    if (i % 500 === 0) maxOverflow = Math.max(maxOverflow, (await system.stats()).main.overflow);
  }
  assert.ok(pressured > 0, 'the ring filled at least once');
  assert.ok(maxOverflow <= 1, `send() kept at most the message that found the ring full waiting: ${maxOverflow}`);
  await waitFor(async () => (await report(sink)).received === n, 30_000, 'everything delivered');
  assert.equal((await report(sink)).inOrder, true);
});

test(
  'a caller that ignores the pressure gets ERR_BACKPRESSURE at the overflow limit; what was accepted arrives',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1, ringCapacity: 4096, overflowLimit: 200 });
    t.after(() => system.shutdown());
    const sink = await system.spawn(UnboundedSink, undefined);
    let accepted = 0;
    let error: unknown = null;
    try {
      // A synchronous loop: the ring cannot drain into the main thread's overflow meanwhile.
      for (let i = 0; i < 100_000; i++) {
        sink.tell({ type: 'item', n: i });
        accepted++;
      }
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof BactorError, `refused with a BactorError: ${String(error)}`);
    assert.equal(error.code, 'ERR_BACKPRESSURE');
    assert.match(error.message, /overflowLimit/);
    assert.ok(accepted > 200 && accepted < 100_000, `accepted ${accepted}`);
    await waitFor(async () => !sink.backpressured, 30_000, 'the overflow to drain');
    await waitFor(async () => (await report(sink)).received === accepted, 30_000, 'the accepted messages to arrive');
    const r = await report(sink);
    assert.equal(r.inOrder, true);
    await assert.rejects(ActorSystem.start({ overflowLimit: 0 }), /overflowLimit=0 must be a positive integer/);
  },
);
