import { isDeepStrictEqual } from 'node:util';
import type { MessageSink } from '../../src/codec/message-decoder.js';
import type { TransportEndpoint } from '../../src/transport/transport.js';
import { Prng } from './prng.js';
import { randomMessage } from './random-values.js';

export interface MeshPeerResult {
  self: number;
  sent: number;
  received: number[];
  parks: number;
  error?: string;
}

/**
 * One participant of the mesh stress test: sends `perPeer` seeded random messages to every
 * other participant, numbered in header0, while it checks what arrives from each: every message
 * equal to the sender's, in order, none missing, none twice.
 */
export class MeshPeer implements MessageSink {
  readonly received: number[];
  error: string | undefined;
  sent = 0;
  parks = 0;
  private readonly expected: Prng[];
  private readonly outgoing: Prng[];
  private readonly nextOut: number[];
  /** The message waiting for room toward each peer (`undefined` is a message too: `hasPending` says whether one waits). */
  private pending: unknown[];
  private hasPending: boolean[];

  constructor(
    readonly endpoint: TransportEndpoint,
    readonly seed: number,
    readonly perPeer: number,
    readonly largeEvery: number,
  ) {
    const n = endpoint.participants;
    this.received = new Array<number>(n).fill(0);
    this.nextOut = new Array<number>(n).fill(0);
    this.expected = Array.from({ length: n }, (_, from) => new Prng(seed ^ (from * 1000 + endpoint.self)));
    this.outgoing = Array.from({ length: n }, (_, to) => new Prng(seed ^ (endpoint.self * 1000 + to)));
    this.pending = new Array<unknown>(n).fill(undefined);
    this.hasPending = new Array<boolean>(n).fill(false);
  }

  onMessage(type: number, header0: number, header1: number, message: unknown): void {
    const from = header1;
    const seq = this.received[from]!;
    if (type !== 1 || header0 !== seq) {
      this.error ??= `from ${from}: got #${header0} (type ${type}), expected #${seq}`;
      return;
    }
    const want = randomMessage(this.expected[from]!, this.largeEvery);
    if (!isDeepStrictEqual(message, want)) this.error ??= `from ${from}: message #${seq} differs (seed=${this.seed})`;
    this.received[from] = seq + 1;
  }

  onDecodeError(error: Error): void {
    this.error ??= `decode error: ${error.message}`;
  }

  /** Sends what fits now; returns true when everything has been sent. */
  pump(budget: number): boolean {
    const ep = this.endpoint;
    let done = true;
    for (let to = 0; to < ep.participants; to++) {
      if (to === ep.self) continue;
      let k = 0;
      while (this.nextOut[to]! < this.perPeer && k++ < budget) {
        // A random message may be `undefined` itself: whether one waits is its own flag (with
        // `undefined` as the sentinel, a full ring on an `undefined` message made the next pump
        // draw and send another message in its place: the receiver saw "message #n differs").
        if (!this.hasPending[to]) {
          this.pending[to] = randomMessage(this.outgoing[to]!, this.largeEvery);
          this.hasPending[to] = true;
        }
        if (!ep.send(to, 1, this.pending[to], this.nextOut[to], ep.self)) break;
        this.pending[to] = undefined;
        this.hasPending[to] = false;
        this.nextOut[to]!++;
        this.sent++;
      }
      if (this.nextOut[to]! < this.perPeer) done = false;
    }
    ep.flush();
    return done;
  }

  allReceived(): boolean {
    return this.received.every((n, from) => from === this.endpoint.self || n === this.perPeer);
  }

  result(): MeshPeerResult {
    return {
      self: this.endpoint.self,
      sent: this.sent,
      received: this.received,
      parks: this.parks,
      ...(this.error ? { error: this.error } : {}),
    };
  }
}
