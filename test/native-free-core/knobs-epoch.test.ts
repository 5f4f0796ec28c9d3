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
    const last = 300_000;
    const worker = new Worker(new URL('../helpers/knobs-reader-worker.js', import.meta.url), {
      workerData: { sab, last, deadline: Date.now() + 30_000 },
    });
    const result = new Promise<{ seen: number; looks: number; changes: number; stale: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    // Publication k writes quantum = batch = k, then bumps the epoch to k.
    for (let k = 1; k <= last; k++) publishKnobs(slot, epoch, { quantum: k, batch: k });
    const r = await result;
    await worker.terminate();
    assert.equal(r.seen, last, 'the reader saw the last publication');
    assert.ok(r.changes > 1, `the reader saw ${r.changes} publications while they were written`);
    assert.equal(r.stale, 0, `${r.stale} reads saw knobs older than their epoch`);
    assert.equal(slot[BATCH], last);
  },
);
