import { MessageChannel } from 'node:worker_threads';
import { createAppendLogBuffer } from '../../native-free-core/log/append-log.js';
import { createRingBuffer } from '../../native-free-core/ring/ring-buffer.js';
import { RingConsumer } from '../../native-free-core/ring/ring-consumer.js';
import { RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { MessageDecoder, type MessageSink } from '../../src/codec/message-decoder.js';
import { MessageEncoder, type MessageEncoderOptions } from '../../src/codec/message-encoder.js';
import { LargeLaneReceiver, LargeLaneSender } from '../../src/transport/large-lane.js';

export interface Delivered {
  type: number;
  header0: number;
  header1: number;
  message: unknown;
}

/** An encoder and a decoder on one ring in one thread, with a collecting sink. */
export class CodecPair implements MessageSink {
  readonly ring: SharedArrayBuffer;
  readonly log: SharedArrayBuffer;
  encoder: MessageEncoder;
  decoder: MessageDecoder;
  delivered: Delivered[] = [];
  errors: { code: string; message: string; type: number }[] = [];
  private readonly channel: MessageChannel | null;
  /** The encoder's large-message lane, when it has one. */
  readonly laneSender: LargeLaneSender | null;

  constructor(options: { capacity?: number; logCapacity?: number; largeLane?: boolean; threshold?: number } = {}) {
    this.ring = createRingBuffer(options.capacity ?? 1 << 16);
    this.log = createAppendLogBuffer(options.logCapacity ?? 64 * 1024);
    this.channel = options.largeLane ? new MessageChannel() : null;
    this.laneSender = this.channel ? new LargeLaneSender(this.channel.port1) : null;
    const encoderOptions: MessageEncoderOptions = { largeLane: this.laneSender };
    if (options.threshold !== undefined) encoderOptions.largeMessageThreshold = options.threshold;
    this.encoder = new MessageEncoder(new RingProducer(this.ring), this.log, encoderOptions);
    this.decoder = this.newDecoder();
  }

  newDecoder(): MessageDecoder {
    return new MessageDecoder(new RingConsumer(this.ring), this.log, this.channel ? new LargeLaneReceiver(this.channel.port2) : null);
  }

  onMessage(type: number, header0: number, header1: number, message: unknown): void {
    this.delivered.push({ type, header0, header1, message });
  }

  onDecodeError(error: { code: string; message: string }, type: number): void {
    this.errors.push({ code: error.code, message: error.message, type });
  }

  /** Sends one message and returns what came out of the other end. */
  roundTrip(message: unknown): unknown {
    if (!this.encoder.write(1, message)) throw new Error('ring full');
    this.encoder.flush();
    this.delivered = [];
    this.decoder.drain(this);
    if (this.delivered.length !== 1) throw new Error(`expected one message, got ${this.delivered.length}`);
    return this.delivered[0]!.message;
  }

  close(): void {
    this.channel?.port1.close();
    this.channel?.port2.close();
  }
}
