import type { TakenLedger } from '../../native-free-core/ledger/taken-ledger.js';
import type { RecordHandler, RingConsumer } from '../../native-free-core/ring/ring-consumer.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { taken } from '../mailbox/taken-slot.js';
import { RingMemory, malformed } from './fast-path.js';
import { MsgpackDecoder } from './msgpack-path.js';
import { SchemaReader } from './schema-log.js';
import {
  FORMAT_LARGE,
  FORMAT_MSGPACK,
  FORMAT_SHAPE,
  FORMAT_VALUE,
  FORMAT_WORDS,
  HEADER_BYTES,
  type LargePayloadReceiver,
  MAX_WORDS,
} from './wire-format.js';

/** Receives decoded messages. An object with methods, so the hot loop allocates no closures. */
export interface MessageSink {
  onMessage(type: number, header0: number, header1: number, message: unknown): void;
  /**
   * A record that could not be decoded. It is consumed; the records around it are still
   * delivered. The default is to throw.
   */
  onDecodeError?(error: BactorError, type: number, header0: number, header1: number): void;
}

/**
 * Decodes the records of one ring into messages (see `wire-format.ts`). The consumer thread
 * owns it. The fast path reads straight from ring memory; the msgpack path copies the record
 * out first (DESIGN.md: msgpackr on shared memory is ~30x slower).
 */
export class MessageDecoder implements RecordHandler {
  readonly ring: RingConsumer;
  private readonly memory: RingMemory;
  private readonly i32: Int32Array;
  private readonly schema: SchemaReader;
  private readonly msgpack: MsgpackDecoder;
  private readonly largeLane: LargePayloadReceiver | null;
  private sink: MessageSink | null = null;
  /** A worker's ledger of taken messages, and the record types it keeps (a bit per type); null: none. */
  private ledger: TakenLedger | null = null;
  private keptTypes = 0;
  /** The participant whose ring this is. */
  private source = 0;
  /** A FORMAT_WORDS record's words, as delivered (overwritten by the next one). */
  private readonly words = new Int32Array(MAX_WORDS);
  /** Its first n words for each n (no view made per record). */
  private readonly wordViews = Array.from({ length: MAX_WORDS + 1 }, (_v, n) => this.words.subarray(0, n));

  constructor(ring: Pick<RingConsumer, 'bytes'>, schemaLog: SharedArrayBuffer, largeLane: LargePayloadReceiver | null = null) {
    this.ring = ring as RingConsumer;
    this.memory = new RingMemory(ring.bytes);
    this.i32 = new Int32Array(ring.bytes.buffer);
    this.schema = new SchemaReader(schemaLog);
    this.msgpack = new MsgpackDecoder(this.schema);
    this.largeLane = largeLane;
  }

  /** Keeps the records of the types in `keptTypes` (a bit per type) in `ledger` while they are taken. */
  keepIn(ledger: TakenLedger, keptTypes: number, source: number): void {
    this.ledger = ledger;
    this.keptTypes = keptTypes;
    this.source = source;
  }

  /** Where `deliver` hands what it decodes (drain sets it too). */
  bind(sink: MessageSink): void {
    this.sink = sink;
  }

  /** Delivers up to `limit` messages to `sink`; returns how many records were read. */
  drain(sink: MessageSink, limit?: number): number {
    this.sink = sink;
    return this.ring.read(this, limit);
  }

  /** RecordHandler: called by the ring for each record. */
  onRecord(type: number, bytes: Uint8Array, offset: number, length: number): void {
    const ledger = this.ledger;
    if (ledger === null) this.deliver(type, bytes, offset, length);
    else if (((this.keptTypes >>> type) & 1) !== 0) {
      // In the ledger first, then past READ: a thread that dies between the two has the record
      // read again by its replacement, not twice (TakenLedger.recover skips it).
      taken.slot = ledger.take(this.source, offset);
      this.ring.commitRead();
      this.deliver(type, bytes, offset, length);
      // Not taken into a mailbox (an ask's reply, a dead letter, a custom mailbox): done with it.
      const slot = taken.slot;
      if (slot >= 0) {
        taken.slot = -1;
        ledger.done(slot);
      }
    } else {
      this.ring.commitRead();
      this.deliver(type, bytes, offset, length);
    }
  }

  /** Decodes a record and hands it to the sink (a decode error to its onDecodeError). */
  deliver(type: number, bytes: Uint8Array, offset: number, length: number): void {
    const sink = this.sink!;
    const header0 = this.i32[offset >> 2]!;
    const header1 = this.i32[(offset >> 2) + 1]!;
    let message: unknown;
    try {
      message = this.decodeBody(bytes, offset, offset + length);
    } catch (error) {
      const failure =
        error instanceof BactorError
          ? error
          : new BactorError(ErrorCode.MALFORMED_RECORD, `malformed record of type ${type}: ${(error as Error).message}`, { cause: error });
      if (sink.onDecodeError === undefined) throw failure;
      sink.onDecodeError(failure, type, header0, header1);
      return;
    }
    sink.onMessage(type, header0, header1, message);
  }

  private decodeBody(bytes: Uint8Array, offset: number, end: number): unknown {
    const body = offset + HEADER_BYTES;
    if (body >= end) throw malformed(`record of ${end - offset} bytes has no body`);
    const memory = this.memory;
    memory.pos = body + 1;
    switch (bytes[body]) {
      case FORMAT_SHAPE: {
        if (body + 3 > end) throw malformed('truncated shape id');
        const read = this.schema.shape(bytes[body + 1]! | (bytes[body + 2]! << 8));
        memory.pos = body + 3;
        const obj = read(memory, end);
        if (memory.pos !== end) throw malformed(`shape record has ${end - memory.pos} trailing bytes`);
        return obj;
      }
      case FORMAT_VALUE: {
        const value = memory.readPrimitive(end);
        if (memory.pos !== end) throw malformed(`value record has ${end - memory.pos} trailing bytes`);
        return value;
      }
      case FORMAT_MSGPACK:
        return this.msgpack.unpackShared(bytes, body + 1, end);
      case FORMAT_LARGE: {
        if (body + 9 !== end) throw malformed('large-lane reference of the wrong size');
        if (this.largeLane === null)
          throw new BactorError(ErrorCode.LARGE_LANE_DESYNC, 'large-lane reference on a channel without a large-message lane');
        return this.msgpack.unpack(this.largeLane.receive(memory.view.getUint32(body + 5, true), memory.view.getUint32(body + 1, true)));
      }
      case FORMAT_WORDS: {
        const n = bytes[body + 1]!;
        if (n > MAX_WORDS || body + 4 + 4 * n !== end) throw malformed(`words record of ${end - offset} bytes for ${n} words`);
        const words = this.wordViews[n]!;
        const first = (body + 4) >> 2;
        for (let i = 0; i < n; i++) words[i] = this.i32[first + i]!;
        return words;
      }
      default:
        throw malformed(`unknown format ${bytes[body]}`);
    }
  }
}
