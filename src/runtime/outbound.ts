import { DEFAULT_HIGH_WATER, type FlowSignal } from '../actor/actor-cell.js';
import { type ActorRef, packRef, participantOf } from '../actor/actor-ref.js';
import { inspectMessage } from '../codec/inspect-message.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { Deque } from '../mailbox/deque.js';
import type { TransportEndpoint } from '../transport/transport.js';
import { Congestion, type Holdable } from './congestion.js';
import { type ControlMessage, RecordType } from './wire-messages.js';

export const DEFAULT_OVERFLOW_LIMIT = 262_144;

/** The running actor, as the sending side sees it: held after its handler when a ring is full or its credit is spent. */
export interface Sender extends Holdable {
  holdForRing(): boolean;
  releaseRing(): void;
}

/** What the sending side needs of its runtime. */
export interface OutboundHost {
  /** The actor whose turn runs now (null outside turns). */
  readonly currentSender: Sender | null;
  /** Work appeared (a record to publish) while the thread may be parked. */
  wake(): void;
}

interface PendingRecord {
  type: number;
  h0: number;
  h1: number;
  body: unknown;
}

/**
 * The sending side of one thread: records toward each peer go into its ring, or — when the ring
 * is full — wait in order in a bounded overflow queue while the sending actor is held after its
 * handler (`flush` moves them on and releases it); sends to actors under flow control spend
 * credit (see congestion.ts). What `ref.backpressured` and `ref.send()` read.
 */
export class Outbound {
  private readonly overflow: Deque<PendingRecord>[] = [];
  /** Actors suspended because a ring they sent into is full, per peer (released by `flush`). */
  private readonly held: Sender[][] = [];
  /** Callers of `whenWritable`, per peer. */
  private readonly writableWaiters: (() => void)[][] = [];
  /** Actors on other threads whose backlog is past its high-water mark (the sending side of per-actor backpressure). */
  private readonly congestion = new Congestion();
  private dirty = false;
  /** Records waiting in the overflow queues (rings that were full). */
  overflowed = 0;
  /** Actors suspended by a full ring now. */
  suspended = 0;

  constructor(
    private readonly participant: number,
    private readonly endpoint: TransportEndpoint | null,
    private readonly host: OutboundHost,
    /** User records one overflow queue may hold before `tell` refuses with ERR_BACKPRESSURE. */
    readonly overflowLimit = DEFAULT_OVERFLOW_LIMIT,
    /** The gateway thread's participant number (0: no remote) and this node's incarnation. */
    private readonly gateway = 0,
    private readonly incarnation = 0,
  ) {
    const peers = endpoint?.participants ?? 0;
    for (let p = 0; p < peers; p++) {
      this.overflow.push(new Deque<PendingRecord>());
      this.held.push([]);
      this.writableWaiters.push([]);
    }
  }

  /**
   * A user message to `target` on another thread. Under flow control (its backlog reached its
   * mark) it spends a credit; a sending actor with none left is held after its handler. False
   * when the sender should pause (ring full, or no credit left); the message went either way.
   */
  sendUser(target: ActorRef, sender: ActorRef | null, message: unknown): boolean {
    const h1 = sender === null ? 0 : sender.packed;
    if (this.congestion.size !== 0 && this.congestion.has(target.packed)) {
      const more = this.congestion.beforeSend(target.packed, target, this.host.currentSender);
      return this.send(target.participant, RecordType.USER, target.id, h1, message) && more;
    }
    return this.send(target.participant, RecordType.USER, target.id, h1, message);
  }

  /**
   * A user message to `target` on another node, through the gateway. While the gateway's link to
   * that node has a backlog past its mark (the peer is slow, or unreachable for now) the node is
   * under flow control as one actor would be, keyed by `-incarnation`: see Gateway's congestion.
   */
  sendRemote(target: ActorRef, sender: ActorRef | null, bytes: Uint8Array): boolean {
    const h1 = sender === null ? 0 : sender.packed;
    const body = sender === null ? [target.incarnation, 0, '', bytes] : [target.incarnation, sender.incarnation, sender.kind, bytes];
    if (this.congestion.size !== 0 && this.congestion.has(-target.incarnation)) {
      const more = this.congestion.beforeSend(-target.incarnation, target, this.host.currentSender);
      return this.send(this.gateway, RecordType.REMOTE_OUT, target.packed, h1, body) && more;
    }
    return this.send(this.gateway, RecordType.REMOTE_OUT, target.packed, h1, body);
  }

  /**
   * Sends a record toward `peer`. When the ring is full the record waits in order in a bounded
   * overflow queue and the running actor is suspended: it finishes its handler, then takes no
   * message until `flush` has moved the queue into the ring. Returns false in that case.
   */
  send(peer: number, type: number, h0: number, h1: number, body: unknown): boolean {
    const endpoint = this.endpoint;
    if (endpoint === null || peer >= this.overflow.length) {
      throw new BactorError(ErrorCode.INVALID_ARGUMENT, `participant ${peer} is not reachable from participant ${this.participant}`);
    }
    const overflow = this.overflow[peer]!;
    if (overflow.length === 0 && endpoint.send(peer, type, body, h0, h1)) {
      this.markDirty();
      return true;
    }
    // The ring is full: check the message now, so a bad one still fails at the call site.
    inspectMessage(body);
    const user = type === RecordType.USER || type === RecordType.REMOTE_OUT;
    if (user && overflow.length >= this.overflowLimit) {
      throw new BactorError(
        ErrorCode.BACKPRESSURE,
        `the ring to participant ${peer} is full and ${overflow.length} messages wait for it (overflowLimit): ` +
          'message refused; await ref.send(), or wait while ref.backpressured, to follow the consumer',
      );
    }
    overflow.push({ type, h0, h1, body });
    this.overflowed++;
    const current = this.host.currentSender;
    if (current !== null && user && current.holdForRing()) {
      this.held[peer]!.push(current);
      this.suspended++;
    }
    this.markDirty();
    return false;
  }

  /** The endpoint, when nothing waits in `peer`'s overflow queue (a record may then go straight into the ring). */
  private unqueued(peer: number): TransportEndpoint | null {
    return peer < this.overflow.length && this.overflow[peer]!.length === 0 ? this.endpoint : null;
  }

  /** Tracing's span announcements by the encoder's own path for them (`wake` false: see Transport.sendAside); the generic path when the ring is full. */
  sendAside(peer: number, type: number, h0: number, h1: number, body: unknown, wake = true): boolean {
    const endpoint = this.unqueued(peer);
    if (endpoint !== null && endpoint.sendAside(peer, type, body, h0, h1, wake)) {
      this.markDirty();
      return true;
    }
    return this.send(peer, type, h0, h1, body);
  }

  /** A TRACE record's words by the encoder's words path; as a plain array by the generic path when the ring is full. */
  sendWords(peer: number, type: number, h0: number, h1: number, words: Uint32Array): boolean {
    const endpoint = this.unqueued(peer);
    if (endpoint !== null && endpoint.sendWords(peer, type, words, h0, h1)) {
      this.markDirty();
      return true;
    }
    return this.send(peer, type, h0, h1, Array.from(words));
  }

  /** Sends what waits in the overflow queues and publishes everything; true when all went out. */
  flush(): boolean {
    const endpoint = this.endpoint;
    if (endpoint === null) return true;
    let drained = true;
    for (let peer = 0; peer < this.overflow.length; peer++) {
      const overflow = this.overflow[peer]!;
      if (overflow.length === 0) continue;
      while (overflow.length > 0) {
        const r = overflow.peek()!;
        if (!endpoint.send(peer, r.type, r.body, r.h0, r.h1)) {
          drained = false;
          break;
        }
        overflow.shift();
        this.overflowed--;
      }
      if (overflow.length === 0) this.releaseHeld(peer);
    }
    endpoint.flush();
    this.dirty = !drained;
    return drained;
  }

  /** A flow-control record from the thread of `target` (see ActorCell's flow control). */
  onFlow(target: number, signal: FlowSignal, amount: number): void {
    // Code outside actors may send a default mark's worth past a congestion before
    // ERR_BACKPRESSURE: a small bounded mailbox must not refuse the odd ask.
    if (signal === 'congested') this.congestion.congested(target, Math.max(amount, DEFAULT_HIGH_WATER));
    else if (signal === 'grant')
      this.congestion.grant(target, amount, this.overflow[target < 0 ? this.gateway : participantOf(target)]?.length ?? 0);
    else this.congestion.release(target);
  }

  /**
   * Flow control of actor `target` of this thread, told to every other thread (see FlowSignal);
   * a congestion is published now, not at the end of the loop turn: every record a producer
   * writes before it reads this lands in the backlog (a congestion is usually noticed while the
   * rings are read).
   */
  announceFlow(target: number, signal: FlowSignal, amount: number): void {
    const endpoint = this.endpoint;
    if (endpoint === null) return;
    const message: ControlMessage = { op: 'flow', target, signal, amount };
    const from = packRef(this.participant, 0);
    for (let peer = 0; peer < endpoint.participants; peer++)
      if (peer !== this.participant) this.send(peer, RecordType.CONTROL, 0, from, message);
    if (signal === 'congested') this.flush();
  }

  /** Thread `peer` died: its actors drain no more, and what waited for them goes on. */
  peerDied(peer: number): void {
    this.congestion.releaseParticipant(peer);
  }

  /** The ring toward the target's thread is full, or the target's backlog is past its high-water mark. */
  isBackpressured(target: ActorRef): boolean {
    const [peer, key] = this.route(target);
    if (peer === this.participant) return false;
    return (peer < this.overflow.length && this.overflow[peer]!.length > 0) || this.congestion.blocked(key);
  }

  /** Resolves when nothing waits for room in the ring toward the target and its backlog is below its mark (at once for local targets). */
  async whenWritable(target: ActorRef): Promise<void> {
    const [peer, key] = this.route(target);
    if (peer === this.participant || peer >= this.overflow.length) return;
    while (this.isBackpressured(target)) {
      if (this.overflow[peer]!.length > 0) await new Promise<void>((resolve) => this.writableWaiters[peer]!.push(resolve));
      else await this.congestion.whenClear(key);
    }
  }

  /** The thread a message to `target` goes to, and its key under flow control (another node's: the gateway, by -incarnation). */
  private route(target: ActorRef): [peer: number, key: number] {
    if (target.incarnation === this.incarnation || this.incarnation === 0) return [target.participant, target.packed];
    return this.gateway === 0 ? [this.participant, 0] : [this.gateway, -target.incarnation];
  }

  private markDirty(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.host.wake();
  }

  /** The ring toward `peer` took everything that waited: resume its producers and waiters. */
  private releaseHeld(peer: number): void {
    const held = this.held[peer]!;
    if (held.length > 0) {
      this.held[peer] = [];
      this.suspended -= held.length;
      for (const cell of held) cell.releaseRing();
    }
    const waiters = this.writableWaiters[peer]!;
    if (waiters.length > 0) {
      this.writableWaiters[peer] = [];
      for (const resolve of waiters) resolve();
    }
  }
}
