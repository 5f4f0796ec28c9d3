import type { ActorRef } from '../../actor/actor-ref.js';
import { describeMessageType } from '../../util/message-type.js';
import { type ActiveTrace, type SpanRecord, TracedMessage, randomHex } from './trace-context.js';

/** What a thread's tracer knows of the system's `tracing` option (it crosses to workers as data). */
export interface TracerSettings {
  /** Share of root messages traced, 0…1. */
  sampleRate: number;
  /** Hops a trace follows at most (a chain of sends longer than that leaves the rest untraced). */
  maxDepth: number;
}

/** Spans a thread keeps before it ships them, and how long at most (ms). */
const SHIP_SPANS = 256;
export const SHIP_EVERY_MS = 200;

/**
 * One thread's side of tracing. A send is traced when the handler that sends was handling a
 * traced message (a child in its trace; a send to itself starts over, or an actor that re-tells
 * itself to go on would put its whole life in one trace), when code outside actors sends inside
 * an OpenTelemetry span (`externalParent`, the main thread), or else when the sampler picks it as
 * a root (`sampleRate`, at random gaps: no random number per send). A traced send records a
 * producer span and wraps the message (TracedMessage); the receiving cell records a consumer span
 * around its handler (`begin`/`end`), in which that handler's sends are children. Spans are
 * shipped in batches (`ship`) to the main thread, which exports them.
 */
export class ThreadTracer {
  /** The trace of the handler running now (null: none, or not traced). */
  active: ActiveTrace | null = null;
  /** Code outside actors: the OpenTelemetry span it runs in, if any (the main thread sets it; null elsewhere). */
  externalParent: (() => ActiveTrace | 'unsampled' | null) | null = null;
  private untilSample: number;
  private spans: SpanRecord[] = [];
  private readonly gap: number;

  constructor(
    private readonly settings: TracerSettings,
    private readonly thread: string,
    /** Takes a batch of finished spans (to the main thread's exporter). */
    private readonly ship: (spans: SpanRecord[]) => void,
  ) {
    this.gap = settings.sampleRate > 0 ? 1 / settings.sampleRate : Infinity;
    this.untilSample = this.nextGap();
  }

  /** Sends until the next sampled root: 1 to 2 × the mean gap − 1, at random (Infinity at rate 0). */
  private nextGap(): number {
    if (this.gap === Infinity) return Infinity;
    if (this.gap <= 1) return 1;
    return 1 + Math.floor(Math.random() * (2 * this.gap - 1));
  }

  /**
   * A send of `message` to `target` by `sender` (null: code outside actors): the message to put
   * on its way — wrapped, with a producer span recorded, when the send is traced.
   */
  send(target: ActorRef, message: unknown, sender: ActorRef | null): unknown {
    let parent = this.active;
    if (parent !== null && sender !== null && sender.packed === target.packed && sender.incarnation === target.incarnation) parent = null;
    if (parent === null && sender === null && this.externalParent !== null) {
      const external = this.externalParent();
      if (external === 'unsampled') return message;
      parent = external;
    }
    if (parent === null) {
      if (--this.untilSample > 0) return message;
      this.untilSample = this.nextGap();
    } else if (parent.depth >= this.settings.maxDepth) return message;
    const traceId = parent?.traceId ?? randomHex(16);
    const spanId = randomHex(8);
    const now = performance.timeOrigin + performance.now();
    this.record({
      traceId,
      spanId,
      parentSpanId: parent?.spanId ?? '',
      name: `send ${target.kind}`,
      kind: 3,
      start: now,
      end: now,
      actor: sender === null ? null : String(sender),
      destination: target.kind,
      messageType: describeMessageType(message),
      thread: this.thread,
      error: null,
    });
    return new TracedMessage(traceId, spanId, (parent?.depth ?? 0) + 1, message);
  }

  /** A cell starts the handler of `traced`: its consumer span begins, and the handler's sends are its children. */
  begin(traced: TracedMessage): { trace: ActiveTrace; start: number; previous: ActiveTrace | null } {
    const trace = { traceId: traced.traceId, spanId: randomHex(8), depth: traced.depth };
    const previous = this.active;
    this.active = trace;
    return { trace, start: performance.timeOrigin + performance.now(), previous };
  }

  /** The handler begun with `begin` returned (or threw: `error`). */
  end(
    begun: { trace: ActiveTrace; start: number; previous: ActiveTrace | null },
    traced: TracedMessage,
    actor: ActorRef,
    error: string | null,
  ): void {
    this.active = begun.previous;
    this.record({
      traceId: begun.trace.traceId,
      spanId: begun.trace.spanId,
      parentSpanId: traced.parentSpanId,
      name: `process ${actor.kind}`,
      kind: 4,
      start: begun.start,
      end: performance.timeOrigin + performance.now(),
      actor: String(actor),
      destination: actor.kind,
      messageType: describeMessageType(traced.message),
      thread: this.thread,
      error,
    });
  }

  private record(span: SpanRecord): void {
    this.spans.push(span);
    if (this.spans.length >= SHIP_SPANS) this.flush();
  }

  /** Ships the spans kept so far (the loop calls it every SHIP_EVERY_MS, and at the end). */
  flush(): void {
    if (this.spans.length === 0) return;
    const spans = this.spans;
    this.spans = [];
    this.ship(spans);
  }
}
