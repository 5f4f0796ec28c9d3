import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ActorSystem, type SystemEvent } from '../../src/index.js';
import { Blocker } from '../fixtures/blocking.actor.js';
import { Counter } from '../fixtures/counter.actor.js';

/** Workers with the watchdog's restart policy; a blocker and a counter (7) on worker 1, a counter (1) on worker 2. */
async function blockerBeside(t: TestContext, limitMs: number) {
  const system = await ActorSystem.start({ workers: 2, scheduler: { watchdog: { limitMs, restart: true } } });
  t.after(() => system.shutdown());
  const events: SystemEvent[] = [];
  system.events.subscribe((e) => events.push(e));
  const blocker = await system.spawn(Blocker, undefined, { worker: 1 });
  const counter = await system.spawn(Counter, 7, { worker: 1 });
  const other = await system.spawn(Counter, 1, { worker: 2 });
  return { system, events, blocker, counter, other };
}

test(
  "watchdog: a handler in an endless loop is reported with the actor and message type within 2 s; restart interrupts it in place, the worker's other actors keep their state and queued messages",
  { timeout: 60_000 },
  async (t) => {
    const { system, events, blocker, counter, other } = await blockerBeside(t, 500);
    counter.tell({ type: 'add', n: 10 });
    assert.equal(await counter.ask({ type: 'get' }), 17);
    const t0 = performance.now();
    blocker.tell({ type: 'block', ms: 1e9 });
    blocker.tell({ type: 'where' }); // queued behind the endless handler, in the blocker's mailbox
    for (let i = 0; i < 100; i++) counter.tell({ type: 'add', n: 1 }); // queued behind it on the same worker
    const until = async (what: (e: SystemEvent) => boolean, ms: number): Promise<number> => {
      while (!events.some(what) && performance.now() - t0 < ms) await new Promise((r) => setTimeout(r, 5));
      return performance.now() - t0;
    };
    const reportedAfter = await until((e) => e.type === 'handler-stuck', 5000);
    const stuck = events.find((e) => e.type === 'handler-stuck');
    assert.ok(stuck !== undefined && stuck.type === 'handler-stuck', 'reported');
    assert.ok(reportedAfter < 2000, `reported ${reportedAfter.toFixed(0)} ms after the message`);
    assert.equal(stuck.actor, `Blocker#${blocker.id}@w1`);
    assert.equal(stuck.worker, 1);
    assert.equal(stuck.messageType, 'block');
    assert.ok(stuck.ms >= 500);
    assert.equal(stuck.action, 'interrupting');
    const interruptedAfter = await until((e) => e.type === 'handler-interrupted', 5000);
    const interrupted = events.find((e) => e.type === 'handler-interrupted');
    assert.ok(interrupted !== undefined && interrupted.type === 'handler-interrupted', 'interrupted');
    assert.equal(interrupted.actor, `Blocker#${blocker.id}@w1`);
    assert.equal(interrupted.messageType, 'block');
    assert.ok(interruptedAfter >= 500 && interruptedAfter < 3000, `interrupted ${interruptedAfter.toFixed(0)} ms after the message`);
    // The counter beside it kept its state and every message queued while the handler spun.
    assert.equal(await counter.ask({ type: 'get' }, { timeout: 10_000 }), 117);
    // The blocker failed with ERR_HANDLER_STUCK and was restarted by its supervisor; the message
    // queued behind the endless one is still delivered.
    await until((e) => e.type === 'actor-failed', 5000);
    const failed = events.find((e) => e.type === 'actor-failed');
    assert.ok(failed !== undefined && failed.type === 'actor-failed');
    assert.equal(failed.error.code, 'ERR_HANDLER_STUCK');
    assert.equal(failed.directive, 'restart');
    assert.equal(await blocker.ask({ type: 'where' }), 1, 'the restarted blocker answers on its worker');
    assert.equal(await other.ask({ type: 'get' }), 1, 'the other worker never stopped');
    assert.equal(system.replacements, 0, 'no worker was replaced');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(events.filter((e) => e.type === 'handler-stuck').length, 1, 'one report per stuck handler');
    assert.ok(!events.some((e) => e.type === 'handler-stuck' && e.action === 'worker-replaced'));
  },
);

test(
  'watchdog: a handler interrupted while sending (its turn past its send limit) is restarted and takes messages again',
  { timeout: 60_000 },
  async (t) => {
    const { system, events, blocker, counter } = await blockerBeside(t, 300);
    // A bounded mailbox on the same worker: it takes 10 of the blocker's sends and refuses the rest.
    const sink = await system.spawn(Counter, 0, { worker: 1, mailbox: { capacity: 10, overflow: 'fail' } });
    blocker.tell({ type: 'spam', to: sink });
    const queued = blocker.ask({ type: 'where' }, { timeout: 10_000 }); // waits in its mailbox behind the endless handler
    const t0 = performance.now();
    while (!events.some((e) => e.type === 'actor-failed') && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    const failed = events.find((e) => e.type === 'actor-failed');
    assert.ok(failed !== undefined && failed.type === 'actor-failed' && failed.error.code === 'ERR_HANDLER_STUCK', 'interrupted');
    // Interrupted in mid-turn, the turn's end never ran: the restarted actor must still be runnable.
    assert.equal(await queued, 1, 'the message queued behind the interrupted one is delivered');
    assert.equal(await blocker.ask({ type: 'where' }, { timeout: 5000 }), 1, 'the restarted blocker answers');
    assert.equal(await sink.ask({ type: 'get' }), 10, 'the sink took the ten sends it had room for');
    assert.equal(await counter.ask({ type: 'get' }), 7);
    assert.equal(system.replacements, 0, 'no worker was replaced');
  },
);

test(
  'watchdog: a handler blocked in native code cannot be interrupted, so its worker is replaced and its actors re-created',
  { timeout: 60_000 },
  async (t) => {
    const { system, events, blocker, counter, other } = await blockerBeside(t, 300);
    blocker.tell({ type: 'native-block', seconds: 2 });
    const t0 = performance.now();
    while (system.replacements === 0 && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(system.replacements, 1);
    const actions = events.flatMap((e) => (e.type === 'handler-stuck' ? [e.action] : []));
    assert.deepEqual(actions, ['interrupting', 'worker-replaced']);
    // The replacement re-created the counter under its old ref, from init (its state died with the worker).
    assert.equal(await counter.ask({ type: 'get' }, { timeout: 10_000 }), 7);
    assert.equal(await blocker.ask({ type: 'where' }, { timeout: 10_000 }), 1);
    assert.equal(await other.ask({ type: 'get' }), 1, 'the other worker never stopped');
  },
);

test('watchdog without restart only reports, once per stuck handler', { timeout: 60_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 1, scheduler: { watchdog: { limitMs: 300 } } });
  t.after(() => system.shutdown({ timeoutMs: 500 }));
  const events: SystemEvent[] = [];
  system.events.subscribe((e) => events.push(e));
  const blocker = await system.spawn(Blocker, undefined);
  assert.equal(await blocker.ask({ type: 'block', ms: 1200 }, { timeout: 10_000 }), 1200);
  const stuck = events.filter((e) => e.type === 'handler-stuck');
  assert.equal(stuck.length, 1);
  assert.equal(stuck[0]!.type === 'handler-stuck' && stuck[0]!.action, 'reported');
  assert.equal(stuck[0]!.type === 'handler-stuck' && stuck[0]!.messageType, 'block');
  assert.equal(system.replacements, 0);
});

test('stats block: per-worker counters without messages, per-kind actors and mailboxes, ring fill', { timeout: 60_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2, scheduler: { placement: 'round-robin' } });
  t.after(() => system.shutdown());
  const counters = await Promise.all([1, 2, 3, 4].map((i) => system.spawn(Counter, i)));
  for (let k = 0; k < 1000; k++) for (const c of counters) c.tell({ type: 'add', n: 1 });
  for (const c of counters) await c.ask({ type: 'get' });
  await new Promise((r) => setTimeout(r, 250)); // two looks of the scheduler
  const s = await system.stats();
  assert.equal(s.workers.length, 2);
  let processed = 0;
  for (const w of s.workers) {
    processed += w.processed;
    assert.ok(w.utilisation >= 0 && w.utilisation <= 1, `utilisation ${w.utilisation}`);
    assert.ok(w.ringFill >= 0 && w.ringFill <= 1);
    assert.ok(w.parks > 0, 'idle workers park');
    assert.ok(w.handlerMs > 0 && Number.isFinite(w.handlerMs), `handler time is estimated: ${w.handlerMs}`);
    assert.equal(w.quantum, 100);
    const kind = w.kinds.find((k) => k.kind === 'Counter');
    assert.ok(kind !== undefined && kind.actors === 2, `two counters per worker (round robin): ${JSON.stringify(w.kinds)}`);
    assert.equal(kind.mailbox, 0);
  }
  assert.ok(processed >= 4004, `processed ${processed}`);
});

test('placement: near puts an actor beside another, a wrong placement option is refused', async (t) => {
  const system = await ActorSystem.start({ workers: 2, scheduler: { placement: 'round-robin' } });
  t.after(() => system.shutdown());
  const a = await system.spawn(Counter, 0);
  const b = await system.spawn(Counter, 0, { near: a });
  const c = await system.spawn(Counter, 0);
  assert.equal(b.participant, a.participant);
  assert.notEqual(c.participant, a.participant, 'round robin moves on');
  const inline = await system.spawn(Counter, 0, { dispatcher: 'inline' });
  await assert.rejects(system.spawn(Counter, 0, { near: inline }), /near=.* is not an actor on a pool worker/);
  await assert.rejects(ActorSystem.start({ workers: 1, scheduler: { placement: 'random' as never } }), /placement="random"/);
  await assert.rejects(ActorSystem.start({ workers: 1, scheduler: { quantum: 0 } }), /quantum=0/);
});

test('least-loaded placement avoids a busy worker', { timeout: 60_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown({ timeoutMs: 500 }));
  const blocker = await system.spawn(Blocker, undefined, { worker: 1 });
  const blocked = blocker.ask({ type: 'block', ms: 1500 }, { timeout: 10_000 });
  await new Promise((r) => setTimeout(r, 400)); // the scheduler sees worker 1 busy
  const placed = await Promise.all([0, 1, 2, 3].map(() => system.spawn(Counter, 0)));
  assert.deepEqual(
    placed.map((r) => r.participant),
    [2, 2, 2, 2],
  );
  assert.equal(await blocked, 1500);
});
