// The README's main-thread-as-a-client guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { createServer } from 'node:http';
import { Jobber } from './client.actor.js';

test('main-thread client guide: an HTTP handler asks a pool; spawnMany and confirmed stops', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());

  // One ask per request from a node:http handler: the work runs on the workers.
  const pool = await system.spawnPool(Jobber, undefined, { size: 2, strategy: { kind: 'least-outstanding' } });
  const server = createServer(async (_req, res) => res.end(String(await pool.ask({ iterations: 20_000, seed: 7 })))).listen(0, '127.0.0.1');

  // Many actors at once: one request per worker, not one per actor; and a confirmed stop.
  const refs = await system.spawnMany(Jobber, new Array(100).fill(undefined), { worker: 1 });
  await Promise.all(refs.map((ref) => system.stop(ref)));

  t.after(() => server.close());
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(url).then((r) => r.text())));
  let x = 7;
  for (let i = 0; i < 20_000; i++) x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
  assert.deepEqual(answers, new Array(8).fill(String(x >>> 0)), 'every request answered with the job result');
  assert.equal(refs.length, 100);
  const asked = await Promise.all(
    refs.map((ref) =>
      ref.ask({ iterations: 1, seed: 1 }).then(
        () => 'answered',
        (e: { code?: string }) => e.code,
      ),
    ),
  );
  assert.deepEqual(new Set(asked), new Set(['ERR_ACTOR_NOT_FOUND']), 'each stopped actor is gone once its stop resolved');
});
