// The main thread as a client (main-loop.ts): replies taken and inline actors run in the
// microtask after a burst of sends, a reply spin when asks wait; the event loop still gets its turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Counter } from '../fixtures/counter.actor.js';

test(
  'sequential asks to a worker and an inline actor, with tells between them: every answer right, in order',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const remote = await system.spawn(Counter, 0, { worker: 1 });
    const inline = await system.spawn(Counter, 0, { dispatcher: 'inline' });
    for (let i = 1; i <= 5000; i++) {
      remote.tell({ type: 'add', n: 1 });
      inline.tell({ type: 'add', n: 2 });
      assert.equal(await remote.ask({ type: 'get' }), i);
      assert.equal(await inline.ask({ type: 'get' }), 2 * i);
    }
  },
);

test(
  'a chain of asks answered without the event loop still lets it run: a timer set before the chain fires during it',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    const remote = await system.spawn(Counter, 0, { worker: 1 });
    const inline = await system.spawn(Counter, 0, { dispatcher: 'inline' });
    for (const target of [remote, inline]) {
      let fired = false;
      setTimeout(() => (fired = true), 0);
      let asks = 0;
      const until = Date.now() + 20_000;
      while (!fired && asks < 1_000_000 && Date.now() < until) {
        await target.ask({ type: 'get' });
        asks++;
      }
      assert.equal(fired, true, `the timer fired during ${asks} asks`);
    }
  },
);
