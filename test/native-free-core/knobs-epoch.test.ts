import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { BATCH, KNOBS_EPOCH, QUANTUM } from '../../native-free-core/layout/stats-layout.js';
import { createStatsBuffer, knobsChanged, knobsEpoch, publishKnobs, statsSlot } from '../../native-free-core/stats/stats-block.js';

test('the knobs epoch is an Int32 in the first half of its word, bumped after the knobs', () => {
  const sab = createStatsBuffer(2);
  const slot = statsSlot(sab, 1);
  const epoch = knobsEpoch(sab, 1);
  assert.equal(epoch.byteOffset, slot.byteOffset + KNOBS_EPOCH * 8);
  assert.equal(knobsChanged(epoch, 0), -1, 'nothing published yet');
  publishKnobs(slot, epoch, { quantum: 7 });
  assert.equal(knobsChanged(epoch, 0), 1);
  assert.equal(knobsChanged(epoch, 1), -1);
  assert.equal(slot[QUANTUM], 7);
  assert.equal(statsSlot(sab, 0)[KNOBS_EPOCH], 0, "participant 0's epoch is its own");
});

test(
  'a reader on another thread that sees epoch e reads knobs at least as new as those published with it',
  { timeout: 60_000 },
  async () => {
    const sab = createStatsBuffer(2);
    const slot = statsSlot(sab, 1);
    const epoch = knobsEpoch(sab, 1);
    const ctrl = new SharedArrayBuffer(8);
    const control = new Int32Array(ctrl);
    const worker = new Worker(new URL('../helpers/knobs-reader-worker.js', import.meta.url), {
      workerData: { sab, ctrl, deadline: Date.now() + 30_000 },
    });
    const result = new Promise<{ seen: number; changes: number; stale: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    // Publish while the reader reads: from its start, for 300 ms.
    for (let i = 0; i < 10_000 && Atomics.load(control, 1) === 0; i++) await new Promise((r) => setTimeout(r, 1));
    assert.equal(Atomics.load(control, 1), 1, 'the reader started');
    // Publication k writes quantum = batch = k, then bumps the epoch to k.
    let k = 0;
    const end = performance.now() + 300;
    while (performance.now() < end) for (let i = 0; i < 1000; i++) publishKnobs(slot, epoch, { quantum: ++k, batch: k });
    Atomics.store(control, 0, k);
    const r = await result;
    await worker.terminate();
    assert.equal(r.seen, k, 'the reader saw the last publication');
    assert.ok(r.changes > 100, `the reader saw ${r.changes} of ${k} publications while they were written`);
    assert.equal(r.stale, 0, `${r.stale} reads saw knobs older than their epoch`);
    assert.equal(slot[BATCH], k);
  },
);
