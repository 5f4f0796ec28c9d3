import { registerInternalClass } from '../../codec/message-classes.js';

/**
 * Whether tracing runs on this thread (set at the runtime's start, when the system has
 * `tracing`): the receiving side's checks for a TracedMessage are behind it, so a system without
 * tracing pays one load of this flag where a message could be one.
 */
export let tracingOn = false;

export function setTracingOn(on: boolean): void {
  tracingOn = on;
}

/**
 * W3C trace context as numbers (hex only where spans are exported): the 128-bit trace id as
 * four uint32 (t0 most significant), a 64-bit span id as two (s0, s1), and the hops since the
 * trace's root. What a traced message carries is the id of its send span (the parent of the span
 * that handles it); what a handler runs in is its own span's id.
 */
export interface TraceIds {
  t0: number;
  t1: number;
  t2: number;
  t3: number;
  s0: number;
  s1: number;
  depth: number;
}

/**
 * A sampled message on its way within a thread or to another node (between threads of a node its
 * ids go as a TRACE record of words ahead of the plain message instead: the message stays on the
 * codec's fast path). It carries the ids itself (one object a traced message, not two). The
 * receiving cell unwraps it before its handler (cell-turns.ts `invoke`). Extension type 69.
 */
export class TracedMessage implements TraceIds {
  constructor(
    public t0: number,
    public t1: number,
    public t2: number,
    public t3: number,
    public s0: number,
    public s1: number,
    public depth: number,
    readonly message: unknown,
  ) {}
}

export const TRACED_MESSAGE_TYPE = 69;
registerInternalClass({
  Class: TracedMessage,
  type: TRACED_MESSAGE_TYPE,
  encode: (m: TracedMessage) => [m.t0, m.t1, m.t2, m.t3, m.s0, m.s1, m.depth, m.message],
  decode: ([t0, t1, t2, t3, s0, s1, depth, message]: [number, number, number, number, number, number, number, unknown]) =>
    new TracedMessage(t0, t1, t2, t3, s0, s1, depth, message),
});

/**
 * A TRACE record's body: the ids of the USER record right behind it as TRACE_WORDS 32-bit words
 * (t0..t3, s0, s1, depth), written and read as words by the codec (FORMAT_WORDS: no string, no
 * object on either side). A record that waited in the overflow queue comes as a plain array.
 */
export type TraceRecordBody = ArrayLike<number>;
export const TRACE_WORDS = 7;

/**
 * A random uint32 for trace and span ids, from Math.random (V8's xorshift128+), as OpenTelemetry
 * JS's own id generator does: ids must be unique and evenly spread, not secret. (crypto's
 * getRandomValues, with its argument checks, was ~4% of what tracing added to a cross-thread tell.)
 */
export function random32(): number {
  return (Math.random() * 0x100000000) >>> 0;
}

const HEX: string[] = Array.from({ length: 256 }, (_v, i) => i.toString(16).padStart(2, '0'));

/** A uint32 as 8 lowercase hex digits. */
export function hex32(n: number): string {
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

/** Fields of one span in a thread's ring and a batch (SpanBatch.nums), in this order. */
export const SPAN_FIELDS = 16;
/** Each thread's ring of the span block: 8,192 spans (1 MiB), a power of two. */
export const SPAN_RING = { records: 8192, fields: SPAN_FIELDS } as const;

/**
 * A thread's announcement of the spans it wrote to its ring of the span block (record-ring.ts),
 * sent to the main thread as a control record: take them from `from` up to `upTo`; first add
 * `strs` to that thread's string table at index `strBase` (0: a new table, the thread's tracer
 * started over).
 */
export interface SpanNotice {
  /** The ring's counts this announcement covers: from (the last one's `upTo`, or where the tracer started) up to. */
  from: number;
  upTo: number;
  strBase: number;
  strs: string[];
  /** Spans the thread dropped since its last announcement (its ring was full). */
  dropped: number;
}

/**
 * A thread's finished spans, as the main thread exports them: per span SPAN_FIELDS numbers — t0..t3,
 * s0, s1 (its id), p0, p1 (its parent's; 0, 0 for a root), kind (3 producer: a send; 4 consumer:
 * a handler), start and end (epoch ms), the actor's packed ref (-1: code outside actors), error
 * (1: the handler failed), then the indices in `strs` (the thread's string table) of the
 * destination kind, the message type and the actor's kind.
 */
export interface SpanBatch {
  thread: number;
  nums: Float64Array;
  strs: string[];
}
