import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASK_SLOT_ID_BIT, ActorRef, MAX_LOCAL_ID } from '../../src/actor/actor-ref.js';
import { errorInfo } from '../../src/errors/error-info.js';
import { AskSlots, STALE_REF, isAskSlot } from '../../src/runtime/ask-slots.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { TimerQueue } from '../../src/runtime/timer-queue.js';

function slots() {
  const clock = new ManualClock();
  const timers = new TimerQueue(clock);
  const asks = new AskSlots(timers, (id) => new ActorRef(1, id, 'ask'));
  return { clock, timers, asks };
}
const target = new ActorRef(2, 7, 'Echo');

test('an ask resolves with the reply sent to its slot; a second reply finds nothing', async () => {
  const { asks, timers } = slots();
  let from: ActorRef | null = null;
  const answer = asks.open(target, { type: 'ping' }, 1000, (slot) => (from = slot));
  assert.ok(from !== null && isAskSlot((from as ActorRef).id), 'the question carries a slot ref as its sender');
  assert.equal(asks.size, 1);
  assert.equal(asks.answer((from as ActorRef).id, 'pong'), true);
  assert.equal(await answer, 'pong');
  assert.equal(asks.answer((from as ActorRef).id, 'late'), false);
  assert.equal(asks.size, 0);
  assert.equal(timers.size, 0, 'the timeout was cancelled');
});

test('an ask times out on the clock with ERR_ASK_TIMEOUT naming target and message type; the reply after it is not taken', async () => {
  const { asks, clock, timers } = slots();
  let id = 0;
  const answer = asks.open(target, { type: 'slow' }, 50, (slot) => (id = slot.id));
  clock.advance(49);
  timers.runDue();
  assert.equal(asks.size, 1, 'not yet');
  clock.advance(1);
  timers.runDue();
  await assert.rejects(
    answer,
    (e: Error & { code?: string }) => e.code === 'ERR_ASK_TIMEOUT' && /Echo/.test(e.message) && /slow/.test(e.message),
  );
  assert.equal(asks.answer(id, 'too late'), false);
});

test('a failure report rejects with the code of the reason, and a handler failure carries its error as cause', async () => {
  const { asks } = slots();
  const cases: [string, string][] = [
    ['stopped', 'ERR_ACTOR_NOT_FOUND'],
    ['unknown', 'ERR_ACTOR_NOT_FOUND'],
    ['mailbox-full', 'ERR_MAILBOX_FULL'],
    [STALE_REF, 'ERR_ACTOR_NOT_FOUND'],
  ];
  for (const [reason, code] of cases) {
    let id = 0;
    const answer = asks.open(target, 'q', 1000, (slot) => (id = slot.id));
    asks.fail(id, target, reason);
    await assert.rejects(answer, (e: Error & { code?: string }) => e.code === code, reason);
  }
  let id = 0;
  const answer = asks.open(target, 'q', 1000, (slot) => (id = slot.id));
  const inner = Object.assign(new TypeError('bad input'), { code: 'ERR_X' });
  const outer = new Error('handler failed', { cause: inner });
  asks.fail(id, target, "failed on 'q'", errorInfo(outer));
  await assert.rejects(answer, (e: Error & { code?: string; cause?: Error & { cause?: Error & { code?: string } } }) => {
    assert.equal(e.code, 'ERR_ACTOR_FAILED');
    assert.equal(e.cause?.message, 'handler failed');
    assert.equal(e.cause?.stack, outer.stack, 'the stack of the thread where it failed');
    assert.equal(e.cause?.cause?.name, 'TypeError');
    assert.equal(e.cause?.cause?.code, 'ERR_X');
    return true;
  });
});

test('failAll rejects every waiting ask; a throwing send closes its slot; a bad timeout is refused', async () => {
  const { asks, timers } = slots();
  const a = asks.open(target, 1, 1000, () => {});
  const b = asks.open(target, 2, 1000, () => {});
  asks.failAll(new Error('shutdown'));
  await assert.rejects(a, /shutdown/);
  await assert.rejects(b, /shutdown/);
  assert.equal(timers.size, 0);
  await assert.rejects(
    asks.open(target, 3, 1000, () => {
      throw new Error('unserializable');
    }),
    /unserializable/,
  );
  assert.equal(asks.size, 0);
  for (const bad of [0, -1, Number.NaN])
    await assert.rejects(
      asks.open(target, 4, bad, () => {}),
      (e: Error & { code?: string }) => e.code === 'ERR_INVALID_OPTION',
    );
});

test('slot ids wrap around within the ask-slot range and skip slots still waiting', () => {
  const { asks } = slots();
  const seen: number[] = [];
  const internals = asks as unknown as { nextSlot: number };
  internals.nextSlot = MAX_LOCAL_ID - 2;
  for (let i = 0; i < 4; i++) void asks.open(target, i, 1000, (slot) => seen.push(slot.id)).catch(() => {});
  assert.deepEqual(seen, [MAX_LOCAL_ID - 1, MAX_LOCAL_ID, ASK_SLOT_ID_BIT, ASK_SLOT_ID_BIT + 1]);
  internals.nextSlot = MAX_LOCAL_ID - 2;
  void asks.open(target, 'x', 1000, (slot) => seen.push(slot.id)).catch(() => {});
  assert.equal(seen.at(-1), ASK_SLOT_ID_BIT + 2, 'the four waiting slots are skipped');
  asks.failAll(new Error('done'));
});

test('timers: cancelling in any order leaves the live ones to fire on time, in deadline order', () => {
  const clock = new ManualClock();
  const timers = new TimerQueue(clock);
  const fired: number[] = [];
  const entries = Array.from({ length: 3000 }, (_, i) => timers.scheduleTask(10 + (i % 50), { fire: () => fired.push(i) }));
  // Cancel the earliest ones first (each at the top when cancelled), then every other one of the rest.
  for (let i = 0; i < 3000; i++) if (i % 50 < 10 || (i % 50 >= 10 && i % 2 === 0)) timers.cancelTimer(entries[i]!);
  const live = Array.from({ length: 3000 }, (_, i) => i).filter((i) => !(i % 50 < 10 || i % 2 === 0));
  assert.equal(timers.size, live.length);
  clock.advance(100);
  timers.runDue();
  const expected = [...live].sort((a, b) => (a % 50) - (b % 50) || a - b);
  assert.deepEqual(fired, expected);
  assert.equal(timers.size, 0);
});
