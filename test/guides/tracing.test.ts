// The README's tracing guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { ActorSystem } from '../../src/index.js';
import { Relay } from './tracing.actor.js';

test('tracing guide: one trace from the main thread across two workers', { timeout: 30_000 }, async (t) => {
  const exporter = new InMemorySpanExporter(); // any OpenTelemetry SpanExporter: OTLP, Zipkin, console…
  const system = await ActorSystem.start({ workers: 2, tracing: { exporter, sampleRate: 1 } }); // default 0.01
  t.after(() => system.shutdown());

  const a = await system.spawn(Relay, undefined, { worker: 1 });
  const b = await system.spawn(Relay, undefined, { worker: 2 });
  const answer = await a.ask({ type: 'relay', to: b }); // main → a (worker 1) → b (worker 2)
  await system.tracing!.flush(); // every thread's finished spans, through the exporter

  const spans = exporter.getFinishedSpans();
  // 'send Relay' (main) → 'process Relay' (w1) → 'send Relay' (w1) → 'process Relay' (w2), one trace id
  const names = spans.map((s) => `${s.name} @${String(s.attributes['bactor.thread'])}`);

  assert.equal(answer, String(b));
  assert.deepEqual(names.sort(), ['process Relay @w1', 'process Relay @w2', 'send Relay @main', 'send Relay @w1']);
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
});
