import { RING_FULL, type RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { RingMemory, primitiveBound } from './fast-path.js';
import { MsgpackEncoder } from './msgpack-path.js';
import { SchemaWriter, type ShapeNode } from './schema-log.js';
import {
  FORMAT_LARGE,
  FORMAT_MSGPACK,
  FORMAT_SHAPE,
  FORMAT_VALUE,
  FORMAT_WORDS,
  HEADER_BYTES,
  type LargePayloadSender,
  MAX_SHAPE_KEYS,
  MAX_WORDS,
} from './wire-format.js';

export interface MessageEncoderOptions {
  /** Encoded messages larger than this many bytes take the large-message lane. */
  largeMessageThreshold?: number;
  /** Where large messages go; without one, a message too big for the ring is refused. */
  largeLane?: LargePayloadSender | null;
}

export const DEFAULT_LARGE_MESSAGE_THRESHOLD = 64 * 1024;

const NOT_FAST = -1;

/**
 * Encodes messages into one ring (see `wire-format.ts`). The producer thread owns it.
 *
 * `write` returns false when the ring is full (nothing was written, call again after the
 * consumer has made room) and throws `ERR_UNSERIALIZABLE_MESSAGE` at the call site when the
 * message holds something the codec cannot carry. Records become visible at `flush`.
 */
export class MessageEncoder {
  readonly ring: RingProducer;
  private readonly memory: RingMemory;
  private readonly i32: Int32Array;
  private readonly schema: SchemaWriter;
  private readonly msgpack: MsgpackEncoder;
  private readonly largeLane: LargePayloadSender | null;
  /** Largest body that goes inline in the ring. */
  private readonly inlineLimit: number;
  /** Values of the object being encoded, so each property is read once. */
  private readonly scratch: unknown[] = new Array<unknown>(MAX_SHAPE_KEYS).fill(undefined);

  constructor(ring: RingProducer, schemaLog: SharedArrayBuffer, options: MessageEncoderOptions = {}) {
    this.ring = ring;
    this.memory = new RingMemory(ring.bytes);
    this.i32 = new Int32Array(ring.bytes.buffer);
    this.schema = new SchemaWriter(schemaLog);
    this.msgpack = new MsgpackEncoder(this.schema);
    this.largeLane = options.largeLane ?? null;
    const threshold = options.largeMessageThreshold ?? DEFAULT_LARGE_MESSAGE_THRESHOLD;
    if (!(threshold >= 64)) {
      throw new BactorError(ErrorCode.INVALID_ARGUMENT, `largeMessageThreshold=${threshold} must be at least 64 bytes`);
    }
    this.inlineLimit = Math.min(threshold, ring.maxPayload);
  }

  /**
   * Encodes `message` as one record of `type`, with two Int32 header words for the layer above.
   * Returns false when the ring has no room now.
   */
  write(type: number, message: unknown, header0 = 0, header1 = 0): boolean {
    if (typeof message === 'object' && message !== null) {
      const proto = Object.getPrototypeOf(message) as object | null;
      if (proto === Object.prototype || proto === null) {
        const r = this.writeShape(type, message as Record<string, unknown>, header0, header1);
        if (r !== NOT_FAST) return r === 1;
      }
    } else {
      const bound = primitiveBound(message);
      if (bound >= 0) return this.writeValue(type, message, bound, header0, header1);
    }
    return this.writeMsgpack(type, message, header0, header1);
  }

  /**
   * `write` for tracing's records (an announcement of spans): the value path for a primitive,
   * msgpackr for the rest. A function of its own, so what `write` learns stays what user messages
   * are: once tracing's records had gone through `write`, V8 no longer inlined its shape path
   * (measured: a cross-thread tell ~10% slower).
   */
  writeAside(type: number, body: unknown, header0 = 0, header1 = 0): boolean {
    const bound = primitiveBound(body);
    if (bound >= 0) return this.writeValue(type, body, bound, header0, header1);
    return this.writeMsgpack(type, body, header0, header1);
  }

  /**
   * A record of `words.length` (at most MAX_WORDS) 32-bit words (FORMAT_WORDS), copied as they
   * are: tracing's TRACE record. False when the ring has no room now.
   */
  writeWords(type: number, words: Uint32Array, header0 = 0, header1 = 0): boolean {
    const n = words.length;
    if (n > MAX_WORDS) throw new BactorError(ErrorCode.INVALID_ARGUMENT, `a words record holds at most ${MAX_WORDS} words, not ${n}`);
    const total = HEADER_BYTES + 4 + 4 * n;
    const offset = this.begin(type, total, header0, header1, FORMAT_WORDS);
    if (offset === RING_FULL) return false;
    this.memory.bytes[offset + HEADER_BYTES + 1] = n;
    const i32 = this.i32;
    const first = (offset >> 2) + 3;
    for (let i = 0; i < n; i++) i32[first + i] = words[i]!;
    this.ring.commit(total);
    return true;
  }

  /** Publishes the records written since the last flush; true when there were any. */
  flush(): boolean {
    return this.ring.flush();
  }

  /**
   * Drops a write that was cut short between its claim and its commit (the watchdog interrupted
   * the handler inside a `tell`): the record is as if never started, and the next write does not
   * find a claim still open. Records committed before it are kept.
   */
  abandon(): void {
    this.ring.abort();
    this.clearScratch(MAX_SHAPE_KEYS);
  }

  private begin(type: number, bound: number, header0: number, header1: number, format: number): number {
    const offset = this.ring.tryClaim(type, bound);
    if (offset === RING_FULL) return RING_FULL;
    this.i32[offset >> 2] = header0;
    this.i32[(offset >> 2) + 1] = header1;
    this.memory.bytes[offset + HEADER_BYTES] = format;
    this.memory.pos = offset + HEADER_BYTES + 1;
    return offset;
  }

  private writeValue(type: number, value: unknown, bound: number, header0: number, header1: number): boolean {
    const total = HEADER_BYTES + 1 + bound;
    if (total > this.inlineLimit) return this.writeMsgpack(type, value, header0, header1);
    const offset = this.begin(type, total, header0, header1, FORMAT_VALUE);
    if (offset === RING_FULL) return false;
    this.memory.writePrimitive(value);
    this.ring.commit(this.memory.pos - offset);
    return true;
  }

  /** 1 written, 0 ring full, NOT_FAST when the object needs the msgpack path. */
  private writeShape(type: number, obj: Record<string, unknown>, header0: number, header1: number): number {
    const scratch = this.scratch;
    let node: ShapeNode = this.schema.root;
    let n = 0;
    let bound = HEADER_BYTES + 3;
    for (const key in obj) {
      const v = obj[key];
      const b = primitiveBound(v);
      if (b < 0 || n === MAX_SHAPE_KEYS) return this.clearScratch(n);
      bound += b;
      scratch[n++] = v;
      node = node.child(key);
    }
    if (bound > this.inlineLimit || (node.id < 0 && !this.schema.registerShape(node))) return this.clearScratch(n);
    const offset = this.begin(type, bound, header0, header1, FORMAT_SHAPE);
    if (offset === RING_FULL) {
      this.clearScratch(n);
      return 0;
    }
    const memory = this.memory;
    const id = node.id;
    memory.bytes[memory.pos] = id & 0xff;
    memory.bytes[memory.pos + 1] = id >>> 8;
    memory.pos += 2;
    for (let i = 0; i < n; i++) {
      memory.writePrimitive(scratch[i]);
      scratch[i] = undefined; // do not keep the sender's values alive
    }
    this.ring.commit(memory.pos - offset);
    return 1;
  }

  private clearScratch(n: number): number {
    for (let i = 0; i < n; i++) this.scratch[i] = undefined;
    return NOT_FAST;
  }

  private writeMsgpack(type: number, message: unknown, header0: number, header1: number): boolean {
    const packed = this.msgpack.pack(message);
    const inline = HEADER_BYTES + 1 + packed.length;
    if (inline <= this.inlineLimit) {
      const offset = this.begin(type, inline, header0, header1, FORMAT_MSGPACK);
      if (offset === RING_FULL) return false;
      this.memory.bytes.set(packed, offset + HEADER_BYTES + 1);
      this.ring.commit(inline);
      return true;
    }
    if (this.largeLane === null) {
      throw new BactorError(
        ErrorCode.RECORD_TOO_LARGE,
        `message of ${packed.length} encoded bytes exceeds the ring's inline limit of ${this.inlineLimit} bytes and this channel has no large-message lane`,
      );
    }
    const offset = this.begin(type, HEADER_BYTES + 9, header0, header1, FORMAT_LARGE);
    if (offset === RING_FULL) return false;
    const view = this.memory.view;
    view.setUint32(offset + HEADER_BYTES + 1, packed.length, true);
    // Post before commit: the reference record must never be visible before its payload.
    view.setUint32(offset + HEADER_BYTES + 5, this.largeLane.send(packed), true);
    this.ring.commit(HEADER_BYTES + 9);
    return true;
  }
}
