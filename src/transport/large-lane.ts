import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { LargePayloadReceiver, LargePayloadSender } from '../codec/wire-format.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';

/** Each payload starts with its Uint32 sequence number (little-endian); the reference record carries the same number. */
const SEQ_BYTES = 4;

/**
 * The large-message lane of one ring: payloads too big for the ring travel by `postMessage` with
 * their buffer transferred, while the ring carries a small reference record in their place, in
 * order. The producer posts the payload before it commits the reference; the consumer takes it
 * with `receiveMessageOnPort` when it reads the reference, synchronously, so per-pair FIFO holds
 * and the small records behind a large one are not held up by it. Payloads are numbered, and the
 * reference names its payload: one posted by a write that was cut before its reference was
 * committed (the watchdog interrupted the handler) is an orphan the consumer skips.
 */
export class LargeLaneSender implements LargePayloadSender {
  private port: MessagePort;
  private seq = 0;
  /**
   * @param refresh installs lanes the main thread replaced (the peer's thread was replaced):
   *   called before each send, so a payload never goes to a dead thread's port once the new one exists.
   */
  constructor(
    port: MessagePort,
    private readonly refresh: () => void = noop,
  ) {
    this.port = port;
  }

  /**
   * The peer's thread was replaced: later payloads go to its successor. Numbering goes on: the
   * references already in the ring name payloads that died with the old thread, and the
   * receiver tells them from the new ones by their numbers.
   */
  replace(port: MessagePort): void {
    this.port.close();
    this.port = port;
  }

  /** Posts a private copy of `bytes` after its sequence number, transferring (not cloning) the copy's buffer; returns the number. */
  send(bytes: Uint8Array): number {
    this.refresh();
    const seq = (this.seq = (this.seq + 1) >>> 0);
    const copy = new Uint8Array(SEQ_BYTES + bytes.length);
    writeSeq(copy, seq);
    copy.set(bytes, SEQ_BYTES);
    this.port.postMessage(copy, [copy.buffer]);
    return seq;
  }

  close(): void {
    this.port.close();
  }
}

export class LargeLaneReceiver implements LargePayloadReceiver {
  private port: MessagePort;
  /** A payload numbered after the one a reference asked for (that one died with its sender's old thread): kept for its own reference. */
  private ahead: Uint8Array | null = null;
  /**
   * @param refresh installs lanes the main thread replaced; true if this receiver's port changed.
   */
  constructor(
    port: MessagePort,
    private readonly refresh: () => boolean = () => false,
  ) {
    this.port = port;
  }

  /** The peer's thread was replaced: its successor posts on `port`. What the old port held was the old thread's. */
  replace(port: MessagePort): void {
    this.port.close();
    this.port = port;
    this.ahead = null;
  }

  /**
   * Takes payload `seq` (its reference record has been read, so it has been posted), skipping
   * orphans numbered before it. Across a replacement of the sender's thread: references of the
   * old thread whose payload died with it fail (ERR_LARGE_LANE_DESYNC: that one record becomes
   * a dead letter), and the new thread's payloads are taken from its new port.
   */
  receive(seq: number, expectedLength: number): Uint8Array {
    for (;;) {
      let payload = this.ahead;
      this.ahead = null;
      if (payload === null) payload = (receiveMessageOnPort(this.port)?.message as Uint8Array | undefined) ?? null;
      if (payload === null) {
        // Nothing here: the sender's thread may have been replaced, its payloads on a new port.
        if (this.refresh()) continue;
        throw desync(seq, expectedLength, undefined);
      }
      if (!(payload instanceof Uint8Array) || payload.length < SEQ_BYTES) throw desync(seq, expectedLength, payload);
      const got = readSeq(payload);
      // An orphan: numbered before the one expected (modulo 2^32).
      if (((got - seq) | 0) < 0) continue;
      if (got !== seq) {
        // Numbered after: the expected one is lost (it went to a thread that died), or this is
        // an old thread's leftover while the new thread's payloads wait on a new port.
        this.ahead = payload;
        if (this.refresh()) continue; // a replaced port drops it (replace clears `ahead`)
        throw desync(seq, expectedLength, payload);
      }
      if (payload.length - SEQ_BYTES !== expectedLength) throw desync(seq, expectedLength, payload);
      return payload.subarray(SEQ_BYTES);
    }
  }

  close(): void {
    this.port.close();
  }
}

function noop(): void {}

function writeSeq(bytes: Uint8Array, seq: number): void {
  bytes[0] = seq & 0xff;
  bytes[1] = (seq >>> 8) & 0xff;
  bytes[2] = (seq >>> 16) & 0xff;
  bytes[3] = seq >>> 24;
}

function readSeq(bytes: Uint8Array): number {
  return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
}

function desync(seq: number, expectedLength: number, payload: Uint8Array | undefined): BactorError {
  const got =
    payload === undefined
      ? 'nothing'
      : payload instanceof Uint8Array && payload.length >= SEQ_BYTES
        ? `payload #${readSeq(payload)} of ${payload.length - SEQ_BYTES} bytes`
        : `${(payload as Uint8Array).length ?? typeof payload} bytes`;
  return new BactorError(
    ErrorCode.LARGE_LANE_DESYNC,
    `large-message lane: expected payload #${seq} of ${expectedLength} bytes, got ${got}`,
  );
}
