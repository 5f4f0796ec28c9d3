import { Packr, Unpackr } from 'msgpackr';
import { Bench } from 'tinybench';
import { createAppendLogBuffer } from '../../native-free-core/log/append-log.js';
import { createRingBuffer } from '../../native-free-core/ring/ring-buffer.js';
import { RingConsumer } from '../../native-free-core/ring/ring-consumer.js';
import { RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { MessageDecoder } from '../../src/codec/message-decoder.js';
import { MessageEncoder } from '../../src/codec/message-encoder.js';
import type { SuiteContext } from '../harness.js';

/**
 * In-thread codec cost of the small message, encode + decode, with tinybench: bactor's codec
 * through a ring (fast path and msgpack path) against msgpackr maps, msgpackr records, JSON and
 * structuredClone.
 */
export async function codecSuite(ctx: SuiteContext): Promise<void> {
  const sab = createRingBuffer(1 << 20);
  const log = createAppendLogBuffer(1 << 16);
  const encoder = new MessageEncoder(new RingProducer(sab), log);
  const decoder = new MessageDecoder(new RingConsumer(sab), log);
  const sink = {
    last: undefined as unknown,
    onMessage(_t: number, _a: number, _b: number, m: unknown) {
      this.last = m;
    },
  };
  const maps = new Packr({ useRecords: false });
  const shared: string[][] = [];
  const records = new Packr({ structures: shared });
  const unrecords = new Unpackr({ structures: shared });
  let i = 0;
  const bench = new Bench({ time: ctx.quick ? 300 : 1500, warmupTime: 200 });
  bench
    .add('bactor codec (fast path)', () => {
      encoder.write(1, { type: 'inc', id: i++, value: 42 });
      encoder.flush();
      decoder.drain(sink);
    })
    .add('bactor codec (msgpack path, nested)', () => {
      encoder.write(1, { type: 'inc', id: i++, value: 42, meta: { at: 1 } });
      encoder.flush();
      decoder.drain(sink);
    })
    .add('msgpackr maps', () => maps.unpack(maps.pack({ type: 'inc', id: i++, value: 42 })))
    .add('msgpackr records', () => unrecords.unpack(records.pack({ type: 'inc', id: i++, value: 42 })))
    .add('JSON', () => JSON.parse(JSON.stringify({ type: 'inc', id: i++, value: 42 })))
    .add('structuredClone', () => structuredClone({ type: 'inc', id: i++, value: 42 }));
  ctx.log('encode + decode of {type, id, value} in one thread');
  await bench.run();
  for (const task of bench.tasks) {
    const r = task.result as unknown as {
      throughput?: { mean: number; median?: number; rme?: number };
      latency?: { samplesCount?: number; samples?: number[] };
      hz?: number;
      rme?: number;
      samples?: number[];
    };
    const hz = (r.throughput as { p50?: number } | undefined)?.p50 ?? r.throughput?.mean ?? r.hz ?? 0;
    const rme = (r.throughput?.rme ?? r.rme ?? 0) / 100;
    const n = r.latency?.samplesCount ?? r.latency?.samples?.length ?? r.samples?.length ?? 0;
    ctx.report({ suite: 'codec', name: task.name, unit: 'ops/s', value: hz, runs: n, spread: rme });
  }
}
