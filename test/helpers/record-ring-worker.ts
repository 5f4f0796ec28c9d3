import { parentPort, workerData } from 'node:worker_threads';
import { RecordRingWriter, type RecordRingShape } from '../../native-free-core/ring/record-ring.js';

/** What the record-ring stress test's writer thread gets. */
export interface RecordRingWriterConfig {
  buffer: SharedArrayBuffer;
  participant: number;
  shape: RecordRingShape;
  records: number;
  /** Records per announcement. */
  every: number;
}

// Writes records 0…records-1 (field 0: the number, every other field: number × field), announcing
// `upTo` by postMessage every `every` records; a full ring is waited out (bounded), counted.
const { buffer, participant, shape, records, every } = workerData as RecordRingWriterConfig;
const writer = new RecordRingWriter(buffer, participant, shape);
let full = 0;
const deadline = Date.now() + 30_000;
for (let i = 0; i < records; i++) {
  let at = writer.claim();
  while (at < 0) {
    full++;
    if (Date.now() > deadline) throw new Error(`the reader took nothing for 30 s (record ${i})`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.05);
    at = writer.claim();
  }
  writer.nums[at] = i;
  for (let f = 1; f < shape.fields; f++) writer.nums[at + f] = i * f;
  if ((i + 1) % every === 0 || i === records - 1) parentPort!.postMessage({ upTo: writer.publish() });
}
parentPort!.postMessage({ done: true, full });
