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
 * A sampled message on its way within a thread or to another node (between threads of a node it
 * goes as a TRACE record ahead of the plain message instead: both stay on the codec's fast path).
 * The receiving cell unwraps it before its handler (cell-turns.ts `invoke`). Extension type 69.
 */
export class TracedMessage {
  constructor(
    readonly ids: TraceIds,
    readonly message: unknown,
  ) {}
}

export const TRACED_MESSAGE_TYPE = 69;
registerInternalClass({
  Class: TracedMessage,
  type: TRACED_MESSAGE_TYPE,
  encode: ({ ids, message }: TracedMessage) => [ids.t0, ids.t1, ids.t2, ids.t3, ids.s0, ids.s1, ids.depth, message],
  decode: ([t0, t1, t2, t3, s0, s1, depth, message]: [number, number, number, number, number, number, number, unknown]) =>
    new TracedMessage({ t0, t1, t2, t3, s0, s1, depth }, message),
});

/**
 * A TRACE record's body: the ids of the USER record right behind it, as 40 ASCII characters (six
 * 6-bit digits per uint32 — t0..t3, s0, s1 — then four for the depth, each digit + 48). A string,
 * not an object: an object of another shape on the fast path would make the encoder's and
 * decoder's shape sites polymorphic for every message; and short ASCII is written and read
 * directly, without hex formatting or parsing (those cost ~0.5 µs a message here).
 */
export type TraceRecordBody = string;

const codes: number[] = new Array<number>(40).fill(48);

function digits(n: number, at: number, count: number): void {
  for (let i = count - 1; i >= 0; i--) {
    codes[at + i] = 48 + (n & 63);
    n >>>= 6;
  }
}

export function toRecord(ids: TraceIds): TraceRecordBody {
  digits(ids.t0, 0, 6);
  digits(ids.t1, 6, 6);
  digits(ids.t2, 12, 6);
  digits(ids.t3, 18, 6);
  digits(ids.s0, 24, 6);
  digits(ids.s1, 30, 6);
  digits(ids.depth, 36, 4);
  return String.fromCharCode.apply(null, codes);
}

function word(body: string, at: number): number {
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 64 + (body.charCodeAt(at + i) - 48);
  return n >>> 0;
}

export function fromRecord(body: TraceRecordBody): TraceIds {
  const depth =
    ((body.charCodeAt(36) - 48) << 18) |
    ((body.charCodeAt(37) - 48) << 12) |
    ((body.charCodeAt(38) - 48) << 6) |
    (body.charCodeAt(39) - 48);
  return { t0: word(body, 0), t1: word(body, 6), t2: word(body, 12), t3: word(body, 18), s0: word(body, 24), s1: word(body, 30), depth };
}

const pool = new Uint32Array(1024);
let used = pool.length;

/** A random uint32 (from a pool crypto.getRandomValues refills). */
export function random32(): number {
  if (used === pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  return pool[used++]!;
}

const HEX: string[] = Array.from({ length: 256 }, (_v, i) => i.toString(16).padStart(2, '0'));

/** A uint32 as 8 lowercase hex digits. */
export function hex32(n: number): string {
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

/** Fields of one span in a thread's batch (SpanBatch.nums), in this order. */
export const SPAN_FIELDS = 16;
/**
 * A thread's finished spans, shipped to the main thread: per span SPAN_FIELDS numbers — t0..t3,
 * s0, s1 (its id), p0, p1 (its parent's; 0, 0 for a root), kind (3 producer: a send; 4 consumer:
 * a handler), start and end (epoch ms), the actor's packed ref (-1: code outside actors), error
 * (1: the handler failed), then the indices in `strs` (each string once per batch) of the
 * destination kind, the message type and the actor's kind.
 */
export interface SpanBatch {
  thread: number;
  nums: Float64Array;
  strs: string[];
}
