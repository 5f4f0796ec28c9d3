import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
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
export class LargeLaneSender {
  private readonly port: MessagePort;
  private seq = 0;
  constructor(port: MessagePort) {
    this.port = port;
  }

  /** Posts a private copy of `bytes` after its sequence number, transferring (not cloning) the copy's buffer; returns the number. */
  send(bytes: Uint8Array): number {
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

export class LargeLaneReceiver {
  private readonly port: MessagePort;
  constructor(port: MessagePort) {
    this.port = port;
  }

  /**
   * Takes payload `seq` (its reference record has been read, so it has been posted), skipping
   * orphans numbered before it.
   */
  receive(seq: number, expectedLength: number): Uint8Array {
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      const payload = received?.message as Uint8Array | undefined;
      if (!(payload instanceof Uint8Array) || payload.length < SEQ_BYTES) throw desync(seq, expectedLength, payload);
      const got = readSeq(payload);
      // An orphan: numbered before the one expected (modulo 2^32).
      if (((got - seq) | 0) < 0) continue;
      if (got !== seq || payload.length - SEQ_BYTES !== expectedLength) throw desync(seq, expectedLength, payload);
      return payload.subarray(SEQ_BYTES);
    }
  }

  close(): void {
    this.port.close();
  }
}

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
