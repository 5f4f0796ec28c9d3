import { registerInternalClass } from '../../codec/message-classes.js';

/**
 * Whether tracing runs on this thread (set once, at the runtime's start, when the system has
 * `tracing`): the receiving side's checks for a TracedMessage are behind it, so a system without
 * tracing pays one load of this flag per message.
 */
export let tracingOn = false;

export function setTracingOn(on: boolean): void {
  tracingOn = on;
}

/**
 * A sampled message on its way (W3C trace context: a 32-hex-digit trace id, the 16-digit id of
 * its send span, the parent of the span that handles it; `depth` counts the hops since the
 * trace's root). Only sampled messages are wrapped; the receiving cell unwraps it before its
 * handler (cell-turns.ts `invoke`). Crosses threads and nodes as bactor's extension type 69.
 */
export class TracedMessage {
  constructor(
    readonly traceId: string,
    readonly parentSpanId: string,
    readonly depth: number,
    readonly message: unknown,
  ) {}
}

export const TRACED_MESSAGE_TYPE = 69;
registerInternalClass({
  Class: TracedMessage,
  type: TRACED_MESSAGE_TYPE,
  encode: (t: TracedMessage) => [t.traceId, t.parentSpanId, t.depth, t.message],
  decode: ([traceId, parentSpanId, depth, message]: [string, string, number, unknown]) =>
    new TracedMessage(traceId, parentSpanId, depth, message),
});

/** The trace a handler runs in: its trace, its own span's id, the hops so far. */
export interface ActiveTrace {
  traceId: string;
  spanId: string;
  depth: number;
}

/**
 * One finished span as threads ship it to the main thread (plain data, no class): the main
 * thread turns it into what an OpenTelemetry SpanExporter takes (span-export.ts).
 */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** '' for a root. */
  parentSpanId: string;
  name: string;
  /** 3: producer (a send), 4: consumer (a handler), as OpenTelemetry's SpanKind. */
  kind: 3 | 4;
  /** Epoch milliseconds (fractional). */
  start: number;
  end: number;
  /** The actor that sends (null: code outside actors) or handles. */
  actor: string | null;
  /** The target's kind: the destination of a send, the handler's own of a handle. */
  destination: string;
  messageType: string;
  thread: string;
  /** The handler threw or its promise rejected. */
  error: string | null;
}

const HEX: string[] = Array.from({ length: 256 }, (_v, i) => i.toString(16).padStart(2, '0'));
const pool = new Uint8Array(4096);
let used = pool.length;

/** `bytes` random bytes as lowercase hex (from a pool refilled by crypto.getRandomValues). */
export function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  let out = '';
  for (let i = 0; i < bytes; i++) out += HEX[pool[used++]!]!;
  // W3C: an all-zero id is invalid (1 in 2^64 at worst).
  return /^0+$/.test(out) ? randomHex(bytes) : out;
}
