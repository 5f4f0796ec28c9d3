/**
 * One side of the raw ring stress test (test/native-free-core/ring-stress.test.ts). Both sides
 * derive the same record sizes from the seed; the payload of record n is a function of n, so the
 * consumer checks each byte, the order and the count, and both sides checksum everything.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Inbox } from '../../native-free-core/mesh/inbox.js';
import { RingConsumer } from '../../native-free-core/ring/ring-consumer.js';
import { RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { Doorbell } from '../../native-free-core/sync/doorbell.js';
import { BackoffIdleStrategy, IdlePhase } from '../../native-free-core/sync/idle-strategy.js';
import { Prng } from './prng.js';

export interface RingStressConfig {
  role: 'producer' | 'consumer';
  ring: SharedArrayBuffer;
  bells: SharedArrayBuffer;
  seed: number;
  records: number;
}
export interface RingStressResult {
  records: number;
  checksum: number;
  wakes: number;
  parks: number;
  error?: string;
}

const cfg = workerData as RingStressConfig;

function sizeOf(prng: Prng, max: number): number {
  const r = prng.int(100);
  if (r < 70) return prng.int(33); // small records dominate
  if (r < 95) return prng.int(257);
  return prng.int(max + 1); // up to the largest payload the ring takes
}
const byteOf = (n: number, i: number): number => (n * 131 + i * 7 + (n >>> 8)) & 0xff;

function produce(): RingStressResult {
  const ring = new RingProducer(cfg.ring);
  const consumerBell = new Doorbell(cfg.bells, 1);
  const sizes = new Prng(cfg.seed);
  const pacing = new Prng(cfg.seed ^ 0x5eed);
  const scratch = new Uint8Array(ring.maxPayload);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let checksum = 0;
  let batch = 1 + pacing.int(64);
  let untilPause = 200 + pacing.int(600);
  for (let n = 0; n < cfg.records; n++) {
    const size = sizeOf(sizes, ring.maxPayload);
    for (let i = 0; i < size; i++) {
      const b = byteOf(n, i);
      scratch[i] = b;
      checksum = (Math.imul(checksum, 31) + b) | 0;
    }
    while (!ring.tryWrite(n & 0x7fffffff, scratch, 0, size)) {
      if (ring.flush()) consumerBell.ring();
    }
    if (--batch === 0) {
      if (ring.flush()) consumerBell.ring();
      batch = 1 + pacing.int(64);
    }
    if (--untilPause === 0) {
      // Go quiet for a moment so the consumer runs out of work and parks.
      if (ring.flush()) consumerBell.ring();
      Atomics.wait(sleeper, 0, 0, 0.05 + pacing.float() * 0.2);
      untilPause = 200 + pacing.int(600);
    }
  }
  if (ring.flush()) consumerBell.ring();
  return { records: cfg.records, checksum, wakes: 0, parks: 0 };
}

function consume(): RingStressResult {
  const ring = new RingConsumer(cfg.ring);
  const inbox = new Inbox([ring], new Doorbell(cfg.bells, 1));
  const idle = new BackoffIdleStrategy({ spins: 20, yields: 0 });
  const sizes = new Prng(cfg.seed);
  const maxPayload = ring.capacity / 2 - 8;
  const state = { n: 0, checksum: 0, error: undefined as string | undefined };
  const handler = {
    onRecord(type: number, bytes: Uint8Array, offset: number, length: number): void {
      const n = state.n;
      const size = sizeOf(sizes, maxPayload);
      if (type !== (n & 0x7fffffff) || length !== size) {
        state.error ??= `record ${n}: got type=${type} length=${length}, expected type=${n} length=${size}`;
      }
      let checksum = state.checksum;
      for (let i = 0; i < length; i++) {
        const b = bytes[offset + i]!;
        if (b !== byteOf(n, i)) state.error ??= `record ${n}: byte ${i} is ${b}, expected ${byteOf(n, i)}`;
        checksum = (Math.imul(checksum, 31) + b) | 0;
      }
      state.checksum = checksum;
      state.n = n + 1;
    },
  };
  let wakes = 0;
  let parks = 0;
  while (state.n < cfg.records && state.error === undefined) {
    if (inbox.drain(handler) > 0) {
      idle.reset();
      continue;
    }
    if (idle.next() === IdlePhase.PARK) {
      const r = inbox.park(1000);
      if (r !== 'not-parked') parks++;
      if (r === 'woken') wakes++;
      idle.reset();
    }
  }
  return { records: state.n, checksum: state.checksum, wakes, parks, ...(state.error ? { error: state.error } : {}) };
}

parentPort!.postMessage(cfg.role === 'producer' ? produce() : consume());
