import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { BactorError, ErrorCode } from '../errors/error-codes.js';

/**
 * The large-message lane of one ring: payloads too big for the ring travel by `postMessage` with
 * their buffer transferred, while the ring carries a small reference record in their place, in
 * order. The producer posts the payload before it commits the reference; the consumer takes it
 * with `receiveMessageOnPort` when it reads the reference, synchronously, so per-pair FIFO holds
 * and the small records behind a large one are not held up by it.
 */
export class LargeLaneSender {
  private readonly port: MessagePort;
  constructor(port: MessagePort) {
    this.port = port;
  }

  /** Posts a private copy of `bytes`, transferring (not cloning) the copy's buffer. */
  send(bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.port.postMessage(copy, [copy.buffer]);
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

  /** Takes the next payload; its reference record has been read, so it has been posted. */
  receive(expectedLength: number): Uint8Array {
    const received = receiveMessageOnPort(this.port);
    const payload = received?.message as Uint8Array | undefined;
    if (!(payload instanceof Uint8Array) || payload.length !== expectedLength) {
      throw new BactorError(
        ErrorCode.LARGE_LANE_DESYNC,
        `large-message lane: expected a payload of ${expectedLength} bytes, got ${payload === undefined ? 'nothing' : `${(payload as Uint8Array).length ?? typeof payload} bytes`}`,
      );
    }
    return payload;
  }

  close(): void {
    this.port.close();
  }
}
