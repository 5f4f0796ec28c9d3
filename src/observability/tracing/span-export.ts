import type { SpanRecord } from './trace-context.js';

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

type HrTime = [number, number];
const hr = (epochMs: number): HrTime => {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
};

/**
 * The main thread's end of tracing: takes the span records every thread ships, turns each into
 * what an OpenTelemetry SpanExporter exports (a ReadableSpan: span context, parent, times,
 * attributes, status, resource, scope), and hands them to the exporter in batches, one export
 * at a time. A full queue drops new spans (`dropped`); an export that fails is counted (`failed`).
 */
export class SpanExport {
  private readonly queue: SpanRecord[] = [];
  private exporting: Promise<void> | null = null;
  /** Spans dropped because the queue was full. */
  dropped = 0;
  /** Spans whose export failed. */
  failed = 0;
  /** Spans handed to the exporter. */
  exported = 0;
  private readonly resource: object;
  private readonly scope = { name: 'bactor', version: '0.1.0' };

  constructor(
    private readonly exporter: SpanExporterLike,
    serviceName: string,
  ) {
    const attributes = { 'service.name': serviceName, 'telemetry.sdk.name': 'bactor', 'telemetry.sdk.language': 'nodejs' };
    this.resource = {
      attributes,
      asyncAttributesPending: false,
      schemaUrl: undefined,
      waitForAsyncAttributes: () => Promise.resolve(),
      getRawAttributes: () => Object.entries(attributes),
      merge: () => this.resource,
    };
  }

  add(spans: readonly SpanRecord[]): void {
    for (const span of spans) {
      if (this.queue.length >= MAX_QUEUED) this.dropped++;
      else this.queue.push(span);
    }
    if (this.exporting === null && this.queue.length > 0) this.exporting = this.drain();
  }

  /** Resolves once every span queued so far went to the exporter (and its forceFlush ran). */
  async flush(): Promise<void> {
    while (this.exporting !== null) await this.exporting;
    await this.exporter.forceFlush?.();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH).map((s) => this.readable(s));
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

  /** A ReadableSpan (sdk-trace-base 1.x and 2.x field names) of one record. */
  private readable(s: SpanRecord): object {
    const context = { traceId: s.traceId, spanId: s.spanId, traceFlags: 1 };
    const parent = s.parentSpanId === '' ? undefined : { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: 1, isRemote: true };
    const attributes: Record<string, string> = {
      'messaging.system': 'bactor',
      'messaging.operation.type': s.kind === 3 ? 'send' : 'process',
      'messaging.destination.name': s.destination,
      'bactor.message.type': s.messageType,
      'bactor.thread': s.thread,
    };
    if (s.actor !== null) attributes['bactor.actor'] = s.actor;
    const durationMs = Math.max(0, s.end - s.start);
    return {
      name: s.name,
      kind: s.kind,
      spanContext: () => context,
      parentSpanContext: parent,
      parentSpanId: parent?.spanId,
      startTime: hr(s.start),
      endTime: hr(s.end),
      duration: [Math.floor(durationMs / 1000), Math.round((durationMs % 1000) * 1e6)] as HrTime,
      status: s.error === null ? { code: 0 } : { code: 2, message: s.error },
      attributes,
      links: [],
      events: [],
      ended: true,
      resource: this.resource,
      instrumentationScope: this.scope,
      instrumentationLibrary: this.scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  }
}
