import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, type SystemEvent } from '../../src/index.js';
import { ChattyClient, ChattyServer } from '../fixtures/chatty.actor.js';
import { Counter } from '../fixtures/counter.actor.js';
import { FastProducer, type PressureReport, UnboundedSink } from '../fixtures/pressure.actor.js';

test(
  'move: an actor changes worker in the middle of a stream, with its state; nothing is lost or reordered, old refs keep working',
  { timeout: 90_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const n = 200_000;
    const sink = await system.spawn(UnboundedSink, undefined, { worker: 1 });
    const producer = await system.spawn(FastProducer, undefined, { worker: 1 });
    producer.tell({ type: 'go', target: sink, n });
    await new Promise((r) => setTimeout(r, 30)); // the stream is under way (the sink takes ~5 µs per message)
    const before: PressureReport = await sink.ask({ type: 'report' });
    assert.ok(before.received > 0 && before.received < n, `moved mid-stream (${before.received} of ${n} received)`);
    const moved = await system.move(sink, 2);
    assert.equal(moved.participant, 2);
    // And back beside the producer while the stream still runs: its sends to the old ref then go
    // to the forwarder and back, or wait for the move's fence, and must not overtake each other.
    await new Promise((r) => setTimeout(r, 20));
    // Mid-stream: messages wait in its mailbox on worker 2 (a stats request is answered between
    // turns, an ask would only be answered behind that backlog). The producer may be between two
    // grants of the sink's flow control at one instant: look a few times.
    let queued = 0;
    for (let look = 0; look < 50 && queued === 0; look++) {
      queued = (await system.stats()).workers[1]!.kinds.find((k) => k.kind === 'UnboundedSink')?.mailbox ?? 0;
      if (queued === 0) await new Promise((r) => setTimeout(r, 2));
    }
    const home = await system.move(moved, 1);
    assert.equal(home.participant, 1);
    let report: PressureReport = before;
    const t0 = Date.now();
    while (report.received < n && Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 20));
      report = await sink.ask({ type: 'report' }); // through the first ref: forwarded
    }
    assert.equal(report.received, n, 'every message arrived');
    assert.equal(report.inOrder, true, 'in order across both moves (state carried: the count continued)');
    assert.ok(queued > 0, `the second move was mid-stream too (${queued} messages in the mailbox it carried)`);
    assert.equal((await moved.ask({ type: 'report' })).received, n, 'the intermediate ref reaches the same actor');
    assert.equal((await home.ask({ type: 'report' })).received, n, 'so does the newest');
    const stats = await system.stats();
    const kindsOn = (w: number) => stats.workers[w - 1]!.kinds.map((k) => k.kind);
    assert.ok(kindsOn(1).includes('UnboundedSink'), 'back on worker 1');
    assert.ok(!kindsOn(2).includes('UnboundedSink'), `no longer on worker 2: ${kindsOn(2)}`);
    assert.equal(stats.workers[0]!.deadLetters + stats.workers[1]!.deadLetters, 0);
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

test(
  'rebalancing: a chatty pair on two workers is brought onto one, while it talks; nothing lost or reordered',
  { timeout: 90_000 },
  async (t) => {
    const system = await ActorSystem.start({
      workers: 2,
      scheduler: { placement: 'round-robin', rebalance: { everyMs: 200, minMessagesPerSecond: 1000 } },
    });
    t.after(() => system.shutdown());
    const moves: SystemEvent[] = [];
    system.events.subscribe((e) => e.type === 'actor-moved' && moves.push(e));
    // Round robin puts them on two workers (not pinned: `worker: n` would pin them).
    const server = await system.spawn(ChattyServer, undefined);
    const client = await system.spawn(ChattyClient, undefined);
    assert.notEqual(server.participant, client.participant);
    // Rounds of 20k round trips until the rebalancer has moved one of them (how fast the pair
    // talks across threads varies: a parked peer answers in ~60 µs, a spinning one in ~2 µs).
    const n = 20_000;
    let rounds = 0;
    while (moves.length === 0 && rounds < 100) {
      assert.equal(await client.ask({ type: 'run', server, n }, { timeout: 80_000 }), n, 'every pong came back, in order');
      rounds++;
    }
    assert.equal(await client.ask({ type: 'run', server, n }, { timeout: 80_000 }), n, 'and after the move');
    assert.equal(moves.length, 1, `one move: ${JSON.stringify(moves)}`);
    const stats = await system.stats();
    const where = stats.workers.map((w) =>
      w.kinds
        .map((k) => k.kind)
        .sort()
        .join(','),
    );
    assert.ok(where.includes('ChattyClient,ChattyServer'), `the pair shares a worker now: ${JSON.stringify(where)}`);
  },
);
