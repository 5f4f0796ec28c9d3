import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { type MeshDescriptor, type MeshEndpoint, attachMesh, createMesh } from '../../native-free-core/mesh/mesh.js';
import type { TakenLedger, TakenRecord } from '../../native-free-core/ledger/taken-ledger.js';
import type { ParkResult } from '../../native-free-core/sync/doorbell.js';
import { MessageDecoder, type MessageSink } from '../codec/message-decoder.js';
import { MessageEncoder } from '../codec/message-encoder.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { LargeLaneReceiver, LargeLaneSender } from './large-lane.js';

export interface TransportOptions {
  /** Threads in the mesh (main thread included). */
  participants: number;
  /** Body bytes per ring, a power of two. Default 1 MiB. */
  ringCapacity?: number;
  /** Encoded messages above this size go by the large-message lane. Default 64 KiB. */
  largeMessageThreshold?: number;
}

/**
 * What one participant receives to join the transport: the mesh's shared memory and its ends
 * of the large-message lanes. Send it with `postMessage(init, transferListOf(init))`.
 */
export interface TransportInit {
  readonly mesh: MeshDescriptor;
  readonly self: number;
  readonly largeMessageThreshold: number;
  /** Port toward each peer's large lane (null at self). */
  readonly laneOut: readonly (MessagePort | null)[];
  /** Port from each peer's large lane (null at self). */
  readonly laneIn: readonly (MessagePort | null)[];
  /**
   * Where the main thread posts the lanes of a replaced peer thread (`LaneReplacement`): read
   * with `receiveMessageOnPort` right before a large message is sent or received. Optional.
   */
  readonly laneControl?: MessagePort | null;
}

/** New large-message lanes with a peer whose thread was replaced (posted on `TransportInit.laneControl`). */
export interface LaneReplacement {
  peer: number;
  /** Toward the peer's new thread. */
  out: MessagePort;
  /** From the peer's new thread. */
  in: MessagePort;
}

export const DEFAULT_RING_CAPACITY = 1 << 20;

/**
 * Allocates the transport for `participants` threads (main thread only): the mesh of rings and
 * schema logs, and one MessageChannel per ordered pair for large messages. Returns one init per
 * participant.
 */
export function createTransport(options: TransportOptions): TransportInit[] {
  const { participants, ringCapacity = DEFAULT_RING_CAPACITY, largeMessageThreshold = 64 * 1024 } = options;
  const mesh = createMesh({ participants, ringCapacity });
  const laneOut: (MessagePort | null)[][] = [];
  const laneIn: (MessagePort | null)[][] = [];
  for (let p = 0; p < participants; p++) {
    laneOut.push(new Array<MessagePort | null>(participants).fill(null));
    laneIn.push(new Array<MessagePort | null>(participants).fill(null));
  }
  for (let from = 0; from < participants; from++) {
    for (let to = 0; to < participants; to++) {
      if (from === to) continue;
      const { port1, port2 } = new MessageChannel();
      laneOut[from]![to] = port1;
      laneIn[to]![from] = port2;
    }
  }
  return laneOut.map((out, self) => ({ mesh, self, largeMessageThreshold, laneOut: out, laneIn: laneIn[self]! }));
}

/** The transferables of an init, for `postMessage(init, transferListOf(init))`. */
export function transferListOf(init: TransportInit): MessagePort[] {
  return [...init.laneOut, ...init.laneIn, init.laneControl ?? null].filter((p): p is MessagePort => p !== null);
}

/**
 * One participant's end of the transport: an encoder per outbound ring, a decoder per inbound
 * ring, and the inbox to park on. Owned by exactly one thread.
 */
export class TransportEndpoint {
  readonly self: number;
  readonly participants: number;
  readonly mesh: MeshEndpoint;
  private readonly encoders: (MessageEncoder | null)[] = [];
  private readonly decoders: MessageDecoder[] = [];
  /** Peers written to since the last flush. */
  private readonly dirty: number[] = [];
  private readonly isDirty: Uint8Array;
  /** Rings written to only by quiet sends since the last flush: published, their owner not woken. */
  private readonly quiet: number[] = [];
  private readonly isQuiet: Uint8Array;
  private start = 0;
  private readonly lanes: (LargeLaneSender | LargeLaneReceiver)[] = [];
  private readonly lanesOut: (LargeLaneSender | null)[] = [];
  private readonly lanesIn: (LargeLaneReceiver | null)[] = [];
  private readonly laneControl: MessagePort | null;
  /** Bumped each time a replacement is installed (see refreshLanes). */
  private laneEpoch = 0;

  /** A drain is running (see `drain`). */
  private draining = false;
  /** A worker's ledger of taken messages (see keepTaken); null: none. */
  private ledger: TakenLedger | null = null;
  constructor(init: TransportInit) {
    this.laneControl = init.laneControl ?? null;
    const refreshOut = (): void => void this.refreshLanes();
    const refreshIn = (): boolean => this.refreshLanes();
    this.mesh = attachMesh(init.mesh, init.self);
    this.self = init.self;
    this.participants = init.mesh.participants;
    this.isDirty = new Uint8Array(this.participants);
    this.isQuiet = new Uint8Array(this.participants);
    for (let peer = 0; peer < this.participants; peer++) {
      if (peer === this.self) {
        this.encoders.push(null);
        this.lanesOut.push(null);
        this.lanesIn.push(null);
        continue;
      }
      const out = init.laneOut[peer] ? new LargeLaneSender(init.laneOut[peer]!, refreshOut) : null;
      const inn = init.laneIn[peer] ? new LargeLaneReceiver(init.laneIn[peer]!, refreshIn) : null;
      this.lanesOut.push(out);
      this.lanesIn.push(inn);
      if (out) this.lanes.push(out);
      if (inn) this.lanes.push(inn);
      this.encoders.push(
        new MessageEncoder(this.mesh.outbound[peer]!, this.mesh.outboundLogs[peer]!, {
          largeLane: out,
          largeMessageThreshold: init.largeMessageThreshold,
        }),
      );
      this.decoders.push(new MessageDecoder(this.mesh.inbound[peer]!, this.mesh.inboundLogs[peer]!, inn));
    }
  }

  /**
   * As `send`, for tracing's records (see MessageEncoder.writeAside). `wake` false: the record is
   * published at the next flush but its owner is not woken for it while the ring is under a
   * quarter full (an announcement of 256 spans: the timed one that follows within
   * NOTICE_EVERY_MS wakes it; a wake per batch of spans was ~3.5% of a traced local tell's worker
   * profile here).
   */
  sendAside(peer: number, type: number, body: unknown, header0 = 0, header1 = 0, wake = true): boolean {
    const encoder = this.encoders[peer];
    if (encoder === null || encoder === undefined) return this.send(peer, type, body, header0, header1);
    const ok = encoder.writeAside(type, body, header0, header1);
    if (!ok) return false;
    // Quiet only while the ring is under a quarter full: a ring that fills wakes its owner, so
    // what waits behind it (the overflow queue) is drained.
    if (wake || encoder.ring.usedBytes() > encoder.ring.capacity >>> 2) this.markDirty(peer);
    else if (this.isQuiet[peer] === 0) {
      this.isQuiet[peer] = 1;
      this.quiet.push(peer);
    }
    return true;
  }

  /** As `send`, for a record of 32-bit words (see MessageEncoder.writeWords). */
  sendWords(peer: number, type: number, words: Uint32Array, header0 = 0, header1 = 0): boolean {
    const encoder = this.encoders[peer];
    if (encoder === null || encoder === undefined) return this.send(peer, type, Array.from(words), header0, header1);
    const ok = encoder.writeWords(type, words, header0, header1);
    if (ok) this.markDirty(peer);
    return ok;
  }

  /**
   * Encodes `message` into the ring toward `peer`. False when that ring is full (nothing was
   * written); throws `ERR_UNSERIALIZABLE_MESSAGE` for a message the codec cannot carry.
   * Visible to the peer after `flush()`.
   */
  send(peer: number, type: number, message: unknown, header0 = 0, header1 = 0): boolean {
    const encoder = this.encoders[peer];
    if (encoder === null || encoder === undefined) {
      throw new BactorError(
        ErrorCode.INVALID_ARGUMENT,
        `peer=${peer} is not another participant of this ${this.participants}-thread mesh (self=${this.self})`,
      );
    }
    const ok = encoder.write(type, message, header0, header1);
    if (ok) this.markDirty(peer);
    return ok;
  }

  /** `peer`'s ring has records for the next flush to publish and ring its doorbell for. */
  private markDirty(peer: number): void {
    if (this.isDirty[peer] === 0) {
      this.isDirty[peer] = 1;
      this.dirty.push(peer);
    }
  }

  /**
   * After a handler was interrupted (the watchdog): drops a write it left half done and marks
   * every ring for the next flush (a record committed just before the cut is published then).
   */
  abandonWrites(): void {
    for (let peer = 0; peer < this.participants; peer++) {
      const encoder = this.encoders[peer];
      if (encoder === null || encoder === undefined) continue;
      encoder.abandon();
      this.markDirty(peer);
    }
  }

  /** Publishes everything sent since the last flush and wakes the peers that park. */
  flush(): void {
    const dirty = this.dirty;
    for (let i = 0; i < dirty.length; i++) {
      const peer = dirty[i]!;
      this.isDirty[peer] = 0;
      if (this.encoders[peer]!.flush()) this.mesh.bells[peer]!.ring();
    }
    dirty.length = 0;
    const quiet = this.quiet;
    if (quiet.length === 0) return;
    // Published without a wake (a ring flushed above already has them out: its flush is a no-op).
    for (let i = 0; i < quiet.length; i++) {
      const peer = quiet[i]!;
      this.isQuiet[peer] = 0;
      this.encoders[peer]!.flush();
    }
    quiet.length = 0;
  }

  /**
   * Delivers up to `limitPerPeer` messages from each inbound ring; returns how many. Not
   * re-entrant: a call from inside a sink's callback (user code run by a delivery that drains
   * again) returns 0 and leaves the records to the outer call.
   */
  drain(sink: MessageSink, limitPerPeer?: number): number {
    if (this.draining) return 0;
    this.draining = true;
    try {
      const decoders = this.decoders;
      const n = decoders.length;
      let total = 0;
      for (let k = 0; k < n; k++) {
        let i = this.start + k;
        if (i >= n) i -= n;
        total += decoders[i]!.drain(sink, limitPerPeer);
      }
      if (++this.start >= n) this.start = 0;
      return total;
    } finally {
      this.draining = false;
    }
  }

  /**
   * From now on the records of `keptTypes` (a bit per record type) taken off the rings are kept
   * in `ledger` until handled (a worker; see TakenLedger). Returns what the thread this one
   * replaces had taken and not handled, in order (empty on a first start): the rings go on
   * after it.
   */
  keepTaken(ledger: TakenLedger, keptTypes: number): TakenRecord[] {
    const rings = this.mesh.inbound;
    const records = ledger.recover(rings);
    ledger.attach(rings);
    this.ledger = ledger;
    for (let peer = 0, d = 0; peer < this.participants; peer++) if (peer !== this.self) this.decoders[d++]!.keepIn(ledger, keptTypes, peer);
    return records;
  }

  /** A loop turn ends: the taken records not handled yet are kept, and the rings released (see TakenLedger.endTurn). */
  endTurn(): void {
    this.ledger?.endTurn();
  }

  /**
   * Decodes records copied out of the rings from `peer` (TakenLedger.recover) with that ring's
   * schema, and hands each to `sink` (no large-message lane: a large one is a decode error).
   */
  decodeCopies(peer: number, records: readonly TakenRecord[], sink: MessageSink): void {
    let bytes = 0;
    for (const r of records) bytes += (r.payload.length + 7) & ~7;
    const all = new Uint8Array(bytes);
    const decoder = new MessageDecoder({ bytes: all }, this.mesh.inboundLogs[peer]!, null);
    let at = 0;
    const offsets: number[] = [];
    for (const r of records) {
      all.set(r.payload, at);
      offsets.push(at);
      at += (r.payload.length + 7) & ~7;
    }
    decoder.bind(sink);
    for (let i = 0; i < records.length; i++) decoder.deliver(records[i]!.type, all, offsets[i]!, records[i]!.payload.length);
  }

  /** True when any inbound ring has messages. */
  hasData(): boolean {
    return this.mesh.inbox.hasData();
  }

  /** Blocks until a peer publishes or `timeoutMs` passes. Worker threads only. */
  park(timeoutMs: number): ParkResult {
    return this.mesh.inbox.park(timeoutMs);
  }

  /**
   * Waits without blocking until a peer publishes or `timeoutMs` passes. Holds a ref'd timer
   * meanwhile: a pending waitAsync alone does not keep a Node.js thread alive.
   */
  async parkAsync(timeoutMs: number): Promise<ParkResult> {
    const result = this.mesh.inbox.parkAsync(timeoutMs);
    if (typeof result === 'string') return result;
    const keepAlive = setInterval(noop, 1 << 30);
    try {
      return await result;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Installs the lanes the main thread posted for replaced peer threads; true if any was
   * installed. Cheap when there are none (one `receiveMessageOnPort` on an empty port), and
   * only called around large messages.
   */
  private refreshLanes(): boolean {
    if (this.laneControl === null) return false;
    const before = this.laneEpoch;
    for (;;) {
      const received = receiveMessageOnPort(this.laneControl);
      if (received === undefined) break;
      const r = received.message as LaneReplacement;
      const out = this.lanesOut[r.peer];
      const inn = this.lanesIn[r.peer];
      if (out === undefined || inn === undefined || out === null || inn === null) {
        r.out.close();
        r.in.close();
        continue;
      }
      out.replace(r.out);
      inn.replace(r.in);
      this.laneEpoch++;
    }
    return this.laneEpoch !== before;
  }

  /** Closes the large-lane ports so they hold no handles. */
  close(): void {
    for (const lane of this.lanes) lane.close();
    this.laneControl?.close();
  }
}

function noop(): void {}
