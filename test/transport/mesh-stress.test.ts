import assert from 'node:assert/strict';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { TransportEndpoint, createTransport, transferListOf } from '../../src/transport/transport.js';
import { MeshPeer, type MeshPeerResult } from '../helpers/mesh-peer.js';
import { testSeed } from '../helpers/prng.js';

const WORKER = new URL('../helpers/mesh-worker.js', import.meta.url);

test(
  '4-participant mesh (main thread + 3 workers): every pair exchanges at once, nothing lost, duplicated or reordered',
  { timeout: 90_000 },
  async (t) => {
    const seed = testSeed();
    t.diagnostic(`seed=${seed} (replay with BACTOR_SEED=${seed})`);
    const perPeer = 20_000;
    const largeEvery = 2_000;
    const inits = createTransport({ participants: 4, ringCapacity: 1 << 16, largeMessageThreshold: 16 * 1024 });
    // A peer that finds an error reports at once and stops; the others would wait for it forever,
    // so the first error ends the test (with the seed) and every worker is terminated.
    let failure: string | undefined;
    const threads: Worker[] = [];
    t.after(() => Promise.all(threads.map((w) => w.terminate())));
    const workers = inits.slice(1).map(
      (init) =>
        new Promise<MeshPeerResult>((resolve, reject) => {
          const w = new Worker(WORKER, { workerData: { init, seed, perPeer, largeEvery }, transferList: transferListOf(init) });
          threads.push(w);
          w.once('message', (r: MeshPeerResult) => {
            if (r.error !== undefined) failure ??= `participant ${r.self}: ${r.error}`;
            resolve(r);
          });
          w.once('error', (e) => {
            failure ??= String(e);
            reject(e);
          });
          w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
        }),
    );
    // The main thread takes part without ever blocking: it pumps in slices and parks with waitAsync.
    const endpoint = new TransportEndpoint(inits[0]!);
    const main = new MeshPeer(endpoint, seed, perPeer, largeEvery);
    let allSent = false;
    while (main.error === undefined && failure === undefined && !(allSent && main.allReceived())) {
      if (!allSent) allSent = main.pump(64);
      if (endpoint.drain(main, 256) === 0 && allSent) {
        if ((await endpoint.parkAsync(1000)) !== 'not-parked') main.parks++;
      } else {
        await yieldToLoop();
      }
    }
    endpoint.close();
    assert.equal(failure, undefined, `seed=${seed}`);
    assert.equal(main.error, undefined, `participant 0, seed=${seed}`);
    const results = [main.result(), ...(await Promise.all(workers))];
    for (const r of results) {
      assert.equal(r.error, undefined, `participant ${r.self}, seed=${seed}`);
      assert.equal(r.sent, 3 * perPeer);
      assert.deepEqual(
        r.received.filter((_, from) => from !== r.self),
        [perPeer, perPeer, perPeer],
      );
    }
    t.diagnostic(`parks per participant: ${results.map((r) => r.parks).join(', ')}`);
  },
);
