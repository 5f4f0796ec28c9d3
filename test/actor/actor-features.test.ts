import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ActorRef, ActorSystem, BactorError, defineActor } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';
import { Child, Stasher, Watcher } from '../fixtures/family.actor.js';
import { DropNewest, DropOldest, FailWhenFull, Lifo, Prioritized } from '../fixtures/mailbox.actor.js';
import { Probe, records, until } from '../fixtures/probe.actor.js';
import { Consumer, type ConsumerReport, Producer } from '../fixtures/producer.actor.js';

let system: ActorSystem;
before(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
after(() => system.shutdown());

async function probe(label: string): Promise<[ActorRef, Record<string, unknown>[]]> {
  const ref = await system.spawn(Probe, label, { dispatcher: 'inline' });
  return [ref as ActorRef, records(label) as Record<string, unknown>[]];
}

test('death watch across workers: Terminated when the watched actor stops, at once if already gone, none after unwatch', async () => {
  const [p, list] = await probe('watch');
  const watcher = await system.spawn(Watcher, p, { worker: 1 });
  const target = await system.spawn(Child, { probe: p, name: 'T' }, { worker: 2 });
  const other = await system.spawn(Child, { probe: p, name: 'O' }, { worker: 2 });
  assert.equal(await watcher.ask({ type: 'watch', target }), 'ok');
  assert.equal(await watcher.ask({ type: 'watch', target: other }), 'ok');
  assert.equal(await watcher.ask({ type: 'unwatch', target: other }), 'ok');
  system.stop(target);
  system.stop(other);
  await until(() => list.some((e) => e.ev === 'terminated'), 5000, 'Terminated');
  const terminated = list.filter((e) => e.ev === 'terminated').map((e) => e.ref as ActorRef);
  assert.equal(terminated.length, 1);
  assert.ok(terminated[0]!.equals(target), `${terminated[0]} is the stopped target`);
  assert.equal(await watcher.ask({ type: 'watch', target }), 'ok'); // already dead
  await until(() => list.filter((e) => e.ev === 'terminated').length === 2, 5000, 'immediate Terminated');
});

test('dead letters: messages to stopped and unknown actors are published with counts; an ask to them fails fast', async () => {
  const letters: { reason: string; target: string; messageType: string }[] = [];
  const unsubscribe = system.events.subscribe((e) => e.type === 'dead-letter' && letters.push(e));
  const before = system.events.count('dead-letter');
  const counter = await system.spawn(Counter, 0);
  system.stop(counter);
  await assert.rejects(
    counter.ask({ type: 'get' }, { timeout: 3000 }),
    (e: unknown) => e instanceof BactorError && e.code === 'ERR_ACTOR_NOT_FOUND' && /Counter#\d+@w\d is stopped|is unknown/.test(e.message),
  );
  counter.tell({ type: 'add', n: 1 });
  await until(() => letters.length >= 2, 5000, 'dead letters');
  unsubscribe();
  assert.ok(letters.every((l) => l.target.includes(`#${counter.id}@`)));
  assert.ok(letters.some((l) => l.messageType === 'add'));
  assert.ok(system.events.count('dead-letter') >= before + 2);
});

test('become/unbecome and stash/unstashAll: stashed messages come back in order', async () => {
  const [p, list] = await probe('stash');
  const stasher = await system.spawn(Stasher, p);
  stasher.tell({ type: 'work', n: 1 });
  stasher.tell({ type: 'lock' });
  assert.equal(await stasher.ask({ type: 'mode' }), 'locked');
  for (const n of [2, 3, 4]) stasher.tell({ type: 'work', n });
  stasher.tell({ type: 'unlock' });
  stasher.tell({ type: 'work', n: 5 });
  assert.equal(await stasher.ask({ type: 'mode' }), 'open');
  await until(() => list.length === 5, 5000, 'all work');
  assert.deepEqual(
    list.map((e) => e.n),
    [1, 2, 3, 4, 5],
  );
});

test('async handlers: the next message waits until the promise settles', async () => {
  const counter = await system.spawn(Counter, 0);
  const slow = counter.ask({ type: 'slow-get', ms: 100 });
  counter.tell({ type: 'add', n: 1 });
  assert.equal(await slow, 0, 'the add waited for the slow handler');
  assert.equal(await counter.ask({ type: 'get' }), 1);
});

test('bounded mailboxes: drop-newest, drop-oldest and fail', async () => {
  for (const [Def, expected] of [
    [DropNewest, [1, 2, 3]],
    [DropOldest, [3, 4, 5]],
  ] as const) {
    const ref = await system.spawn(Def, undefined);
    ref.tell({ type: 'hold', ms: 150 });
    await new Promise((r) => setTimeout(r, 50)); // the actor is inside 'hold'
    for (let n = 1; n <= 5; n++) ref.tell({ type: 'item', n });
    await new Promise((r) => setTimeout(r, 250)); // 'hold' is over, the queue drained
    const final = await ref.ask({ type: 'dump' });
    assert.deepEqual(final, expected, Def.name);
  }
  const inline = await system.spawn(FailWhenFull, undefined, { dispatcher: 'inline' });
  inline.tell({ type: 'hold', ms: 100 });
  await new Promise((r) => setTimeout(r, 20));
  for (let n = 1; n <= 3; n++) inline.tell({ type: 'item', n });
  assert.throws(
    () => inline.tell({ type: 'item', n: 4 }),
    (e: unknown) => e instanceof BactorError && e.code === 'ERR_MAILBOX_FULL' && /capacity=3/.test(e.message),
  );
  assert.equal(system.events.count('dead-letter') > 0, true, 'the refused message went to dead letters');
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(await inline.ask({ type: 'dump' }), [1, 2, 3]);
});

test('priority and custom mailboxes', async () => {
  const prio = await system.spawn(Prioritized, undefined, { dispatcher: 'inline' });
  prio.tell({ type: 'hold', ms: 50 });
  await new Promise((r) => setTimeout(r, 10));
  for (const [n, priority] of [
    [1, 0],
    [2, 5],
    [3, 1],
    [4, 5],
  ] as const)
    prio.tell({ type: 'item', n, priority });
  assert.deepEqual(await prio.ask({ type: 'dump' }), [], 'dump outranks items');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(await prio.ask({ type: 'dump' }), [2, 4, 3, 1]);
  const lifo = await system.spawn(Lifo, undefined, { dispatcher: 'inline' });
  lifo.tell({ type: 'hold', ms: 50 });
  await new Promise((r) => setTimeout(r, 10));
  for (const n of [1, 2, 3]) lifo.tell({ type: 'item', n });
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(await lifo.ask({ type: 'dump' }), [3, 2, 1]);
});

test('bad input fails at the call site with a stable code', async () => {
  const counter = await system.spawn(Counter, 0);
  assert.throws(() => counter.tell({ type: 'add', n: (() => 1) as unknown as number }), {
    code: 'ERR_UNSERIALIZABLE_MESSAGE',
    message: /msg\.n: it is a function/,
  });
  assert.equal(await counter.ask({ type: 'get' }), 0, 'nothing else was lost');
  await assert.rejects(system.spawn(Counter, 0, { throughput: 0 }), { code: 'ERR_INVALID_OPTION', message: /throughput=0/ });
  await assert.rejects(system.spawn(Counter, 0, { worker: 9 }), { code: 'ERR_INVALID_OPTION', message: /worker=9 must be from 1 to 2/ });
  await assert.rejects(system.spawn(Counter, 0, { mailbox: { overflow: 'drop-newest' } }), {
    code: 'ERR_INVALID_OPTION',
    message: /needs mailbox.capacity/,
  });
  await assert.rejects(system.spawn(Counter, 0, { dispatcher: 'gpu' as 'pool' }), { code: 'ERR_INVALID_OPTION' });
  await assert.rejects(ActorSystem.start({ workers: -1 }), { code: 'ERR_INVALID_OPTION', message: /workers=-1/ });
  assert.throws(() => defineActor('counter.ts', 'X', { init: () => 0, receive() {} }), {
    code: 'ERR_INVALID_OPTION',
    message: /import.meta.url/,
  });
  const named = await system.spawn(Counter, 0, { name: 'the-counter' });
  assert.ok(system.lookup('the-counter')?.equals(named));
  await assert.rejects(system.spawn(Counter, 0, { name: 'the-counter' }), { code: 'ERR_NAME_TAKEN', message: /is taken/ });
  system.stop(named);
  await until(() => system.lookup('the-counter') === undefined, 5000, 'the name is released');
});

test('an actor whose module defines no such actor fails to spawn with a clear error', async () => {
  const fake = { ...Counter, name: 'NoSuchActor' };
  await assert.rejects(system.spawn(fake, 0), { code: 'ERR_UNKNOWN_ACTOR', message: /defines no actor named NoSuchActor/ });
});

test('a turn ends once it has sent its limit: a producer re-telling itself yields to its consumer', async () => {
  const consumer = await system.spawn(Consumer, undefined, { worker: 1, throughput: 1000 });
  const producer = await system.spawn(Producer, undefined, { worker: 1, throughput: 100 });
  const run = async (size: number): Promise<ConsumerReport> => {
    const done = consumer.ask({ type: 'expect', n: 20 * size }, { timeout: 10_000 });
    producer.tell({ type: 'run', chunks: 20, size, to: consumer });
    return done;
  };
  // A chunk of 100 sends spends the producer's turn (100): the consumer runs between any two chunks.
  const big = await run(100);
  assert.deepEqual(big, { items: 2000, outOfOrder: 0, chunksPerTurn: 1 });
  // Chunks of 10 (11 sends each, with the re-tell): the 100th send falls in the 10th chunk, so at
  // most ten chunks per turn, never all 20 (when only handled messages counted, the producer sent
  // all 20 in one turn). A thread in heavy mode also ends turns on time, so fewer is allowed, but
  // not one: a turn of ~100 sends is far under a millisecond.
  const small = await run(10);
  assert.equal(small.items, 200);
  assert.equal(small.outOfOrder, 0);
  assert.ok(small.chunksPerTurn >= 2 && small.chunksPerTurn <= 10, `the producer ran ${small.chunksPerTurn} chunks in a turn`);
});
