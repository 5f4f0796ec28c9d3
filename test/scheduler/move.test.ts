import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';
import { FastProducer, type PressureReport, UnboundedSink } from '../fixtures/pressure.actor.js';

test(
  'move: an actor changes worker in the middle of a stream, with its state; nothing is lost or reordered, old refs keep working',
  { timeout: 90_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const n = 60_000;
    const sink = await system.spawn(UnboundedSink, undefined, { worker: 1 });
    const producer = await system.spawn(FastProducer, undefined, { worker: 1 });
    producer.tell({ type: 'go', target: sink, n });
    await new Promise((r) => setTimeout(r, 30)); // the stream is under way (the sink takes ~5 µs per message)
    const before: PressureReport = await sink.ask({ type: 'report' });
    assert.ok(before.received > 0 && before.received < n, `moved mid-stream (${before.received} of ${n} received)`);
    const moved = await system.move(sink, 2);
    assert.equal(moved.participant, 2);
    let report: PressureReport = before;
    const t0 = Date.now();
    while (report.received < n && Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 20));
      report = await sink.ask({ type: 'report' }); // through the old ref: forwarded
    }
    assert.equal(report.received, n, 'every message arrived');
    assert.equal(report.inOrder, true, 'in order across the move (state carried: the count continued)');
    assert.equal((await moved.ask({ type: 'report' })).received, n, 'the new ref reaches the same actor');
    const stats = await system.stats();
    const kindsOn = (w: number) => stats.workers[w - 1]!.kinds.map((k) => k.kind);
    assert.ok(!kindsOn(1).includes('UnboundedSink'), `no longer on worker 1: ${kindsOn(1)}`);
    assert.ok(kindsOn(2).includes('UnboundedSink'), 'now on worker 2');
    assert.equal(stats.workers[0]!.deadLetters + stats.workers[1]!.deadLetters, 0);
    // Move it back: the chain of forwards still delivers, and the name-free ref stays valid.
    const back = await system.move(sink, 1);
    assert.equal(back.participant, 1);
    assert.equal((await sink.ask({ type: 'report' })).received, n);
  },
);

test('move: a counter keeps its state; wrong moves are refused and change nothing', async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());
  const counter = await system.spawn(Counter, 40, { worker: 1, name: 'c' });
  counter.tell({ type: 'add', n: 2 });
  await system.move(counter, 2);
  assert.equal(await counter.ask({ type: 'get' }), 42);
  assert.equal(system.lookup('c')!.participant, 2, 'the name follows the actor');
  await assert.rejects(system.move(counter, 3), /worker=3 must be from 1 to 2/);
  const inline = await system.spawn(Counter, 0, { dispatcher: 'inline' });
  await assert.rejects(system.move(inline, 1), /not a top-level actor on a pool worker/);
  // A handler promise pending: the actor cannot move now, and keeps working where it is.
  const slow = await system.spawn(Counter, 5, { worker: 1 });
  const answer = slow.ask({ type: 'slow-get', ms: 300 });
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(system.move(slow, 2), /cannot move .*a handler promise is pending/);
  assert.equal(await answer, 5);
  assert.equal((await system.move(slow, 2)).participant, 2, 'once idle it moves');
  assert.equal(await slow.ask({ type: 'get' }), 5);
});
