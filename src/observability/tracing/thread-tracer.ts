import type { ActorRef } from '../../actor/actor-ref.js';
import { describeMessageType } from '../../util/message-type.js';
import { SPAN_FIELDS, type SpanBatch, type TraceIds, random32 } from './trace-context.js';

/** What a thread's tracer knows of the system's `tracing` option (it crosses to workers as data). */
export interface TracerSettings {
  /** Share of root messages traced, 0…1. */
  sampleRate: number;
  /** Hops a trace follows at most (a chain of sends longer than that leaves the rest untraced). */
  maxDepth: number;
}

/** Spans a thread keeps before it ships them (32 KiB of numbers: under the large-message threshold), and how long at most (ms). */
const SHIP_SPANS = 256;
export const SHIP_EVERY_MS = 200;
const TIME_ORIGIN = performance.timeOrigin;

/**
 * One thread's side of tracing. A send is traced when the handler that sends was handling a
 * traced message (a child in its trace; a send to itself starts over, or an actor that re-tells
 * itself to go on would put its whole life in one trace), when code outside actors sends inside
 * an OpenTelemetry span (`externalParent`, the main thread), or else when the sampler picks it as
 * a root (`sampleRate`, at random gaps: no random number per send). A traced send records a
 * producer span and its ids go with the message; the receiving cell records a consumer span
 * around its handler (`begin`/`end`), in which that handler's sends are children. Spans are kept
 * as numbers in a batch and shipped (`flush`) to the main thread, which formats and exports them.
 */
export class ThreadTracer {
  /** The trace of the handler running now (null: none, or not traced). */
  active: TraceIds | null = null;
  /** Code outside actors: the OpenTelemetry span it runs in, if any (the main thread sets it; null elsewhere). */
  externalParent: (() => TraceIds | 'unsampled' | null) | null = null;
  /** Whether `externalParent` is set (read by the runtime's inline check). */
  external = false;
  /**
   * Root candidates until the next sampled one. The runtime's inline check (`Runtime.tell`)
   * counts it down for a send with no active trace and calls `send` only at 0, in a traced
   * handler, or with an external parent to look at: an untraced send costs a decrement.
   */
  untilSample: number;
  private readonly gap: number;
  private nums = new Float64Array(SHIP_SPANS * SPAN_FIELDS);
  private strs: string[] = [];
  private readonly strIndex = new Map<string, number>();
  private count = 0;

  constructor(
    private readonly settings: TracerSettings,
    private readonly thread: number,
    /** Takes a batch of finished spans (to the main thread's exporter). */
    private readonly ship: (batch: SpanBatch) => void,
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
   * A send of `message` to `target` by `sender` (null: code outside actors): the ids it carries
   * (its send span's, recorded now) when the send is traced, else null.
   */
  send(target: ActorRef, message: unknown, sender: ActorRef | null): TraceIds | null {
    let parent = this.active;
    if (parent !== null) {
      // A send to itself starts over, as a root candidate (counted here: the inline check did not).
      if (sender !== null && sender.packed === target.packed && sender.incarnation === target.incarnation) {
        parent = null;
        if (--this.untilSample > 0) return null;
      }
    } else if (sender === null && this.externalParent !== null) {
      const external = this.externalParent();
      if (external === 'unsampled') return null;
      parent = external;
    }
    // A root candidate the inline check counted down: sampled at 0.
    if (parent === null) {
      if (this.untilSample > 0) return null;
      this.untilSample = this.nextGap();
    } else if (parent.depth >= this.settings.maxDepth) return null;
    let ids: TraceIds;
    if (parent === null) {
      ids = { t0: random32(), t1: random32(), t2: random32(), t3: random32(), s0: random32(), s1: random32(), depth: 1 };
      // W3C: an all-zero trace id is invalid.
      if ((ids.t0 | ids.t1 | ids.t2 | ids.t3) === 0) ids.t3 = 1;
    } else ids = { t0: parent.t0, t1: parent.t1, t2: parent.t2, t3: parent.t3, s0: random32(), s1: random32(), depth: parent.depth + 1 };
    const now = TIME_ORIGIN + performance.now();
    this.record(ids, parent, 3, now, now, sender, 0, target.kind, describeMessageType(message));
    return ids;
  }

  /** A cell starts the handler of a message that carries `carried`: its consumer span begins, and the handler's sends are its children. */
  begin(carried: TraceIds): TraceIds {
    const own = { t0: carried.t0, t1: carried.t1, t2: carried.t2, t3: carried.t3, s0: random32(), s1: random32(), depth: carried.depth };
    this.active = own;
    return own;
  }

  /** The handler begun with `begin` (at `start`, ms) returned, or failed. */
  end(own: TraceIds, carried: TraceIds, start: number, actor: ActorRef, message: unknown, failed: boolean): void {
    this.active = null;
    this.record(own, carried, 4, start, TIME_ORIGIN + performance.now(), actor, failed ? 1 : 0, actor.kind, describeMessageType(message));
  }

  /** Now, in the spans' clock (epoch ms). */
  now(): number {
    return TIME_ORIGIN + performance.now();
  }

  private record(
    ids: TraceIds,
    parent: TraceIds | null,
    kind: number,
    start: number,
    end: number,
    actor: ActorRef | null,
    error: number,
    destination: string,
    messageType: string,
  ): void {
    const nums = this.nums;
    let at = this.count * SPAN_FIELDS;
    nums[at++] = ids.t0;
    nums[at++] = ids.t1;
    nums[at++] = ids.t2;
    nums[at++] = ids.t3;
    nums[at++] = ids.s0;
    nums[at++] = ids.s1;
    nums[at++] = parent === null ? 0 : parent.s0;
    nums[at++] = parent === null ? 0 : parent.s1;
    nums[at++] = kind;
    nums[at++] = start;
    nums[at++] = end;
    nums[at++] = actor === null ? -1 : actor.packed;
    nums[at++] = error;
    nums[at++] = this.str(destination);
    nums[at++] = this.str(messageType);
    nums[at] = this.str(actor === null ? '' : actor.kind);
    if (++this.count === SHIP_SPANS) this.flush();
  }

  /** The index of `s` in this batch's strings. */
  private str(s: string): number {
    let i = this.strIndex.get(s);
    if (i === undefined) {
      i = this.strs.push(s) - 1;
      this.strIndex.set(s, i);
    }
    return i;
  }

  /** Ships the spans kept so far (the loop calls it every SHIP_EVERY_MS, and at the end). */
  flush(): void {
    if (this.count === 0) return;
    const batch: SpanBatch = { thread: this.thread, nums: this.nums.slice(0, this.count * SPAN_FIELDS), strs: this.strs };
    this.strs = [];
    this.strIndex.clear();
    this.count = 0;
    this.ship(batch);
  }
}
