import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createRingBuffer } from '../../native-free-core/ring/ring-buffer.js';
import { createDoorbellBuffer } from '../../native-free-core/sync/doorbell.js';
import { testSeed } from '../helpers/prng.js';
import type { RingStressConfig, RingStressResult } from '../helpers/ring-stress-worker.js';

const WORKER = new URL('../helpers/ring-stress-worker.js', import.meta.url);

function run(config: RingStressConfig): Promise<RingStressResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: config });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

for (const capacity of [4096, 65536]) {
  test(
    `ring stress, two worker threads, ring of ${capacity} bytes: nothing lost, duplicated or reordered`,
    { timeout: 60_000 },
    async (t) => {
      const seed = testSeed();
      const records = 1_500_000;
      t.diagnostic(`seed=${seed} (replay with BACTOR_SEED=${seed})`);
      const ring = createRingBuffer(capacity);
      const bells = createDoorbellBuffer(2);
      const [produced, consumed] = await Promise.all([
        run({ role: 'producer', ring, bells, seed, records }),
        run({ role: 'consumer', ring, bells, seed, records }),
      ]);
      assert.equal(consumed.error, undefined, `seed=${seed}`);
      assert.equal(consumed.records, records);
      assert.equal(consumed.checksum, produced.checksum, `seed=${seed}: checksums differ`);
      t.diagnostic(`consumer parked ${consumed.parks} times, woken by the producer ${consumed.wakes} times`);
      assert.ok(consumed.wakes >= 1000, `the consumer was woken ${consumed.wakes} times; the test needs thousands of park/wake cycles`);
    },
  );
}
