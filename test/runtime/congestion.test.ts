import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Congestion, type Holdable } from '../../src/runtime/congestion.js';

const TARGET = 7;
const named = { toString: () => 'ActorRef(7)' };

/** Sends from code outside actors until refused; how many went. */
function sendUntilRefused(flow: Congestion, most: number): number {
  let sent = 0;
  try {
    for (; sent < most; sent++) flow.beforeSend(TARGET, named, null);
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'ERR_BACKPRESSURE');
    return sent;
  }
  return sent;
}

test('code outside actors may send `limit` messages past a congestion, then is refused with ERR_BACKPRESSURE', () => {
  const flow = new Congestion();
  flow.congested(TARGET, 100);
  assert.equal(flow.blocked(TARGET), true);
  assert.equal(sendUntilRefused(flow, 1000), 100);
});

test('a grant gives its credit; what the consumer has seen of the messages sent without credit is forgiven', () => {
  const flow = new Congestion();
  flow.congested(TARGET, 100);
  assert.equal(sendUntilRefused(flow, 1000), 100);
  // All 100 reached the consumer's ring (nothing waits in this thread's overflow queue).
  flow.grant(TARGET, 10, 0);
  assert.equal(flow.blocked(TARGET), false);
  // 10 with credit, then 100 more without.
  assert.equal(sendUntilRefused(flow, 1000), 110);
});

test('a grant does not forgive the messages the consumer has not seen: a loop that never yields cannot send a whole limit more per grant', () => {
  const flow = new Congestion();
  flow.congested(TARGET, 100);
  assert.equal(sendUntilRefused(flow, 1000), 100);
  // 60 of them still wait in this thread's overflow queue toward the consumer's thread.
  flow.grant(TARGET, 10, 60);
  assert.equal(sendUntilRefused(flow, 1000), 10 + 40);
  // Ten grants later, with the queue as full, the total past credit is still the limit.
  let sent = 0;
  for (let i = 0; i < 10; i++) {
    flow.grant(TARGET, 10, 1000);
    sent += sendUntilRefused(flow, 1000);
  }
  assert.equal(sent, 10 * 10);
});

test('an actor that spends the last credit is held once and released by the next grant; `release` lets everything go', async () => {
  const flow = new Congestion();
  let holds = 0;
  let releases = 0;
  const cell: Holdable = {
    holdForCongestion: () => holds++ === 0,
    releaseCongestion: () => void releases++,
  };
  flow.grant(TARGET, 2, 0);
  assert.equal(flow.beforeSend(TARGET, named, cell), true);
  assert.equal(flow.beforeSend(TARGET, named, cell), false, 'the last credit');
  assert.equal(flow.beforeSend(TARGET, named, cell), false, 'no credit: never refused, held');
  assert.equal(holds, 2);
  const clear = flow.whenClear(TARGET);
  flow.grant(TARGET, 5, 0);
  await clear;
  assert.equal(releases, 1, 'held once, released once');
  flow.congested(TARGET, 100);
  const waiting = flow.whenClear(TARGET);
  flow.release(TARGET);
  await waiting;
  assert.equal(flow.has(TARGET), false);
});
