import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';
import { type CrashReport, Crashable } from '../fixtures/crash.actor.js';
import { until } from '../fixtures/probe.actor.js';

for (const how of ['exit', 'throw', 'terminate'] as const) {
  const title = `a worker that dies (${how}) is replaced; its actors are re-created under their refs and the messages still in its rings arrive`;
  test(title, { timeout: 60_000 }, async (t) => {
    const system = await ActorSystem.start({ workers: 2, ringCapacity: 1 << 20 });
    t.after(() => system.shutdown());
    const events: { actor: string; directive: string }[] = [];
    system.events.subscribe((e) => e.type === 'actor-failed' && events.push(e));
    const victim = await system.spawn(Crashable, undefined, { worker: 1 });
    const bystander = await system.spawn(Counter, 5, { worker: 2 });
    const total = 20_000;
    const crashAt = 5_000;
    for (let n = 0; n < total; n++) {
      if (n === crashAt && how !== 'terminate') victim.tell({ type: 'crash', how });
      victim.tell({ type: 'seq', n });
    }
    if (how === 'terminate') await system.terminateWorker(1);
    await until(() => system.replacements === 1, 10_000, 'the replacement');
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
      'the re-created actor to receive the tail of the stream',
    );
    assert.deepEqual(report!.errors, [], 'the re-created actor saw a consecutive run');
    assert.equal(report!.count, total - report!.first, 'everything after its first message arrived once');
    // What is lost is what the dead worker had already taken from its rings into mailboxes: one
    // read batch when it exits at once, a few when it runs on until the exception surfaces.
    if (how === 'exit') assert.ok(report!.first <= crashAt + 1 + 1024, `at most one read batch was lost (first=${report!.first})`);
    if (how !== 'terminate') assert.ok(report!.first > crashAt, 'the new incarnation starts after the crash point');
    assert.equal(await bystander.ask({ type: 'get' }), 5, 'actors on other workers are untouched');
    assert.ok(events.some((e) => e.actor === 'worker 1' && e.directive === 'replaced'));
  });
}
