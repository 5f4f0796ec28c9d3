// The README's testing guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { TestProbe } from '../../src/testkit/index.js';
import { Greeter } from './testing-actors.actor.js';

test('testing guide: a probe stands in for the actor a greeter answers', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 1 });
  t.after(() => system.shutdown());

  const probe = await TestProbe.create<string>(system); // an actor on the main thread, for the test to read
  const greeter = await system.spawn(Greeter, undefined);
  greeter.tell({ type: 'greet', name: 'Ada', replyTo: probe.ref });
  const greeting = await probe.expectMessage('hello, Ada'); // or a predicate; ERR_PROBE_TIMEOUT after 3 s
  await probe.expectNoMessage(100); // nothing else comes within 100 ms

  probe.watch(greeter);
  await system.stop(greeter);
  await probe.expectTerminated(greeter);

  assert.equal(greeting, 'hello, Ada');
});
