import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordRingWriter } from '../../native-free-core/ring/record-ring.js';
import { ActorRef } from '../../src/actor/actor-ref.js';
import { BatchSpan } from '../../src/observability/tracing/readable-span.js';
import { SpanIntake } from '../../src/observability/tracing/span-intake.js';
import { ThreadTracer } from '../../src/observability/tracing/thread-tracer.js';
import { SPAN_FIELDS, SPAN_RING, type SpanBatch, type SpanNotice } from '../../src/observability/tracing/trace-context.js';

const origin = { resource: {}, scope: { name: 'bactor', version: 'test' } };
const sender = new ActorRef(1, 6, 'Blaster', 7);
const target = new ActorRef(2, 5, 'Sink', 7);
const parent = { t0: 1, t1: 2, t2: 3, t3: 4, s0: 5, s1: 6, depth: 1 };

/** A tracer writing as worker 1 of a one-worker intake, and the announcements it made. */
function tracerOf(shape: { records: number; fields: number } = SPAN_RING): {
  tracer: ThreadTracer;
  intake: SpanIntake;
  notices: SpanNotice[];
} {
  const intake = new SpanIntake(1, shape);
  const notices: SpanNotice[] = [];
  const tracer = new ThreadTracer(
    { sampleRate: 1, maxDepth: 64 },
    new RecordRingWriter(intake.buffer, 1, shape),
    (n) => void notices.push(n),
  );
  return { tracer, intake, notices };
}

/** A new tracer for worker 1's ring of `intake` (a replacement thread's), and the announcements it makes. */
function replacementOf(intake: SpanIntake): { tracer: ThreadTracer; notices: SpanNotice[] } {
  const notices: SpanNotice[] = [];
  const tracer = new ThreadTracer(
    { sampleRate: 1, maxDepth: 64 },
    new RecordRingWriter(intake.buffer, 1, SPAN_RING),
    (n) => void notices.push(n),
  );
  return { tracer, notices };
}

/** Each span's name, message type and actor attribute. */
function read(batch: SpanBatch): string[] {
  return Array.from({ length: batch.nums.length / SPAN_FIELDS }, (_v, i) => {
    const span = new BatchSpan(batch, i, origin);
    return `${span.name}|${span.attributes['bactor.message.type']}|${span.attributes['bactor.actor']}`;
  });
}

test('span intake: announced spans come out with their strings; a string goes once; a thread that starts over says so', () => {
  const { tracer, intake, notices } = tracerOf();
  tracer.begin(parent);
  assert.equal(tracer.send(target, { type: 'inc' }, sender), true);
  tracer.end(parent, 0, sender, { type: 'blast' }, false);
  tracer.flush();
  assert.equal(notices.length, 1);
  assert.deepEqual(notices[0]!.strs, ['Sink', 'inc', 'Blaster', 'blast'], 'each string once');
  assert.deepEqual(read(intake.take(1, notices[0]!)!), ['send Sink|inc|Blaster#6@w1', 'process Blaster|blast|Blaster#6@w1']);
  // The same strings again: none announced, the table on the main thread resolves them.
  tracer.begin(parent);
  tracer.send(target, { type: 'inc' }, sender);
  tracer.end(parent, 0, sender, { type: 'blast' }, false);
  tracer.flush();
  assert.deepEqual(notices[1]!.strs, []);
  assert.equal(notices[1]!.strBase, 4);
  assert.deepEqual(read(intake.take(1, notices[1]!)!), ['send Sink|inc|Blaster#6@w1', 'process Blaster|blast|Blaster#6@w1']);
  // Nothing new: no announcement; a span announced twice is taken once.
  tracer.flush();
  assert.equal(notices.length, 2);
  assert.equal(intake.take(1, notices[1]!), null);
  // A replacement thread's tracer starts its table over (strBase 0) and goes on in the same ring.
  const { tracer: next, notices: again } = replacementOf(intake);
  next.begin(parent);
  next.end(parent, 0, target, { type: 'inc' }, true);
  next.flush();
  assert.equal(again[0]!.strBase, 0);
  assert.deepEqual(read(intake.take(1, again[0]!)!), ['process Sink|inc|Sink#5@w2']);
});

test("span intake: spans of a thread that died between writing and announcing them are dropped and counted, not named with its replacement's strings", () => {
  const { tracer, intake, notices } = tracerOf();
  tracer.begin(parent);
  tracer.send(target, { type: 'lost' }, sender);
  tracer.flush();
  // The announcement never reaches the main thread (the worker died before its ring was flushed).
  notices.length = 0;
  const { tracer: next, notices: again } = replacementOf(intake);
  next.begin(parent);
  next.end(parent, 0, target, { type: 'after' }, false);
  next.flush();
  assert.deepEqual(read(intake.take(1, again[0]!)!), ['process Sink|after|Sink#5@w2']);
  assert.equal(intake.lost, 1, "the dead thread's span, counted");
});

test('span intake: a full ring drops new spans and counts them; nothing announced is lost', () => {
  const { tracer, intake, notices } = tracerOf({ records: 4, fields: SPAN_FIELDS });
  tracer.begin(parent);
  for (let i = 0; i < 6; i++) tracer.send(target, { type: `m${i}` }, sender);
  tracer.flush();
  assert.equal(notices[0]!.dropped, 2);
  assert.deepEqual(
    read(intake.take(1, notices[0]!)!).map((s) => s.split('|')[1]),
    ['m0', 'm1', 'm2', 'm3'],
  );
  // Room again once taken.
  tracer.send(target, { type: 'm6' }, sender);
  tracer.flush();
  assert.equal(notices[1]!.dropped, 0);
  assert.deepEqual(
    read(intake.take(1, notices[1]!)!).map((s) => s.split('|')[1]),
    ['m6'],
  );
});

test('span intake: a thread naming more than 4,096 strings starts its table over, and every span keeps its own names', () => {
  const { tracer, intake, notices } = tracerOf();
  const types: string[] = [];
  tracer.begin(parent);
  for (let i = 0; i < 6000; i++) {
    types.push(`type-${i}`);
    tracer.send(target, { type: `type-${i}` }, sender);
    // As the main thread does: announcements taken as they come (the ring holds 8,192).
    while (notices.length > 0) {
      const batch = intake.take(1, notices.shift()!);
      if (batch !== null) read(batch).forEach((s) => assert.equal(s.split('|')[1], types.shift()));
    }
  }
  tracer.flush();
  const last = intake.take(1, notices.shift()!)!;
  read(last).forEach((s) => assert.equal(s.split('|')[1], types.shift()));
  assert.equal(types.length, 0, 'every span read');
  assert.ok(last.strs.length < 4096, `the table started over (${last.strs.length} strings)`);
});
