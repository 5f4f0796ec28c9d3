// The README's supervision guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, type SystemEvent, oneForOne } from '../../src/index.js';
import { Accountant, Summer } from './supervision.actor.js';

const until = async (predicate: () => boolean, what: string): Promise<void> => {
  for (const start = Date.now(); !predicate(); await new Promise((r) => setTimeout(r, 5)))
    if (Date.now() - start > 5000) assert.fail(`timed out waiting for ${what}`);
};

test(
  'supervision guide: a parent resumes and restarts its child with backoff; the guardian decides for top-level actors',
  { timeout: 30_000 },
  async (t) => {
    const system = await ActorSystem.start({
      workers: 2,
      // Top-level actors: the guardian's decider runs on the main thread and, for an actor on a worker,
      // sees a copy of its error (name, message, code, stack): test error.name or error.code, not instanceof.
      guardian: oneForOne({ decider: (error) => ((error as Error).name === 'SyntaxError' ? 'resume' : 'stop') }),
    });
    t.after(() => system.shutdown());
    const failures: SystemEvent[] = [];
    system.events.subscribe((event) => event.type === 'actor-failed' && failures.push(event));

    const accountant = await system.spawn(Accountant, undefined);
    const summer = await accountant.ask({ type: 'summer' });
    for (const json of ['1', '2', 'oops', '3']) summer.tell({ type: 'add', json }); // 'oops': resumed
    const sum = await summer.ask({ type: 'sum' }); // 6
    summer.tell({ type: 'add', json: '"x"' }); // a TypeError: restarted 50 ms later, the sum back to 0
    summer.tell({ type: 'add', json: '4' });
    const afterRestart = await summer.ask({ type: 'sum' }); // 4

    const top = await system.spawn(Summer, undefined); // top-level: the guardian supervises it
    top.tell({ type: 'add', json: 'oops' }); // resumed
    top.tell({ type: 'add', json: '"x"' }); // stopped; each failure is an 'actor-failed' event with its directive

    assert.equal(sum, 6);
    assert.equal(afterRestart, 4);
    await until(() => failures.length === 2, 'the guardian reports');
    assert.deepEqual(
      failures.map((e) => e.type === 'actor-failed' && [e.actor, e.error.name, e.directive]),
      [
        [String(top), 'SyntaxError', 'resume'],
        [String(top), 'TypeError', 'stop'],
      ],
    );
    await assert.rejects(top.ask({ type: 'sum' }), { code: 'ERR_ACTOR_NOT_FOUND' });

    // Restart intensity: two restarts within 60 s are allowed (one so far), the next failure stops the child.
    const started = Date.now();
    summer.tell({ type: 'add', json: '"x"' }); // restarted after 100 ms (backoff doubles)
    assert.equal(await summer.ask({ type: 'sum' }), 0);
    assert.ok(Date.now() - started >= 95, `the second restart waited ${Date.now() - started} ms`);
    summer.tell({ type: 'add', json: '"x"' });
    await until(() => failures.length === 3, 'the stop of the child');
    const stopped = failures[2]!;
    assert.ok(stopped.type === 'actor-failed' && stopped.actor === String(summer), JSON.stringify(stopped));
    assert.match(stopped.directive, /stopped: more than 2 restarts within 60000 ms/);
    await assert.rejects(summer.ask({ type: 'sum' }), { code: 'ERR_ACTOR_NOT_FOUND' });
  },
);
