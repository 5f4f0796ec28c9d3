// The README's routers guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, groupRouter } from '../../src/index.js';
import { type WordMsg, WordCounter } from './routers.actor.js';

test('routers guide: a round-robin pool and a consistent-hash group over its routees', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());

  // A pool: 4 routees spawned from one definition, spread over the workers.
  const pool = await system.spawnPool(WordCounter, undefined, { size: 4, strategy: { kind: 'round-robin' } });
  for (let i = 0; i < 8; i++) pool.tell({ type: 'count', word: 'the' }); // 2 to each routee
  const perRoutee = await Promise.all(pool.routees.map((r) => r.ask({ type: 'seen', word: 'the' }))); // [2, 2, 2, 2]

  // A group over actors that exist: the same word always reaches the same routee.
  const byWord = groupRouter(pool.routees, { kind: 'consistent-hash', key: (msg: WordMsg) => msg.word });
  for (const word of ['to', 'be', 'or', 'not', 'to', 'be']) byWord.tell({ type: 'count', word });
  const toBe = await byWord.ask({ type: 'seen', word: 'be' }); // 2

  assert.deepEqual(perRoutee, [2, 2, 2, 2]);
  assert.deepEqual(pool.routees.map((r) => r.participant).sort(), [1, 1, 2, 2]);
  assert.equal(toBe, 2);
  assert.equal(await byWord.ask({ type: 'seen', word: 'to' }), 2);
  // Each word went to one routee only.
  const holders = await Promise.all(pool.routees.map((r) => r.ask({ type: 'seen', word: 'not' })));
  assert.deepEqual(holders.sort(), [0, 0, 0, 1]);
});
