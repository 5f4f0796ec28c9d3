import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextBatch, nextSpins, quantumCeiling } from '../../src/scheduler/knob-rules.js';

const busy = (loopMs: number, msPerMessage = 0.001) => ({ utilisation: 1, loopMs, msPerMessage });

test('batch rule: grows while a doubled turn fits three quarters of the target, halves past it, and settles between', () => {
  // Target 1 ms, nobody else sending: 0.33 ms turns (a 25M msgs/s worker at batch 8,192) double.
  assert.equal(nextBatch(8192, busy(0.33), false, 1), 16_384);
  assert.equal(nextBatch(16_384, busy(0.66), false, 1), 16_384, 'between 3/8 and the target: kept');
  assert.equal(nextBatch(16_384, busy(1.2), false, 1), 8192, 'past the target: halved');
  assert.equal(nextBatch(16_384, busy(0.1), false, 1), 16_384, 'never above 16,384');
  assert.equal(nextBatch(256, busy(5), false, 1), 256, 'never under 256');
  // Settles: from any batch, repeated looks at a worker whose turn time is proportional to its batch end within bounds.
  for (const start of [256, 1024, 4096, 16_384]) {
    let batch = start;
    for (let k = 0; k < 20; k++) batch = nextBatch(batch, busy(batch * 0.00005), false, 1);
    const turn = batch * 0.00005;
    assert.ok(turn <= 1 && (turn >= 0.375 || batch === 16_384), `from ${start}: batch ${batch}, turns of ${turn} ms`);
  }
  // Other threads sending: the target is an eighth.
  assert.equal(nextBatch(4096, busy(0.5), true, 1), 2048);
  assert.equal(nextBatch(4096, busy(0.5), false, 1), 4096);
  // An idle worker or one not measured yet: unchanged.
  assert.equal(nextBatch(4096, { utilisation: 0.2, loopMs: 5, msPerMessage: 0 }, false, 1), 4096);
  assert.equal(nextBatch(4096, busy(0), false, 1), 4096);
});

test('quantum cap: one pass over the run queue fits an eighth of the target, never under 10', () => {
  // 0.5 µs per message, five actors queued: 0.125 ms / (0.0005 ms × 5) = 50.
  assert.equal(quantumCeiling(busy(0.5, 0.0005), 5, 1), 50);
  assert.equal(quantumCeiling(busy(0.5, 0.01), 100, 1), 10);
  assert.equal(quantumCeiling({ utilisation: 0.3, loopMs: 1, msPerMessage: 0.001 }, 5, 1), Infinity, 'not busy: no cap');
});

test('spin rule: many short parks double the spins (up to 64,000); long parks bring them back to the base', () => {
  // 100 ms look, 100 parks of 0.01 ms: 1,000 parks a second, short.
  assert.equal(nextSpins(2000, 2000, 100, 1, 100), 4000);
  assert.equal(nextSpins(64_000, 2000, 100, 1, 100), 64_000);
  // 10 parks of 5 ms: idle.
  assert.equal(nextSpins(8000, 2000, 10, 50, 100), 4000);
  assert.equal(nextSpins(2000, 2000, 10, 50, 100), 2000, 'never under the base');
  assert.equal(nextSpins(4000, 2000, 0, 0, 100), 4000, 'no parks: unchanged');
});
