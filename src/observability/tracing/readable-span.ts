import { localIdOf, participantOf } from '../../actor/actor-ref.js';
import { SPAN_FIELDS, type SpanBatch, hex32 } from './trace-context.js';

type HrTime = [number, number];
const hr = (epochMs: number): HrTime => {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
};

const NONE: readonly never[] = Object.freeze([]);

/** What every span of a system shares: its resource (service.name) and instrumentation scope. */
export interface SpanOrigin {
  readonly resource: object;
  readonly scope: { name: string; version: string };
}

/**
 * Span `i` of a thread's batch as OpenTelemetry's ReadableSpan (sdk-trace-base 1.x and 2.x field
 * names), read from the batch's numbers when an exporter asks: an exporter that looks at a few
 * fields pays for those only.
 */
export class BatchSpan {
  private readonly o: number;

  constructor(
    private readonly batch: SpanBatch,
    i: number,
    private readonly origin: SpanOrigin,
  ) {
    this.o = i * SPAN_FIELDS;
  }

  private n(field: number): number {
    return this.batch.nums[this.o + field]!;
  }

  private s(field: number): string {
    return this.batch.strs[this.n(field)]!;
  }

  get traceId(): string {
    return hex32(this.n(0)) + hex32(this.n(1)) + hex32(this.n(2)) + hex32(this.n(3));
  }

  spanContext(): { traceId: string; spanId: string; traceFlags: number } {
    return { traceId: this.traceId, spanId: hex32(this.n(4)) + hex32(this.n(5)), traceFlags: 1 };
  }

  get parentSpanContext(): { traceId: string; spanId: string; traceFlags: number; isRemote: boolean } | undefined {
    if (this.n(6) === 0 && this.n(7) === 0) return undefined;
    return { traceId: this.traceId, spanId: hex32(this.n(6)) + hex32(this.n(7)), traceFlags: 1, isRemote: true };
  }

  get parentSpanId(): string | undefined {
    return this.parentSpanContext?.spanId;
  }

  get kind(): 3 | 4 {
    return this.n(8) as 3 | 4;
  }

  get name(): string {
    return `${this.kind === 3 ? 'send' : 'process'} ${this.s(13)}`;
  }

  get startTime(): HrTime {
    return hr(this.n(9));
  }

  get endTime(): HrTime {
    return hr(this.n(10));
  }

  get duration(): HrTime {
    const ms = Math.max(0, this.n(10) - this.n(9));
    return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
  }

  get status(): { code: number; message?: string } {
    return this.n(12) === 1 ? { code: 2, message: 'the handler failed' } : { code: 0 };
  }

  get attributes(): Record<string, string> {
    const attributes: Record<string, string> = {
      'messaging.system': 'bactor',
      'messaging.operation.type': this.kind === 3 ? 'send' : 'process',
      'messaging.destination.name': this.s(13),
      'bactor.message.type': this.s(14),
      'bactor.thread': this.batch.thread === 0 ? 'main' : `w${this.batch.thread}`,
    };
    const actor = this.n(11);
    if (actor !== -1) {
      const p = participantOf(actor);
      // As ActorRef's toString.
      attributes['bactor.actor'] = `${this.s(15) || 'actor'}#${localIdOf(actor)}@${p === 0 ? 'main' : `w${p}`}`;
    }
    return attributes;
  }

  // The fields every span has alike, read through the prototype: a span is its three own fields.
  get links(): readonly never[] {
    return NONE;
  }
  get events(): readonly never[] {
    return NONE;
  }
  get ended(): boolean {
    return true;
  }
  get droppedAttributesCount(): number {
    return 0;
  }
  get droppedEventsCount(): number {
    return 0;
  }
  get droppedLinksCount(): number {
    return 0;
  }

  get resource(): object {
    return this.origin.resource;
  }

  get instrumentationScope(): { name: string; version: string } {
    return this.origin.scope;
  }

  get instrumentationLibrary(): { name: string; version: string } {
    return this.origin.scope;
  }
}
