import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LOG_CAPACITY_INDEX,
  LOG_COUNT_INDEX,
  LOG_DATA_OFFSET,
  LOG_END_INDEX,
  LOG_MAGIC_INDEX,
} from '../../native-free-core/layout/append-log-layout.js';
import { BELL_STRIDE_INT32, doorbellByteLength } from '../../native-free-core/layout/doorbell-layout.js';
import {
  CACHE_LINE,
  CAPACITY_INDEX,
  DATA_OFFSET,
  HEAD_INDEX,
  MAGIC_INDEX,
  RECORD_ALIGNMENT,
  RECORD_HEADER_LENGTH,
  TAIL_INDEX,
  align8,
  maxPayloadLength,
  recordLength,
  ringByteLength,
} from '../../native-free-core/layout/ring-layout.js';
import { createRingBuffer } from '../../native-free-core/ring/ring-buffer.js';

const line = (int32Index: number): number => Math.floor((int32Index * 4) / CACHE_LINE);

test('ring header: TAIL, HEAD and the constants each own a separate cache line', () => {
  assert.equal(CACHE_LINE, 128);
  assert.equal(TAIL_INDEX * 4, 0);
  assert.equal(HEAD_INDEX * 4, 128);
  assert.equal(CAPACITY_INDEX * 4, 256);
  assert.equal(MAGIC_INDEX * 4, 260);
  assert.equal(new Set([line(TAIL_INDEX), line(HEAD_INDEX), line(CAPACITY_INDEX)]).size, 3);
  assert.equal(line(CAPACITY_INDEX), line(MAGIC_INDEX));
  assert.equal(DATA_OFFSET, 384);
  assert.equal(DATA_OFFSET % CACHE_LINE, 0, 'the body starts on its own line');
});

test('records: 8-byte header, 8-byte alignment, half the body at most', () => {
  assert.equal(RECORD_HEADER_LENGTH, 8);
  assert.equal(RECORD_ALIGNMENT, 8);
  assert.deepEqual([0, 1, 7, 8, 9, 16].map(align8), [0, 8, 8, 8, 16, 16]);
  assert.deepEqual([0, 1, 8, 9].map(recordLength), [8, 16, 16, 24]);
  assert.equal(maxPayloadLength(1024), 504);
  assert.equal(recordLength(maxPayloadLength(1024)), 512);
});

test('createRingBuffer lays out the header and sizes the buffer', () => {
  const sab = createRingBuffer(4096);
  assert.equal(sab.byteLength, ringByteLength(4096));
  assert.equal(sab.byteLength, DATA_OFFSET + 4096);
  const i32 = new Int32Array(sab);
  assert.equal(i32[CAPACITY_INDEX], 4096);
  assert.equal(i32[TAIL_INDEX], 0);
  assert.equal(i32[HEAD_INDEX], 0);
});

test('doorbells: one per 128-byte line', () => {
  assert.equal(BELL_STRIDE_INT32 * 4, 128);
  assert.equal(doorbellByteLength(5), 640);
});

test('append log header: COUNT/END on the first line, constants on the second, entries after', () => {
  assert.equal(LOG_COUNT_INDEX * 4, 0);
  assert.equal(LOG_END_INDEX * 4, 4);
  assert.equal(LOG_CAPACITY_INDEX * 4, 128);
  assert.equal(LOG_MAGIC_INDEX * 4, 132);
  assert.equal(LOG_DATA_OFFSET, 256);
});
