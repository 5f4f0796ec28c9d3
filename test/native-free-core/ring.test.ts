import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BactorError } from '../../native-free-core/errors.js';
import { DATA_OFFSET, HEAD_INDEX, TAIL_INDEX, recordLength } from '../../native-free-core/layout/ring-layout.js';
import { createRingBuffer } from '../../native-free-core/ring/ring-buffer.js';
import { RingConsumer, type RecordHandler } from '../../native-free-core/ring/ring-consumer.js';
import { RING_FULL, RingProducer } from '../../native-free-core/ring/ring-producer.js';

interface Rec {
  type: number;
  data: number[];
}
class Collector implements RecordHandler {
  records: Rec[] = [];
  onRecord(type: number, bytes: Uint8Array, offset: number, length: number): void {
    this.records.push({ type, data: [...bytes.subarray(offset, offset + length)] });
  }
}
const payload = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const pair = (capacity: number): [RingProducer, RingConsumer, SharedArrayBuffer] => {
  const sab = createRingBuffer(capacity);
  return [new RingProducer(sab), new RingConsumer(sab), sab];
};

test('a record is invisible until flush, then read once with its type and bytes', () => {
  const [p, c] = pair(1024);
  assert.equal(p.tryWrite(7, payload(5)), true);
  const got = new Collector();
  assert.equal(c.read(got), 0, 'not published yet');
  assert.equal(c.hasData(), false);
  assert.equal(p.flush(), true);
  assert.equal(p.flush(), false, 'nothing new to publish');
  assert.equal(c.hasData(), true);
  assert.equal(c.read(got), 1);
  assert.deepEqual(got.records, [{ type: 7, data: [...payload(5)] }]);
  assert.equal(c.read(got), 0);
});

test('zero-length and maximum-size records', () => {
  const [p, c] = pair(1024);
  assert.equal(p.maxPayload, 504);
  assert.equal(p.tryWrite(1, new Uint8Array(0)), true);
  p.flush();
  const got = new Collector();
  c.read(got);
  assert.equal(p.tryWrite(2, payload(504)), true);
  p.flush();
  c.read(got);
  assert.deepEqual(got.records, [
    { type: 1, data: [] },
    { type: 2, data: [...payload(504)] },
  ]);
});

test('a record that can never fit is refused with its size and the limit', () => {
  const [p] = pair(1024);
  assert.throws(
    () => p.tryWrite(1, new Uint8Array(505)),
    (e: unknown) =>
      e instanceof BactorError &&
      e.code === 'ERR_RECORD_TOO_LARGE' &&
      /505 bytes/.test(e.message) &&
      /capacity=1024/.test(e.message) &&
      /504/.test(e.message),
  );
  assert.throws(() => p.tryClaim(1, -1), { code: 'ERR_RECORD_TOO_LARGE' });
  assert.throws(() => p.tryClaim(-1, 4), { code: 'ERR_INVALID_ARGUMENT' }, 'the padding type is reserved');
});

test('a full ring returns a status, and room comes back as the consumer reads', () => {
  const [p, c] = pair(256);
  let written = 0;
  while (p.tryWrite(3, payload(24))) written++;
  assert.equal(written, 256 / recordLength(24));
  assert.equal(p.tryClaim(3, 0), RING_FULL);
  p.flush();
  const got = new Collector();
  assert.equal(c.read(got, 2), 2, 'limit respected');
  assert.equal(p.tryWrite(3, payload(24)), true, 'two slots released');
  assert.equal(p.tryWrite(3, payload(24)), true);
  assert.equal(p.tryWrite(3, payload(24)), false);
});

test('wrap-around: a record that does not fit before the end is preceded by padding', () => {
  const [p, c, sab] = pair(256);
  const got = new Collector();
  // Fill 200 bytes, read them, so the tail stands at 200 with 56 bytes to the end.
  for (let i = 0; i < 5; i++) assert.ok(p.tryWrite(1, payload(32, i)));
  p.flush();
  c.read(got);
  assert.ok(p.tryWrite(9, payload(60, 9))); // needs 72 > 56: padding, then offset 0
  p.flush();
  const i32 = new Int32Array(sab);
  assert.equal(i32[(DATA_OFFSET + 200) >> 2], 56 - 8, 'padding length covers the rest of the body');
  assert.equal(i32[((DATA_OFFSET + 200) >> 2) + 1], -1, 'padding type');
  assert.equal(i32[DATA_OFFSET >> 2], 60, 'record restarts at offset 0');
  got.records = [];
  assert.equal(c.read(got), 1, 'padding is not handed out');
  assert.deepEqual(got.records, [{ type: 9, data: [...payload(60, 9)] }]);
  assert.equal(Atomics.load(i32, TAIL_INDEX), 256 + 72);
  assert.equal(Atomics.load(i32, HEAD_INDEX), 256 + 72);
});

test('boundary sizes around the wrap keep every byte, from every starting offset', () => {
  const capacity = 512;
  for (let start = 0; start < capacity; start += 8) {
    const [p, c] = pair(capacity);
    const got = new Collector();
    for (let left = start; left > 0;) {
      const step = Math.min(left, 64); // a record of `step` bytes in all
      assert.ok(p.tryWrite(1, new Uint8Array(step - 8)));
      left -= step;
    }
    p.flush();
    c.read(got);
    const toEnd = capacity - start;
    const sizes = [toEnd - 16, toEnd - 9, toEnd - 8, toEnd - 7, toEnd, toEnd + 1].filter((s) => s >= 0 && s <= p.maxPayload);
    got.records = [];
    const expected: Rec[] = [];
    for (const size of sizes) {
      const data = payload(size, size + start);
      assert.ok(p.tryWrite(2, data), `size ${size} at start ${start}`);
      p.flush();
      expected.push({ type: 2, data: [...data] });
      c.read(got);
    }
    assert.deepEqual(got.records, expected, `start ${start}`);
  }
});

test('claim/commit: commit shorter than the claim, abort leaves no trace', () => {
  const [p, c] = pair(1024);
  const at = p.tryClaim(4, 100);
  assert.ok(at >= DATA_OFFSET);
  p.bytes.set([1, 2, 3], at);
  p.commit(3);
  const at2 = p.tryClaim(5, 50);
  p.bytes.set([9, 9], at2);
  p.abort();
  assert.throws(() => p.commit(1), { code: 'ERR_MISUSE' });
  p.tryClaim(6, 10);
  assert.throws(() => p.tryClaim(6, 10), { code: 'ERR_MISUSE' });
  assert.throws(() => p.commit(11), { code: 'ERR_INVALID_ARGUMENT' });
  p.commit(0);
  p.flush();
  const got = new Collector();
  c.read(got);
  assert.deepEqual(got.records, [
    { type: 4, data: [1, 2, 3] },
    { type: 6, data: [] },
  ]);
  assert.equal(p.usedBytes(), 0);
});

test('a throwing handler loses no progress: the record it threw on counts as read', () => {
  const [p, c] = pair(1024);
  for (let i = 0; i < 5; i++) p.tryWrite(i + 1, payload(4));
  p.flush();
  const seen: number[] = [];
  const handler: RecordHandler = {
    onRecord(type) {
      seen.push(type);
      if (type === 3) throw new Error('handler failure');
    },
  };
  assert.throws(() => c.read(handler), /handler failure/);
  assert.equal(c.read(handler), 2);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
});

test('positions are free-running 32-bit counters: wrapping past 2^32 loses nothing', () => {
  const sab = createRingBuffer(256);
  const i32 = new Int32Array(sab);
  const near = 0xffffff00 | 0; // 256 bytes before 2^32, a multiple of the capacity
  i32[TAIL_INDEX] = near;
  i32[HEAD_INDEX] = near;
  const p = new RingProducer(sab);
  const c = new RingConsumer(sab);
  const got = new Collector();
  let n = 0;
  for (let round = 0; round < 20; round++) {
    while (p.tryWrite(round, payload(20, n))) n++;
    p.flush();
    c.read(got);
  }
  assert.equal(got.records.length, n);
  got.records.forEach((r, i) => assert.deepEqual(r.data, [...payload(20, i)]));
  assert.ok(Atomics.load(i32, TAIL_INDEX) >>> 0 < 0xffffff00, 'the tail wrapped past 2^32');
});

test('a replacement producer and consumer continue from the shared positions', () => {
  const [p, c, sab] = pair(1024);
  p.tryWrite(1, payload(3));
  p.tryWrite(2, payload(3));
  p.flush();
  const got = new Collector();
  c.read(got, 1);
  const p2 = new RingProducer(sab);
  const c2 = new RingConsumer(sab);
  p2.tryWrite(3, payload(3));
  p2.flush();
  c2.read(got);
  assert.deepEqual(
    got.records.map((r) => r.type),
    [1, 2, 3],
  );
});

test('createRingBuffer and attach refuse bad sizes and foreign buffers', () => {
  for (const bad of [0, 100, 1000, 64, 2 ** 31, 1.5]) {
    assert.throws(
      () => createRingBuffer(bad),
      (e: unknown) => e instanceof BactorError && e.code === 'ERR_INVALID_CAPACITY' && e.message.includes(`capacity=${bad}`),
    );
  }
  assert.throws(() => new RingProducer(new SharedArrayBuffer(4096)), { code: 'ERR_BAD_LAYOUT' });
  assert.throws(() => new RingConsumer(new ArrayBuffer(4096) as unknown as SharedArrayBuffer), { code: 'ERR_BAD_LAYOUT' });
});
