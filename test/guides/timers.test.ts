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
    assert.ok(typeof stats === 'object' && stats.ticks === 3 && stats.samples >= 3, JSON.stringify(stats));
    await new Promise((r) => setTimeout(r, 1000));
    await assert.rejects(session.ask({ type: 'stats' }), { code: 'ERR_ACTOR_NOT_FOUND' });
  },
);
