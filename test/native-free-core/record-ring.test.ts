import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { HEAD, TAIL } from '../../native-free-core/layout/record-ring-layout.js';
import { RecordRingReader, RecordRingWriter, createRecordRingBuffer } from '../../native-free-core/ring/record-ring.js';
import type { RecordRingWriterConfig } from '../helpers/record-ring-worker.js';

const WORKER = new URL('../helpers/record-ring-worker.js', import.meta.url);

test('record ring: records read back in order as announced; a full ring refuses; a new writer goes on', () => {
  const shape = { records: 4, fields: 3 };
  const buffer = createRecordRingBuffer(2, shape);
  const writer = new RecordRingWriter(buffer, 1, shape);
  const reader = new RecordRingReader(buffer, 1, shape);
  const write = (w: RecordRingWriter, v: number): number => {
    const at = w.claim();
    if (at >= 0) w.nums.set([v, v + 0.5, -v], at);
    return at;
  };
  for (let v = 1; v <= 4; v++) assert.ok(write(writer, v) >= 0);
  assert.equal(write(writer, 5), -1, 'four records fill a ring of four');
  assert.equal(writer.unread(), 4);
  // Nothing published yet: an announcement past HEAD reads nothing.
  assert.deepEqual([...reader.take(0, 2)], []);
  const upTo = writer.publish();
  assert.equal(upTo, 4);
  assert.equal(writer.published, 4);
  assert.deepEqual([...reader.take(0, 2)], [1, 1.5, -1, 2, 2.5, -2]);
  assert.equal(writer.unread(), 2);
  assert.ok(write(writer, 5) >= 0, 'room again once the reader took some');
  assert.ok(write(writer, 6) >= 0);
  const last = writer.publish();
  // Wraps around the ring's end.
  assert.deepEqual([...reader.take(2, last)], [3, 3.5, -3, 4, 4.5, -4, 5, 5.5, -5, 6, 6.5, -6]);
  assert.equal(reader.skipped, 0);
  // A stale announcement takes nothing.
  assert.equal(reader.take(0, upTo).length, 0);
  // A replacement writer starts where the last one published (its unpublished records are not read).
  assert.ok(write(writer, 99) >= 0);
  const next = new RecordRingWriter(buffer, 1, shape);
  assert.equal(next.published, last);
  write(next, 7);
  assert.deepEqual([...reader.take(next.published, next.publish())], [7, 7.5, -7]);
  // Region 0 is a ring of its own: nothing of region 1 shows there, nor the other way.
  const zero = new RecordRingWriter(buffer, 0, shape);
  assert.equal(zero.published, 0);
  write(zero, 42);
  const zeroUpTo = zero.publish();
  assert.deepEqual([...new RecordRingReader(buffer, 0, shape).take(0, zeroUpTo)], [42, 42.5, -42]);
  assert.equal(reader.take(next.published, next.published).length, 0, 'region 1 has nothing new');
});

test('record ring: records published by a writer that never announced them are passed over and counted', () => {
  const shape = { records: 8, fields: 1 };
  const buffer = createRecordRingBuffer(1, shape);
  const reader = new RecordRingReader(buffer, 0, shape);
  const dead = new RecordRingWriter(buffer, 0, shape);
  for (let v = 1; v <= 3; v++) dead.nums[dead.claim()] = v;
  dead.publish(); // …and died before its announcement went out.
  const next = new RecordRingWriter(buffer, 0, shape);
  const from = next.published;
  next.nums[next.claim()] = 4;
  assert.deepEqual([...reader.take(from, next.publish())], [4]);
  assert.equal(reader.skipped, 3);
  // The ring is free again: eight more fit.
  for (let i = 0; i < 8; i++) assert.ok(next.claim() >= 0);
});

test('record ring: wrong shapes and participants fail with ERR_INVALID_ARGUMENT', () => {
  assert.throws(() => createRecordRingBuffer(1, { records: 6, fields: 2 }), { code: 'ERR_INVALID_ARGUMENT', message: /power of two/ });
  assert.throws(() => createRecordRingBuffer(0, { records: 4, fields: 2 }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => createRecordRingBuffer(1, { records: 4, fields: 0 }), { code: 'ERR_INVALID_ARGUMENT' });
  const buffer = createRecordRingBuffer(2, { records: 4, fields: 2 });
  assert.throws(() => new RecordRingWriter(buffer, 2, { records: 4, fields: 2 }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /participant=2/,
  });
});

test(
  'record ring stress, a writer thread and this reader, counts wrapping past 2^31: nothing lost, duplicated or reordered',
  { timeout: 60_000 },
  async () => {
    const shape = { records: 64, fields: 5 };
    const buffer = createRecordRingBuffer(2, shape);
    // Start both counts just below the int32 wrap: the run crosses it.
    const words = new Int32Array(buffer, 1 * (16 + shape.records * shape.fields * 8), 4);
    Atomics.store(words, HEAD, 0x7fff_ff00);
    Atomics.store(words, TAIL, 0x7fff_ff00);
    const records = 300_000;
    const config: RecordRingWriterConfig = { buffer, participant: 1, shape, records, every: 37 };
    const reader = new RecordRingReader(buffer, 1, shape);
    const worker = new Worker(WORKER, { workerData: config });
    let next = 0;
    let from = 0x7fff_ff00;
    let bad: string | null = null;
    const result = await new Promise<{ full: number }>((resolve, reject) => {
      worker.on('message', (m: { upTo?: number; done?: boolean; full?: number }) => {
        if (m.done === true) return resolve({ full: m.full! });
        const nums = reader.take(from, m.upTo!);
        if (reader.skipped !== 0 && bad === null) bad = `${reader.skipped} records passed over at ${from}`;
        from = m.upTo!;
        for (let at = 0; at < nums.length && bad === null; at += shape.fields) {
          if (nums[at] !== next) bad = `record ${next} expected, ${nums[at]} read`;
          for (let f = 1; f < shape.fields && bad === null; f++)
            if (nums[at + f] !== next * f) bad = `record ${next}: field ${f} is ${nums[at + f]}`;
          next++;
        }
      });
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`writer exited with ${code}`)));
    });
    await worker.terminate();
    assert.equal(bad, null);
    assert.equal(next, records, 'every record read once');
    assert.ok(Atomics.load(words, HEAD) < 0, 'the count wrapped');
    // The reader takes only as messages arrive: the writer ran into a full ring and waited, and still nothing was lost.
    assert.ok(result.full > 0, 'the writer never found the ring full: the test did not exercise the refusal');
  },
);
