import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Inbox } from '../../native-free-core/mesh/inbox.js';
import { createRingBuffer } from '../../native-free-core/ring/ring-buffer.js';
import { RingConsumer } from '../../native-free-core/ring/ring-consumer.js';
import { RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { Doorbell, createDoorbellBuffer } from '../../native-free-core/sync/doorbell.js';
import { BackoffIdleStrategy, IdlePhase } from '../../native-free-core/sync/idle-strategy.js';

test('doorbell: ring() wakes only an owner that announced it parks, once', () => {
  const sab = createDoorbellBuffer(2);
  const owner = new Doorbell(sab, 1);
  const producer = new Doorbell(sab, 1);
  assert.equal(producer.ring(), false, 'owner awake: nothing to do');
  owner.prepareToPark();
  assert.equal(owner.isParked(), true);
  assert.equal(producer.ring(), true, 'first producer wins the wake');
  assert.equal(producer.ring(), false, 'second producer sees it already awake');
  assert.equal(owner.isParked(), false);
});

test('doorbell: a ring between the last look and the wait is not lost', () => {
  const sab = createDoorbellBuffer(1);
  const bell = new Doorbell(sab, 0);
  bell.prepareToPark();
  bell.ring(); // lands after prepareToPark, before park
  const t0 = performance.now();
  assert.equal(bell.park(5000), 'woken');
  assert.ok(performance.now() - t0 < 1000, 'returned at once (not-equal), did not sleep');
  assert.equal(bell.isParked(), false);
});

test('doorbell: park times out and leaves the bell awake', () => {
  const bell = new Doorbell(createDoorbellBuffer(1), 0);
  bell.prepareToPark();
  assert.equal(bell.park(1), 'timed-out');
  assert.equal(bell.isParked(), false);
});

test('doorbell: parkAsync resolves on ring without blocking the thread', async () => {
  const sab = createDoorbellBuffer(1);
  const bell = new Doorbell(sab, 0);
  bell.prepareToPark();
  const pending = bell.parkAsync(10_000);
  assert.ok(pending instanceof Promise);
  setTimeout(() => new Doorbell(sab, 0).ring(), 5);
  assert.equal(await pending, 'woken');
});

test('doorbell: refuses participants outside the block', () => {
  assert.throws(() => new Doorbell(createDoorbellBuffer(2), 2), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => createDoorbellBuffer(0), { code: 'ERR_INVALID_ARGUMENT' });
});

test('inbox: does not park while a ring holds data; drains rings in turn', () => {
  const bells = createDoorbellBuffer(1);
  const a = createRingBuffer(256);
  const b = createRingBuffer(256);
  const inbox = new Inbox([new RingConsumer(a), new RingConsumer(b)], new Doorbell(bells, 0));
  const pa = new RingProducer(a);
  const pb = new RingProducer(b);
  pa.tryWrite(1, new Uint8Array(1));
  pa.flush();
  assert.equal(inbox.park(10_000), 'not-parked');
  pb.tryWrite(2, new Uint8Array(1));
  pb.tryWrite(2, new Uint8Array(1));
  pb.flush();
  const types: number[] = [];
  const n = inbox.drain({ onRecord: (t) => types.push(t) }, 1);
  assert.equal(n, 2, 'one per ring with limitPerRing=1');
  assert.deepEqual(types.sort(), [1, 2]);
  assert.equal(inbox.drain({ onRecord: (t) => types.push(t) }), 1);
  assert.equal(inbox.hasData(), false);
  assert.equal(inbox.park(1), 'timed-out');
});

test('idle strategy: spins, then yields, then parks, and starts over on work', () => {
  const idle = new BackoffIdleStrategy({ spins: 3, yields: 2 });
  const phases = Array.from({ length: 7 }, () => idle.next());
  assert.deepEqual(phases, [
    IdlePhase.SPIN,
    IdlePhase.SPIN,
    IdlePhase.SPIN,
    IdlePhase.YIELD,
    IdlePhase.YIELD,
    IdlePhase.PARK,
    IdlePhase.PARK,
  ]);
  idle.reset();
  assert.equal(idle.next(), IdlePhase.SPIN);
  assert.throws(() => new BackoffIdleStrategy({ spins: -1, yields: 0 }), { code: 'ERR_INVALID_ARGUMENT' });
});
