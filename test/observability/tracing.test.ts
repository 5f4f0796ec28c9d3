import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ActorSystem, ErrorCode } from '../../src/index.js';
import { Hop } from '../fixtures/hop.actor.js';
import { poll } from '../helpers/poll.js';

const attr = (s: ReadableSpan, key: string): unknown => s.attributes[key];
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;

describe('tracing: W3C trace context across threads, spans through an OpenTelemetry exporter', () => {
  it('one trace crosses two workers: a send and a handle span per hop, each the parent of the next', async () => {
    const exporter = new InMemorySpanExporter();
    const system = await ActorSystem.start({ workers: 2, tracing: { exporter, sampleRate: 1 } });
    try {
      const a = await system.spawn(Hop, undefined, { worker: 1 });
      const b = await system.spawn(Hop, undefined, { worker: 2 });
      const c = await system.spawn(Hop, undefined, { worker: 1 });
      a.tell({ type: 'hop', path: [b, c] });
      await poll(
        async () => {
          await system.tracing!.flush();
          return exporter.getFinishedSpans().length;
        },
        (n) => n >= 6,
      );
      const spans = [...exporter.getFinishedSpans()].sort((x, y) => x.startTime[0] - y.startTime[0] || x.startTime[1] - y.startTime[1]);
      assert.equal(spans.length, 6);
      assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1, 'one trace');
      assert.match(spans[0]!.spanContext().traceId, /^[0-9a-f]{32}$/);
      // send A (main) → process A (w1) → send B (w1) → process B (w2) → send C (w2) → process C (w1)
      const chain: ReadableSpan[] = [];
      let next: ReadableSpan | undefined = spans.find((s) => parentOf(s) === undefined);
      while (next !== undefined) {
        chain.push(next);
        const id = next.spanContext().spanId;
        next = spans.find((s) => parentOf(s) === id);
      }
      assert.deepEqual(
        chain.map((s) => [s.name, s.kind, attr(s, 'bactor.thread')]),
        [
          ['send Hop', 3, 'main'],
          ['process Hop', 4, 'w1'],
          ['send Hop', 3, 'w1'],
          ['process Hop', 4, 'w2'],
          ['send Hop', 3, 'w2'],
          ['process Hop', 4, 'w1'],
        ],
      );
      assert.deepEqual(
        chain.filter((s) => s.kind === 4).map((s) => attr(s, 'bactor.actor')),
        [String(a), String(b), String(c)],
      );
      assert.equal(attr(chain[1]!, 'bactor.message.type'), 'hop');
      assert.equal(attr(chain[1]!, 'messaging.system'), 'bactor');
      assert.equal((chain[1]!.resource as { attributes: Record<string, unknown> }).attributes['service.name'], 'bactor');
    } finally {
      await system.shutdown();
    }
  });

  it('a send inside an OpenTelemetry span on the main thread joins its trace; an unsampled one stays untraced', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const exporter = new InMemorySpanExporter();
    // sampleRate 0: only sends under a sampled OpenTelemetry span are traced.
    const system = await ActorSystem.start({ workers: 1, tracing: { exporter, sampleRate: 0 } });
    try {
      const hop = await system.spawn(Hop, undefined);
      const tracer = new BasicTracerProvider().getTracer('http');
      let request = { traceId: '', spanId: '' };
      tracer.startActiveSpan('GET /orders', (span) => {
        request = span.spanContext();
        hop.tell({ type: 'hop', path: [] });
        span.end();
      });
      const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 0 });
      context.with(unsampled, () => hop.tell({ type: 'hop', path: [] }));
      hop.tell({ type: 'hop', path: [] }); // outside any span, at rate 0: untraced
      await poll(
        async () => {
          await system.tracing!.flush();
          return exporter.getFinishedSpans().length;
        },
        (n) => n >= 2,
      );
      await new Promise((r) => setTimeout(r, 300));
      await system.tracing!.flush();
      const spans = exporter.getFinishedSpans();
      assert.equal(spans.length, 2, spans.map((s) => s.name).join(', '));
      const send = spans.find((s) => s.kind === 3)!;
      assert.equal(send.spanContext().traceId, request.traceId);
      assert.equal(parentOf(send), request.spanId);
      assert.equal(parentOf(spans.find((s) => s.kind === 4)!), send.spanContext().spanId);
    } finally {
      await system.shutdown();
      context.disable();
    }
  });

  it('bounds a trace: a send to itself starts a new one, a chain stops at maxDepth; a failed handler is an error span', async () => {
    const exporter = new InMemorySpanExporter();
    const system = await ActorSystem.start({ workers: 2, tracing: { exporter, sampleRate: 1, maxDepth: 4 } });
    try {
      const a = await system.spawn(Hop, undefined, { worker: 1 });
      const b = await system.spawn(Hop, undefined, { worker: 2 });
      // 20 bounces: traces of at most 4 hops each (8 spans), then a hop untraced, then a new trace.
      a.tell({ type: 'ball', left: 20, peer: b });
      // 5 sends to itself: each a root of its own.
      a.tell({ type: 'again', left: 5 });
      b.tell({ type: 'fail' });
      // On the main thread the root guardian restarts it inside the failing turn: still an error span.
      const inline = await system.spawn(Hop, undefined, { dispatcher: 'inline' });
      inline.tell({ type: 'fail' });
      await poll(
        async () => {
          await system.tracing!.flush();
          return exporter.getFinishedSpans().length;
        },
        (n) => n >= 2 * (17 + 6 + 2),
      );
      const spans = exporter.getFinishedSpans();
      const byTrace = new Map<string, ReadableSpan[]>();
      for (const s of spans) byTrace.set(s.spanContext().traceId, [...(byTrace.get(s.spanContext().traceId) ?? []), s]);
      const ball = [...byTrace.values()].filter((t) => t.some((s) => attr(s, 'bactor.message.type') === 'ball'));
      assert.ok(
        ball.every((t) => t.length <= 8),
        `ball traces: ${ball.map((t) => t.length).join(', ')}`,
      );
      // 21 balls: 4 traced, the fifth past maxDepth untraced, and its handler's send a new root — 17 traced.
      assert.equal(
        ball.reduce((n, t) => n + t.length, 0),
        2 * 17,
      );
      assert.equal(ball.length, 5);
      const again = [...byTrace.values()].filter((t) => t.some((s) => attr(s, 'bactor.message.type') === 'again'));
      assert.equal(again.length, 6, 'each send to itself is a root');
      const failed = spans.filter((s) => s.kind === 4 && attr(s, 'bactor.message.type') === 'fail');
      assert.deepEqual(failed.map((s) => [attr(s, 'bactor.thread'), s.status.code]).sort(), [
        ['main', 2],
        ['w2', 2],
      ]);
    } finally {
      await system.shutdown();
    }
  });

  it('is off by default; wrong options fail with ERR_INVALID_OPTION', async () => {
    const system = await ActorSystem.start({ workers: 1 });
    assert.equal(system.tracing, null);
    await system.shutdown();
    const exporter = new InMemorySpanExporter();
    for (const [tracing, message] of [
      [{}, /tracing.exporter must be an OpenTelemetry SpanExporter/],
      [{ exporter: {} }, /tracing.exporter/],
      [{ exporter, sampleRate: 2 }, /tracing.sampleRate=2/],
      [{ exporter, maxDepth: 0 }, /tracing.maxDepth=0/],
      [{ exporter, sampelRate: 0.1 }, /sampelRate/],
    ] as [unknown, RegExp][]) {
      await assert.rejects(ActorSystem.start({ workers: 1, tracing: tracing as never }), (e: { code?: string; message: string }) => {
        assert.equal(e.code, ErrorCode.INVALID_OPTION);
        assert.match(e.message, message);
        return true;
      });
    }
  });
});
