import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASK_SLOT_ID_BIT, ActorRef } from '../../src/actor/actor-ref.js';
import { BactorError, ErrorCode } from '../../src/errors/error-codes.js';
import { AskSlots } from '../../src/runtime/ask-slots.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { DeadLetters } from '../../src/runtime/dead-letters.js';
import type { RuntimeEvent } from '../../src/runtime/runtime-event.js';
import { TimerQueue } from '../../src/runtime/timer-queue.js';
import { RecordType } from '../../src/runtime/wire-messages.js';

/** The dead-letter room of "thread 1", with its asks, events and the records it sends. */
function room() {
  const asks = new AskSlots(new TimerQueue(new ManualClock()), (id) => new ActorRef(1, id, 'ask'));
  const events: RuntimeEvent[] = [];
  const records: { peer: number; type: number; h0: number; body: unknown }[] = [];
  const host = {
    participant: 1,
    incarnation: 0,
    sendRecord: (peer: number, type: number, h0: number, _h1: number, body: unknown) => (records.push({ peer, type, h0, body }), true),
  };
  const dead = new DeadLetters(host, asks, (e) => events.push(e));
  return { asks, events, records, dead };
}
const target = new ActorRef(2, 7, 'Echo');

test('a dead letter is counted and published with its reason, message type and sender', () => {
  const { dead, events, records } = room();
  dead.add(target, { type: 'ping' }, new ActorRef(3, 9, 'Pinger'), 'stopped');
  assert.equal(dead.count, 1);
  assert.equal(records.length, 0, 'a plain sender hears nothing');
  assert.deepEqual(events, [
    { type: 'dead-letter', target: String(target), reason: 'stopped', messageType: 'ping', sender: String(new ActorRef(3, 9, 'Pinger')) },
  ]);
});

test('an ask of this thread whose question is a dead letter fails at once, naming the target and the reason', async () => {
  const { dead, asks } = room();
  let slot: ActorRef | null = null;
  const answer = asks.open(target, { type: 'ping' }, 60_000, (from) => (slot = from));
  dead.add(target, { type: 'ping' }, slot, 'mailbox-full');
  await assert.rejects(answer, /mailbox of Echo#7@w2 is full: the ask was refused/);
  assert.equal(asks.size, 0, 'the slot is closed');
});

test("an ask of another thread learns it by an 'ask-failed' SYSTEM record to the asker's slot; a failed handler carries its error", () => {
  const { dead, records } = room();
  const remoteSlot = new ActorRef(2, ASK_SLOT_ID_BIT | 1, 'ask');
  dead.add(target, 'hi', remoteSlot, 'unknown');
  dead.failAsk(remoteSlot, target, 'work', new Error('boom'));
  assert.equal(records.length, 2);
  for (const r of records) {
    assert.equal(r.peer, 2);
    assert.equal(r.type, RecordType.SYSTEM);
    assert.equal(r.h0, remoteSlot.id);
  }
  assert.deepEqual(records[0]!.body, { k: 'ask-failed', target: String(target), reason: 'unknown' });
  const failed = records[1]!.body as { k: string; reason: string; error: { message: string } };
  assert.equal(failed.reason, "failed on 'work'");
  assert.equal(failed.error.message, 'boom');
});

test('a malformed record is a dead letter of its record type', () => {
  const { dead, events } = room();
  dead.malformed(new BactorError(ErrorCode.MALFORMED_RECORD, 'bad shape'), RecordType.USER, 12);
  assert.equal(dead.count, 1);
  assert.equal(events[0]!.type, 'dead-letter');
  assert.match(JSON.stringify(events[0]), /malformed: bad shape/);
});
