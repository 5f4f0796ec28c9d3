import { performance } from 'node:perf_hooks';
import type { ActorRef } from '../../actor/actor-ref.js';
import { describeMessageType } from '../../util/message-type.js';
import type { RecordRingWriter } from '../../../native-free-core/ring/record-ring.js';
import { type SpanNotice, TRACE_WORDS, type TraceIds, random32 } from './trace-context.js';

/** What a thread's tracer knows of the system's `tracing` option (it crosses to workers as data). */
export interface TracerSettings {
  /** Share of root messages traced, 0…1. */
  sampleRate: number;
  /** Hops a trace follows at most (a chain of sends longer than that leaves the rest untraced). */
  maxDepth: number;
}

/** Spans a thread writes before it announces them to the main thread, and how long at most (ms). */
const NOTICE_SPANS = 256;
export const NOTICE_EVERY_MS = 200;
/** Strings a thread's table holds before it starts over (a new table announced with strBase 0). */
const MAX_STRINGS = 4096;
const TIME_ORIGIN = performance.timeOrigin;

/** Root candidates counted at rate 0 before the count starts over (the largest small integer V8 keeps untagged everywhere). */
const NEVER = 0x3fffffff;
/** An odd multiplier: `Math.imul(n, SPREAD)` is a bijection on uint32, so counted span ids stay distinct. */
const SPREAD = 0x9e3779b1;

/**
 * One thread's side of tracing. A send is traced when the handler that sends was handling a
 * traced message (a child in its trace; a send to itself starts over, or an actor that re-tells
 * itself to go on would put its whole life in one trace), when code outside actors sends inside
 * an OpenTelemetry span (`externalParent`, the main thread), or else when the sampler picks it as
 * a root (`sampleRate`, at random gaps: no random number per send). A traced send records a
 * producer span and its ids go with the message; the receiving cell records a consumer span
 * around its handler (`begin`/`end`), in which that handler's sends are children. A finished span
 * is SPAN_FIELDS numbers written straight into this thread's ring of the shared span block
 * (record-ring.ts); `flush` announces them to the main thread with the strings they name that it
 * has not had yet (a SpanNotice), and the main thread copies them out, formats and exports them.
 * Nothing is encoded or decoded on the way; a span finished while the ring is full (the main
 * thread far behind) is dropped and counted.
 *
 * A traced hop allocates nothing here: the running handler's span and the last traced send's ids
 * are fields, span ids are counted (a random 32-bit half per thread, the other half a counter
 * spread by a bijection) rather than drawn, and a span's strings are indices in a table kept
 * across announcements, found by identity first.
 */
export class ThreadTracer {
  /** Whether the handler running now is traced (its span: the `a*` fields). */
  active = false;
  private a0 = 0;
  private a1 = 0;
  private a2 = 0;
  private a3 = 0;
  private as0 = 0;
  private as1 = 0;
  private aDepth = 0;
  /** The ids the last traced send carries (t0..t3, s0, s1, depth), valid until the next send: read right after `send` returned true. */
  readonly out = new Uint32Array(TRACE_WORDS);
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
  /** Span ids: this thread's random high word and a count for the low one. */
  private spanHigh = 0;
  private spanCount = 0;
  private readonly nums: Float64Array;
  /** The string table: index of each string, how many, and those the main thread has not had (from index `strBase`). */
  private readonly strIndex = new Map<string, number>();
  private strCount = 0;
  private strBase = 0;
  private newStrs: string[] = [];
  /** The last string of each of a span's three string fields and its index in the table (-1: none yet). */
  private readonly lastStr: (string | null)[] = [null, null, null];
  private readonly lastIndex = new Int32Array(3).fill(-1);
  /** Spans written since the last announcement, and dropped (the ring full) since then. */
  private pending = 0;
  private dropped = 0;
  /** An announcement went without a wake and none went with one since. */
  private unwoken = false;

  constructor(
    private readonly settings: TracerSettings,
    /** This thread's ring of the span block. */
    private readonly ring: RecordRingWriter,
    /** Takes an announcement to the main thread (`wake` false: no hurry, the timed one follows within NOTICE_EVERY_MS). */
    private readonly announce: (notice: SpanNotice, wake: boolean) => void,
  ) {
    this.nums = ring.nums;
    this.gap = settings.sampleRate > 0 ? 1 / settings.sampleRate : Infinity;
    this.untilSample = this.nextGap();
    this.newSpanHigh();
  }

  /**
   * Sends until the next sampled root: 1 to 2 × the mean gap − 1, at random; NEVER at rate 0
   * (a small integer, not Infinity: a field that holds a double is a boxed number to decrement,
   * measured ~16 ns a local tell).
   */
  private nextGap(): number {
    if (this.gap === Infinity) return NEVER;
    if (this.gap <= 1) return 1;
    return Math.min(NEVER, 1 + Math.floor(Math.random() * (2 * this.gap - 1)));
  }

  private newSpanHigh(): void {
    // W3C: an all-zero span id is invalid; a non-zero high word rules it out.
    do this.spanHigh = random32();
    while (this.spanHigh === 0);
    this.spanCount = 0;
  }

  /** The low word of a new span id (the high word is `spanHigh`, read after this). */
  private nextSpanLow(): number {
    if (this.spanCount === 0xffffffff) this.newSpanHigh();
    return Math.imul(++this.spanCount, SPREAD) >>> 0;
  }

  /**
   * A send of `message` to `target` by `sender` (null: code outside actors): true when it is
   * traced (its send span is recorded now, and `out` holds the ids it carries), else false.
   */
  send(target: ActorRef, message: unknown, sender: ActorRef | null): boolean {
    let external: TraceIds | null = null;
    let child = this.active;
    if (child) {
      // A send to itself starts over, as a root candidate (counted here: the inline check did not).
      if (sender !== null && sender.packed === target.packed && sender.incarnation === target.incarnation) {
        child = false;
        if (--this.untilSample > 0) return false;
      }
    } else if (sender === null && this.externalParent !== null) {
      const parent = this.externalParent();
      if (parent === 'unsampled') return false;
      external = parent;
    }
    const out = this.out;
    let p0 = 0;
    let p1 = 0;
    if (child) {
      if (this.aDepth >= this.settings.maxDepth) return false;
      this.inTrace(this.a0, this.a1, this.a2, this.a3, this.aDepth + 1);
      p0 = this.as0;
      p1 = this.as1;
    } else if (external !== null) {
      if (external.depth >= this.settings.maxDepth) return false;
      this.inTrace(external.t0, external.t1, external.t2, external.t3, external.depth + 1);
      p0 = external.s0;
      p1 = external.s1;
    } else {
      // A root candidate the inline check counted down: sampled at 0 (at rate 0, counted down from NEVER again).
      if (this.untilSample > 0) return false;
      this.untilSample = this.nextGap();
      if (this.gap === Infinity) return false;
      out[0] = random32();
      out[1] = random32();
      out[2] = random32();
      out[3] = random32();
      // W3C: an all-zero trace id is invalid.
      if ((out[0] | out[1] | out[2] | out[3]) === 0) out[3] = 1;
      out[6] = 1;
    }
    out[5] = this.nextSpanLow();
    out[4] = this.spanHigh;
    const now = TIME_ORIGIN + performance.now();
    this.record(
      out[0]!,
      out[1]!,
      out[2]!,
      out[3]!,
      out[4]!,
      out[5]!,
      p0,
      p1,
      3,
      now,
      now,
      sender,
      0,
      target.kind,
      describeMessageType(message),
    );
    return true;
  }

  /** The outgoing ids' trace and depth (`out`). */
  private inTrace(t0: number, t1: number, t2: number, t3: number, depth: number): void {
    const out = this.out;
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
    out[6] = depth;
  }

  /** A cell starts the handler of a message that carries `carried`: its consumer span begins, and the handler's sends are its children. */
  begin(carried: TraceIds): void {
    this.a0 = carried.t0;
    this.a1 = carried.t1;
    this.a2 = carried.t2;
    this.a3 = carried.t3;
    this.aDepth = carried.depth;
    this.as1 = this.nextSpanLow();
    this.as0 = this.spanHigh;
    this.active = true;
  }

  /** The handler begun with `begin` (at `start`, ms) returned, or failed. */
  end(carried: TraceIds, start: number, actor: ActorRef, message: unknown, failed: boolean): void {
    this.active = false;
    const end = TIME_ORIGIN + performance.now();
    this.record(
      this.a0,
      this.a1,
      this.a2,
      this.a3,
      this.as0,
      this.as1,
      carried.s0,
      carried.s1,
      4,
      start,
      end,
      actor,
      failed ? 1 : 0,
      actor.kind,
      describeMessageType(message),
    );
  }

  /** Now, in the spans' clock (epoch ms). */
  now(): number {
    return TIME_ORIGIN + performance.now();
  }

  private record(
    t0: number,
    t1: number,
    t2: number,
    t3: number,
    s0: number,
    s1: number,
    p0: number,
    p1: number,
    kind: number,
    start: number,
    end: number,
    actor: ActorRef | null,
    error: number,
    destination: string,
    messageType: string,
  ): void {
    let at = this.ring.claim();
    if (at < 0) {
      this.dropped++;
      return;
    }
    const nums = this.nums;
    nums[at++] = t0;
    nums[at++] = t1;
    nums[at++] = t2;
    nums[at++] = t3;
    nums[at++] = s0;
    nums[at++] = s1;
    nums[at++] = p0;
    nums[at++] = p1;
    nums[at++] = kind;
    nums[at++] = start;
    nums[at++] = end;
    nums[at++] = actor === null ? -1 : actor.packed;
    nums[at++] = error;
    nums[at++] = this.str(0, destination);
    nums[at++] = this.str(1, messageType);
    nums[at] = this.str(2, actor === null ? '' : actor.kind);
    if (++this.pending === NOTICE_SPANS) this.flush(false);
  }

  /** The index of `s` in the string table (`field`: which of the span's strings, for the identity check that finds most). */
  private str(field: number, s: string): number {
    if (this.lastStr[field] === s) return this.lastIndex[field]!;
    let i = this.strIndex.get(s);
    if (i === undefined) {
      i = this.strCount++;
      this.strIndex.set(s, i);
      this.newStrs.push(s);
    }
    this.lastStr[field] = s;
    this.lastIndex[field] = i;
    return i;
  }

  /**
   * Announces the spans written so far (the loop calls it every NOTICE_EVERY_MS, and at the end;
   * `wake` false, after NOTICE_SPANS spans: the main thread is not woken for it unless a quarter
   * of the ring waits unread).
   */
  flush(wake = true): void {
    const ring = this.ring;
    if (this.pending === 0 && this.dropped === 0) {
      // An announcement went without a wake since: an empty one wakes the main thread for it.
      if (wake && this.unwoken) {
        this.unwoken = false;
        const at = ring.published;
        this.announce({ from: at, upTo: at, strBase: this.strBase, strs: [], dropped: 0 }, true);
      }
      return;
    }
    const from = ring.published;
    const upTo = ring.publish();
    const loud = wake || ring.unread() > ring.records >> 2;
    this.unwoken = !loud;
    const notice: SpanNotice = { from, upTo, strBase: this.strBase, strs: this.newStrs, dropped: this.dropped };
    this.newStrs = [];
    this.pending = 0;
    this.dropped = 0;
    if (this.strCount >= MAX_STRINGS) {
      // A table that only grows (message types made up at run time) starts over: the next announcement says so (strBase 0).
      this.strIndex.clear();
      this.strCount = 0;
      this.lastStr.fill(null);
    }
    this.strBase = this.strCount;
    this.announce(notice, loud);
  }
}
