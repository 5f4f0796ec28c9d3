// The README's timers guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Session } from './timers.actor.js';

test(
  'timers guide: scheduleOnce, scheduleRepeatedly, a receive timeout, a plain timer closed in stopped',
  { timeout: 30_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());

    const session = await system.spawn(Session, 300);
    const answer = await session.ask({ type: 'wait', ms: 50 }); // 'done', 50 ms later
    const stats = await session.ask({ type: 'stats' }); // { ticks: 3, samples: 5 or so }: both timers ran meanwhile
    // 300 ms later without a message: RECEIVE_TIMEOUT, the session stops, its stopped hook clears the sampler.

    assert.equal(answer, 'done');
    // The ask's timer and the heartbeat's share one queue: on a loaded machine the answer may come before the third beat.
    const ticksOf = (value: typeof stats): number => (typeof value === 'object' ? value.ticks : -1);
    let later = stats;
    for (let i = 0; i < 200 && ticksOf(later) < 3; i++) {
      await new Promise((r) => setTimeout(r, 5));
      later = await session.ask({ type: 'stats' });
    }
    assert.ok(typeof later === 'object' && later.ticks === 3 && later.samples >= 3, JSON.stringify(later));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ticksOf(await session.ask({ type: 'stats' })), 3, 'the heartbeat was cancelled after 3 beats');
    // Idle for 300 ms: stopped (each ask is a message and starts the wait again, so look every 500 ms).
    let code: unknown = null;
    for (let i = 0; i < 20 && code === null; i++) {
      await new Promise((r) => setTimeout(r, 500));
      code = await session.ask({ type: 'stats' }).then(
        () => null,
        (e: { code?: string }) => e.code,
      );
    }
    assert.equal(code, 'ERR_ACTOR_NOT_FOUND');
  },
);
