import { RecordRingWriter } from '../../../native-free-core/ring/record-ring.js';
import type { Runtime } from '../../runtime/runtime.js';
import { SpanExport } from './span-export.js';
import { SpanIntake } from './span-intake.js';
import { ThreadTracer, type TracerSettings } from './thread-tracer.js';
import { SPAN_RING, type SpanNotice, type TraceIds } from './trace-context.js';
import type { CheckedTracing } from './tracing-options.js';

/** The OpenTelemetry API's calls bactor uses (loaded when tracing is on and `@opentelemetry/api` is installed). */
interface OtelApi {
  trace: { getSpanContext(context: unknown): { traceId: string; spanId: string; traceFlags: number } | undefined };
  context: { active(): unknown };
  isSpanContextValid(context: { traceId: string; spanId: string }): boolean;
}

/** What a worker's tracer is made from: the settings and the shared span block (its ring: the worker's participant number). */
export interface WorkerTracing extends TracerSettings {
  spans: SharedArrayBuffer;
}

/**
 * A system's tracing (the `tracing` option; `system.tracing`): the span block every thread writes
 * its finished spans to (span-intake.ts), the exporter's end on the main thread (span-export.ts), the
 * main thread's tracer — whose sends outside actors continue the OpenTelemetry span they run in,
 * through `@opentelemetry/api` — and `flush`, which asks every worker for its spans before it
 * flushes the exporter.
 */
export class SystemTracing {
  readonly export: SpanExport;
  readonly settings: WorkerTracing;
  /** The main thread's tracer (given to its Runtime). */
  readonly mainTracer: ThreadTracer;
  private runtime: Runtime | null = null;
  private workerCount = 0;
  private readonly intake: SpanIntake;

  /** `threads`: the workers (participants 1…threads; the main thread is 0). */
  constructor(options: CheckedTracing, threads: number) {
    this.export = new SpanExport(options.exporter, options.serviceName);
    this.intake = new SpanIntake(threads);
    this.settings = { sampleRate: options.sampleRate, maxDepth: options.maxDepth, spans: this.intake.buffer };
    this.mainTracer = new ThreadTracer(this.settings, new RecordRingWriter(this.intake.buffer, 0, SPAN_RING), (notice) =>
      this.receive(0, notice),
    );
  }

  /** Thread `from` announced spans: to the exporter (and the spans it or the intake dropped, to the count). */
  receive(from: number, notice: SpanNotice): void {
    const batch = this.intake.take(from, notice);
    this.export.dropped += notice.dropped + this.intake.lost;
    if (batch !== null) this.export.add(batch);
  }

  /** The runtime the workers' flushes are asked through, and how many workers there are. */
  attach(runtime: Runtime, workers: number): void {
    this.runtime = runtime;
    this.workerCount = workers;
  }

  /** Loads `@opentelemetry/api` if it is installed: sends outside actors on the main thread then join the active span's trace. */
  async loadApi(): Promise<void> {
    let api: OtelApi;
    try {
      api = (await import('@opentelemetry/api')) as unknown as OtelApi;
    } catch {
      return;
    }
    const word = (hex: string, i: number): number => parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    this.mainTracer.external = true;
    this.mainTracer.externalParent = (): TraceIds | 'unsampled' | null => {
      const span = api.trace.getSpanContext(api.context.active());
      if (span === undefined || !api.isSpanContextValid(span)) return null;
      if ((span.traceFlags & 1) === 0) return 'unsampled';
      const t = span.traceId;
      const s = span.spanId;
      return { t0: word(t, 0), t1: word(t, 1), t2: word(t, 2), t3: word(t, 3), s0: word(s, 0), s1: word(s, 1), depth: 0 };
    };
  }

  /**
   * Spans exported so far, dropped (the exporter's queue full; a thread's span ring full, the main
   * thread far behind; or written by a worker that died before it announced them), and whose export failed.
   */
  get counts(): { exported: number; dropped: number; failed: number } {
    return { exported: this.export.exported, dropped: this.export.dropped, failed: this.export.failed };
  }

  /**
   * Resolves once every span finished before the call reached the exporter: each worker announces
   * what it holds (a request, answered after its spans in the same ring; a worker that has not
   * answered within `timeoutMs`, stuck in a handler, is not waited for), then the exporter's
   * queue drains and its forceFlush runs.
   */
  async flush(timeoutMs = 5000): Promise<void> {
    const runtime = this.runtime;
    if (runtime !== null) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      const asked = Promise.all(
        Array.from({ length: this.workerCount }, (_w, i) => runtime.request(i + 1, { op: 'flush-spans' }).catch(() => undefined)),
      );
      await Promise.race([asked, late]);
      clearTimeout(timer);
    }
    await this.flushExport();
  }

  /** The main thread's spans and the exporter's queue (at shutdown, once the workers announced theirs). */
  async flushExport(): Promise<void> {
    this.mainTracer.flush();
    await this.export.flush();
  }
}
