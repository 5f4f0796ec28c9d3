import { BatchSpan, type SpanOrigin } from './readable-span.js';
import { SPAN_FIELDS, type SpanBatch } from './trace-context.js';

/** What bactor asks of an exporter: OpenTelemetry's SpanExporter (`@opentelemetry/sdk-trace-base`), structurally. */
export interface SpanExporterLike {
  export(spans: never[], resultCallback: (result: { code: number; error?: Error }) => void): void;
  forceFlush?(): Promise<void>;
  shutdown?(): Promise<void>;
}

/** Spans waiting for the exporter at most: past this, new ones are dropped (and counted). */
const MAX_QUEUED = 32_768;
/** Spans per export call at most. */
const BATCH = 512;

/**
 * The main thread's end of tracing: takes the batches of spans the intake copied out, turns each into
 * what an OpenTelemetry SpanExporter exports (a ReadableSpan: span context, parent, times,
 * attributes, status, resource, scope), and hands them to the exporter in batches, one export
 * at a time. A full queue drops new spans (`dropped`); an export that fails is counted (`failed`).
 */
export class SpanExport {
  /** Batches waiting, and where the first one's next span is. */
  private readonly queue: SpanBatch[] = [];
  private queued = 0;
  private at = 0;
  private exporting: Promise<void> | null = null;
  /** Spans dropped: the queue was full, or (counted by SystemTracing) a thread's span ring was. */
  dropped = 0;
  /** Spans whose export failed. */
  failed = 0;
  /** Spans handed to the exporter. */
  exported = 0;
  private readonly origin: SpanOrigin;

  constructor(
    private readonly exporter: SpanExporterLike,
    serviceName: string,
  ) {
    const attributes = { 'service.name': serviceName, 'telemetry.sdk.name': 'bactor', 'telemetry.sdk.language': 'nodejs' };
    const resource: object = {
      attributes,
      asyncAttributesPending: false,
      schemaUrl: undefined,
      waitForAsyncAttributes: () => Promise.resolve(),
      getRawAttributes: () => Object.entries(attributes),
      merge: () => resource,
    };
    this.origin = { resource, scope: { name: 'bactor', version: '0.1.0' } };
  }

  add(batch: SpanBatch): void {
    const spans = batch.nums.length / SPAN_FIELDS;
    if (spans === 0) return;
    if (this.queued + spans > MAX_QUEUED) {
      this.dropped += spans;
      return;
    }
    this.queue.push(batch);
    this.queued += spans;
    if (this.exporting === null) this.exporting = this.drain();
  }

  /** Resolves once every span queued so far went to the exporter (and its forceFlush ran). */
  async flush(): Promise<void> {
    while (this.exporting !== null) await this.exporting;
    await this.exporter.forceFlush?.();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: object[] = [];
      while (batch.length < BATCH && this.queue.length > 0) {
        const first = this.queue[0]!;
        batch.push(new BatchSpan(first, this.at++, this.origin));
        this.queued--;
        if (this.at * SPAN_FIELDS === first.nums.length) {
          this.queue.shift();
          this.at = 0;
        }
      }
      await new Promise<void>((resolve) => {
        try {
          this.exporter.export(batch as never[], (result) => {
            if (result.code === 0) this.exported += batch.length;
            else this.failed += batch.length;
            resolve();
          });
        } catch {
          this.failed += batch.length;
          resolve();
        }
      });
    }
    this.exporting = null;
  }
}
