import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';
import { Crashable } from '../fixtures/crash.actor.js';
import { Gate, Latch } from '../fixtures/gate.actor.js';
import { until } from '../fixtures/probe.actor.js';

/** Asks `ref` for its report until `done` holds of it (20 s at most, then fails with the last one). */
async function reportWhen<R>(ref: ActorRef<{ type: 'report' }, R>, done: (r: R) => boolean, what: string): Promise<R> {
  let report: R | undefined;
  await until(
    () => {
      void ref
        .ask({ type: 'report' }, { timeout: 500 })
        .then((r) => (report = r))
        .catch(() => undefined);
      return report !== undefined && done(report);
    },
    20_000,
    () => `${what} (last report: ${JSON.stringify(report)})`,
  );
  return report!;
}

for (const how of ['exit', 'throw', 'terminate'] as const) {
  const title = `a worker that dies (${how}) is replaced; its actors are re-created under their refs and get what it had taken, once, in order`;
  test(title, { timeout: 60_000 }, async (t) => {
    const system = await ActorSystem.start({ workers: 2, ringCapacity: 1 << 20 });
    t.after(() => system.shutdown());
    const events: { actor: string; directive: string }[] = [];
    const dead: { reason: string; messageType: string }[] = [];
    const recovered: { redelivered: number; deadLettered: number }[] = [];
    system.events.subscribe((e) => {
      if (e.type === 'actor-failed') events.push(e);
      else if (e.type === 'dead-letter') dead.push(e);
      else if (e.type === 'worker-recovered') recovered.push(e);
    });
    const victim = await system.spawn(Crashable, undefined, { worker: 1 });
    const bystander = await system.spawn(Counter, 5, { worker: 2 });
    // Phase 1, sent without yielding: the crash, with a stream behind it longer than one read of
    // the rings (16,384 records in heavy mode, 1,024 otherwise). Phase 2, after the replacement.
    const crashAt = 5_000;
    const phase1 = crashAt + 20_000;
    const total = phase1 + 5_000;
    for (let n = 0; n < phase1; n++) {
      if (n === crashAt && how !== 'terminate') victim.tell({ type: 'crash', how });
      victim.tell({ type: 'seq', n });
    }
    if (how === 'terminate') await system.terminateWorker(1);
    await until(() => system.replacements === 1, 10_000, 'the replacement');
    for (let n = phase1; n < total; n++) victim.tell({ type: 'seq', n });
    const report = await reportWhen(victim, (r) => r.last === total - 1, 'the re-created actor to receive the tail of the stream');
    const running = dead.filter((d) => /handler was running when worker 1 died/.test(d.reason));
    if (how === 'terminate') {
      // Cut anywhere: the message whose handler ran (if one did) is a dead letter — and missing
      // unless the cut came after its handler ended; the rest of what the worker had taken
      // arrives, once and in order.
      assert.ok(running.length <= 1, JSON.stringify(running));
      const all = total - report.first;
      if (report.count === all) assert.deepEqual(report.errors, [], 'nothing twice, no gap');
      else {
        assert.equal(report.count, all - running.length, 'nothing lost but the cut one, nothing twice');
        assert.ok(report.errors.length <= running.length, `a gap only where a handler was cut: ${JSON.stringify(report.errors)}`);
      }
    } else {
      // The crash message is a dead letter (its handler was running); everything behind it,
      // taken by the dead worker or not, reaches the new incarnation once and in order.
      assert.deepEqual(report.errors, [], 'the re-created actor saw a consecutive run');
      assert.equal(report.first, crashAt, 'it starts right after the crash message');
      assert.equal(report.count, total - crashAt, 'nothing lost, nothing twice');
      assert.equal(running.length, 1, JSON.stringify(dead.slice(0, 5)));
      assert.equal(running[0]!.messageType, 'crash');
      assert.equal(recovered.length, 1);
      assert.ok(recovered[0]!.redelivered > 0, 'what the dead worker had taken was delivered again');
    }
    assert.equal(await bystander.ask({ type: 'get' }), 5, 'actors on other workers are untouched');
    assert.ok(events.some((e) => e.actor === 'worker 1' && e.directive === 'replaced'));
  });
}

test(
  'a worker that exits on its first message with 10,000 behind it: all 10,000 reach the re-created actor',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const victim = await system.spawn(Crashable, undefined, { worker: 1 });
    victim.tell({ type: 'crash', how: 'exit' });
    for (let n = 0; n < 10_000; n++) victim.tell({ type: 'seq', n });
    const report = await reportWhen(victim, (r) => r.count === 10_000, 'all 10,000');
    assert.deepEqual(report, { first: 0, last: 9_999, count: 10_000, errors: [] });
    assert.equal(system.replacements, 1);
  },
);

test(
  'a backlog past the ledger (65,536 messages) is taken unkept and counted in stats, never refused: all arrive, in order',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const latch = await system.spawn(Latch, undefined, { worker: 2 });
    const gate = await system.spawn(Gate, undefined, { worker: 1, mailbox: { highWater: 1_000_000 } });
    gate.tell({ type: 'hold', latch });
    const N = 80_000;
    for (let n = 0; n < N; n++) {
      gate.tell({ type: 'n', n });
      if (n % 10_000 === 0) await new Promise((r) => setImmediate(r));
    }
    let unkept = 0;
    await until(
      () => {
        void system.stats().then((s) => (unkept = s.workers.find((w) => w.worker === 1)!.unkept));
        return unkept > 0;
      },
      20_000,
      () => `the worker to count messages it could not keep (unkept ${unkept})`,
    );
    latch.tell({ type: 'open' });
    const report = await reportWhen(gate, (r) => r.count === N, `all ${N} handled`);
    assert.deepEqual(report, { count: N, last: N - 1, errors: 0 });
    const after = (await system.stats()).workers.find((w) => w.worker === 1)!.unkept;
    assert.ok(after >= unkept, `the count only grows (${unkept} then ${after})`);
  },
);
