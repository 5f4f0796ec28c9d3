/**
 * The tracer's own calls on one thread, without actors or rings (RESULTS.md, observability,
 * eighteenth and nineteenth sessions): `npm run build && node dist/bench/tracer-cost.js`. Prints
 * what a clock read costs (5,000,000 calls of each clock), then ns per send
 * span (`ThreadTracer.send` in a traced handler) and per handle span (a TracedMessage made, its
 * span begun and ended, with two clock reads), five rounds of 2,000,000; announced spans are
 * copied out of the ring, as the main thread does, and dropped.
 */
import { RecordRingReader, RecordRingWriter, createRecordRingBuffer } from '../native-free-core/ring/record-ring.js';
import { ActorRef } from '../src/actor/actor-ref.js';
import { ThreadTracer } from '../src/observability/tracing/thread-tracer.js';
import { SPAN_RING, TracedMessage } from '../src/observability/tracing/trace-context.js';

// What one clock read costs here (a span takes one per send and two per handler).
const CLOCK_READS = 5_000_000;
for (const [name, read] of [
  ['performance.now()', () => performance.now()],
  ['Date.now()', () => Date.now()],
  ['process.hrtime.bigint()', () => Number(process.hrtime.bigint() & 0xffffn)],
] as const) {
  let sum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CLOCK_READS; i++) sum += read();
  const ns = Number(process.hrtime.bigint() - t0) / CLOCK_READS;
  console.log(`${name}: ${ns.toFixed(1)} ns a call${sum > 0 ? '' : ' (?)'}`);
}

let taken = 0;
// The spans go to a ring of their own, taken out (and dropped) at each announcement, as the main thread would.
const spans = createRecordRingBuffer(1, SPAN_RING);
const reader = new RecordRingReader(spans, 0, SPAN_RING);
const tracer = new ThreadTracer({ sampleRate: 1, maxDepth: 64 }, new RecordRingWriter(spans, 0, SPAN_RING), (notice) => {
  taken += reader.take(notice.from, notice.upTo).length;
});
const target = new ActorRef(1, 5, 'Sink', 7);
const sender = new ActorRef(1, 6, 'Blaster', 7);
const message = { type: 'inc', id: 1, value: 42 };
const parent = { t0: 1, t1: 2, t2: 3, t3: 4, s0: 5, s1: 6, depth: 1 };
const N = 2_000_000;
for (let round = 0; round < 5; round++) {
  let t0 = performance.now();
  tracer.begin(parent);
  for (let i = 0; i < N; i++) tracer.send(target, message, sender);
  tracer.end(parent, 0, sender, message, false);
  const send = ((performance.now() - t0) * 1e6) / N;
  t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const o = tracer.out;
    const traced = new TracedMessage(o[0]!, o[1]!, o[2]!, o[3]!, o[4]!, o[5]!, o[6]!, message);
    const start = tracer.now();
    tracer.begin(traced);
    tracer.end(traced, start, target, traced.message, false);
  }
  const handle = ((performance.now() - t0) * 1e6) / N;
  console.log(`send span ${send.toFixed(0)} ns, handle span ${handle.toFixed(0)} ns (${taken} numbers taken so far)`);
}
