import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';
import { type CrashReport, Crashable } from '../fixtures/crash.actor.js';
import { until } from '../fixtures/probe.actor.js';

for (const how of ['exit', 'throw', 'terminate'] as const) {
  const title = `a worker that dies (${how}) is replaced; its actors are re-created under their refs and what reaches them arrives once, in order`;
  test(title, { timeout: 60_000 }, async (t) => {
    const system = await ActorSystem.start({ workers: 2, ringCapacity: 1 << 20 });
    t.after(() => system.shutdown());
    const events: { actor: string; directive: string }[] = [];
    system.events.subscribe((e) => e.type === 'actor-failed' && events.push(e));
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
    let report: CrashReport | undefined;
    await until(
      () => {
        void victim
          .ask({ type: 'report' }, { timeout: 500 })
          .then((r) => (report = r))
          .catch(() => undefined);
        return report !== undefined && report.last === total - 1;
      },
      20_000,
      () => `the re-created actor to receive the tail of the stream (last report: ${JSON.stringify(report)})`,
    );
    assert.deepEqual(report!.errors, [], 'the re-created actor saw a consecutive run');
    assert.equal(report!.count, total - report!.first, 'everything after its first message arrived once');
    // What is lost is what the dead worker had already taken from its rings into mailboxes: its
    // actor's backlog (up to the mailbox's mark; deeper on a loaded machine, where the rings are
    // read faster than the backlog is handled) and one read. Issue 13 keeps them; until then the
    // new incarnation's first message is anywhere in phase 1, or the first of phase 2.
    if (how !== 'terminate') assert.ok(report!.first > crashAt, 'the new incarnation starts after the crash point');
    assert.equal(await bystander.ask({ type: 'get' }), 5, 'actors on other workers are untouched');
    assert.ok(events.some((e) => e.actor === 'worker 1' && e.directive === 'replaced'));
  });
}
