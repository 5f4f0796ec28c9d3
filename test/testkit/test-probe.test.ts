import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ActorSystem, ErrorCode } from '../../src/index.js';
import { ManualClock, TestProbe } from '../../src/testkit/index.js';
import { PingResponder } from '../fixtures/pinger.actor.js';

describe('bactor/testkit: TestProbe', () => {
  let system: ActorSystem;
  before(async () => {
    system = await ActorSystem.start({ workers: 2 });
  });
  after(() => system.shutdown());

  it('expects messages from actors on workers, in order, by value or predicate, and replies to their sender', async () => {
    const probe = await TestProbe.create<{ type: 'pong'; n: number }>(system);
    const responder = await system.spawn(PingResponder, undefined, { worker: 2 });
    for (let n = 0; n < 3; n++) responder.tell({ type: 'ping', n, replyTo: probe.ref });
    assert.deepEqual(await probe.expectMessage({ type: 'pong', n: 0 }), { type: 'pong', n: 0 });
    assert.equal((await probe.expectMessage((m) => m.n === 1)).n, 1);
    assert.ok(probe.lastSender?.equals(responder), String(probe.lastSender));
    assert.deepEqual(await probe.receiveN(1), [{ type: 'pong', n: 2 }]);
    await probe.expectNoMessage(50);
    // fish skips what does not match; the next expect sees what came after it
    for (let n = 10; n < 15; n++) responder.tell({ type: 'ping', n, replyTo: probe.ref });
    assert.equal((await probe.fishForMessage((m) => m.n === 13)).n, 13);
    assert.deepEqual(await probe.expectMessage(), { type: 'pong', n: 14 });
    // reply goes to the last sender
    probe.reply({ type: 'ping', n: 99, replyTo: probe.ref });
    assert.deepEqual(await probe.expectMessage(), { type: 'pong', n: 99 });
    await probe.stop();
  });

  it('fails with ERR_PROBE_TIMEOUT when nothing comes, ERR_PROBE_MISMATCH when something else does', async () => {
    const probe = await TestProbe.create(system);
    await assert.rejects(probe.expectMessage(undefined, { timeoutMs: 30 }), {
      code: ErrorCode.PROBE_TIMEOUT,
      message: /expectMessage: no a message within 30 ms/,
    });
    probe.ref.tell({ type: 'x' });
    await assert.rejects(probe.expectMessage({ type: 'y' }), {
      code: ErrorCode.PROBE_MISMATCH,
      message: /expected \{"type":"y"\}, got \{"type":"x"\}/,
    });
    probe.ref.tell('late');
    await assert.rejects(probe.expectNoMessage(20), { code: ErrorCode.PROBE_MISMATCH, message: /got "late"/ });
    await assert.rejects(probe.expectMessage(undefined, { timeoutMs: -1 }), { code: ErrorCode.INVALID_OPTION });
    await assert.rejects(probe.fishForMessage('x' as never), { code: ErrorCode.INVALID_OPTION });
    assert.throws(() => TestProbe.prototype.reply.call(Object.assign(Object.create(TestProbe.prototype), { lastSender: null }), 1), {
      code: ErrorCode.INVALID_ARGUMENT,
    });
    await probe.stop();
  });

  it('watches an actor and expects its Terminated; spawns an actor under test as its child', async () => {
    const probe = await TestProbe.create(system);
    const target = await system.spawn(PingResponder, undefined, { worker: 1 });
    probe.watch(target);
    target.tell({ type: 'stop-self' });
    await probe.expectTerminated(target);
    const child = await probe.spawnChild(PingResponder, undefined);
    child.tell({ type: 'tell-parent', text: 'hello' });
    assert.deepEqual(await probe.expectMessage(), { type: 'from-child', text: 'hello' });
    assert.ok(probe.lastSender?.equals(child), String(probe.lastSender));
    await probe.stop();
  });
});

describe('bactor/testkit: the manual clock', () => {
  it('re-exports the manual clock: an ask timeout fires only when the test advances it', async () => {
    const clock = new ManualClock();
    const inline = await ActorSystem.start({ workers: 0, clock });
    try {
      const probe = await TestProbe.create(inline);
      const asked = probe.ref.ask('never answered', { timeout: 1000 }).catch((e: { code: string }) => e.code);
      let settled = false;
      void asked.then(() => (settled = true));
      await probe.expectMessage('never answered');
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(settled, false, 'no timeout while the clock stands');
      clock.advance(1000);
      assert.equal(await asked, ErrorCode.ASK_TIMEOUT);
    } finally {
      await inline.shutdown();
    }
  });
});
