import type * as Grpc from '@grpc/grpc-js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { LaneStream, type LaneOwner } from './lane-stream.js';
import { LinkQueue } from './link-queue.js';
import { type Envelope, type Frame, type Hello, Lane, type SystemMessage, type Welcome, type WireRef } from './wire.js';

/** User envelopes that may wait for a peer (connecting or reconnecting) before they are dead letters. */
export const LINK_QUEUE_LIMIT = 262_144;
/** System messages that may wait unacked for a peer; beyond it the oldest are dropped, with an event. */
const SYSTEM_QUEUE_LIMIT = 65_536;
/** How often an open link sends a heartbeat on its system lane. */
export const HEARTBEAT_MS = 500;
/** Reconnection backoff: the first retry after this, doubling up to RETRY_MAX_MS, each ±20%. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 1000;
/** Unanswered asks a link remembers (the oldest are forgotten: they time out where they were asked). */
const PENDING_ASKS_LIMIT = 65_536;

/** What a link needs of its gateway. */
export interface LinkHost {
  readonly grpc: typeof Grpc;
  readonly Client: Grpc.ServiceClientConstructor;
  readonly channelOptions: Grpc.ChannelOptions;
  readonly credentials: Grpc.ChannelCredentials;
  /** Milliseconds a peer may be unreachable before it is declared lost. */
  readonly lostAfterMs: number;
  /** This node's Hello for a lane. */
  hello(lane: number): Hello;
  /** The link's handshake was answered by the node of `incarnation`. */
  opened(link: PeerLink, incarnation: number): void;
  /** The node of `incarnation` is lost for good (unreachable too long, or replaced by a restart). */
  nodeLost(incarnation: number, reason: string): void;
  /** Envelopes that will never be sent, with the reason. */
  undeliverable(envelopes: Envelope[], reason: string): void;
  /** Asks sent on the link and not answered when its connection broke (their questions). */
  lost(asks: Envelope[], reason: string): void;
  /** Whether actors of this node watch actors of the node of `incarnation` (the link keeps reconnecting). */
  watching(incarnation: number): boolean;
  /** A link may write again (its stream drained, or it reconnected): it flushes, and its senders may go on. */
  drained(link: PeerLink): void;
  event(reason: string, detail: string): void;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * This node's connection to the node at one address: two streams on one HTTP/2 connection, a
 * user lane (batches of envelopes, lookups) and a system lane (sequenced system messages, acked
 * and resent; heartbeats), so control traffic is never stuck behind user backlog.
 *
 * While the connection is down its messages wait in bounded queues and it reconnects with
 * backoff; on a Welcome from the same incarnation the unacked system messages are resent and
 * the user queue flushed; from a new incarnation, the earlier one is lost. A peer unreachable
 * for `lostAfterMs` (no connection, or no heartbeat echo) is declared lost: its queue becomes
 * dead letters and its watchers hear `terminated` (see Gateway.nodeLost).
 */
export class PeerLink implements LaneOwner {
  state: 'idle' | 'connecting' | 'open' | 'down' | 'closed' = 'idle';
  /** The peer's incarnation: from its Welcome, or the one expected (0: not known yet). */
  incarnation = 0;
  /** Why the connection last broke. */
  error: BactorError | null = null;
  private client: Grpc.Client | null = null;
  private user: LaneStream | null = null;
  private system: LaneStream | null = null;
  private readonly queue = new LinkQueue();
  private pendingSystem: SystemMessage[] = [];
  private unacked: SystemMessage[] = [];
  private nextSeq = 1;
  /** Lookups and spawns asked on the user lane, by id: settled by their reply frame. */
  private readonly lookups = new Map<number, { resolve(frame: Frame): void; reject(error: unknown): void }>();
  /** Asks of this node sent on the link, by the packed ref of their slot: the question. */
  private readonly asks = new Map<number, Envelope>();
  private nextLookup = 1;
  private waiters: Waiter[] = [];
  private downSince = 0;
  /** When the peer was last heard from (performance.now(); 0: never). */
  lastHeard = 0;
  private lastBeat = 0;
  private retryAt = 0;
  private retryDelay = 0;
  /** What went over the link (the peers block's counters, see peer-metrics.ts): frames written and read, user messages and their body bytes written, connections opened, incarnations lost. */
  readonly traffic = { framesOut: 0, framesIn: 0, messagesOut: 0, bytesOut: 0, opens: 0, lost: 0 };

  constructor(
    private readonly host: LinkHost,
    readonly address: string,
  ) {}

  /** Envelopes waiting to be written. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Body bytes waiting to be written. */
  get backlogBytes(): number {
    return this.queue.byteLength;
  }

  /** Opens the connection now (no-op while connecting or open). */
  connect(): void {
    if (this.state === 'connecting' || this.state === 'open' || this.state === 'closed') return;
    this.state = 'connecting';
    const client = new this.host.Client(this.address, this.host.credentials, this.host.channelOptions);
    this.client = client;
    this.user = new LaneStream(client, this.host.hello(Lane.USER), this, this.address);
    this.system = new LaneStream(client, this.host.hello(Lane.SYSTEM), this, this.address);
  }

  /** Resolves once open; rejects when this attempt fails (a refusal, an unreachable node). */
  whenOpen(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(this.error);
    this.connect();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Queues an envelope for the next `flush` (a dead letter if the queue is full). */
  enqueue(envelope: Envelope): void {
    if (this.state === 'closed') this.host.undeliverable([envelope], 'the system shut down');
    else if (this.queue.length >= LINK_QUEUE_LIMIT) this.host.undeliverable([envelope], 'remote-queue-full');
    else {
      this.queue.push(envelope);
      if (this.state !== 'open') this.reconnectSoon();
    }
  }

  /** Queues a system message (sequenced; resent until acked). */
  sendSystem(message: Omit<SystemMessage, 'seq'>): void {
    if (this.state === 'closed') return;
    if (this.pendingSystem.length + this.unacked.length >= SYSTEM_QUEUE_LIMIT) {
      const dropped = this.unacked.length > 0 ? this.unacked.shift() : this.pendingSystem.shift();
      this.host.event('remote-system-queue-full', `a system message to ${this.address} (seq ${dropped?.seq}) was dropped`);
    }
    this.pendingSystem.push({ seq: this.nextSeq++, ...message });
    if (this.state !== 'open') this.reconnectSoon();
  }

  /** Writes what is queued: system messages first, then user batches while the stream takes them. */
  flush(): void {
    if (this.state !== 'open') return;
    if (this.pendingSystem.length > 0) {
      const messages = this.pendingSystem;
      this.pendingSystem = [];
      for (const m of messages) this.unacked.push(m);
      this.traffic.framesOut++;
      this.system!.write({ system_batch: { messages } });
    }
    const user = this.user!;
    while (user.writable) {
      const envelopes = this.queue.nextBatch();
      if (envelopes === null) break;
      const traffic = this.traffic;
      traffic.framesOut++;
      traffic.messagesOut += envelopes.length;
      for (let i = 0; i < envelopes.length; i++) traffic.bytesOut += envelopes[i]!.body.byteLength;
      user.write({ batch: { envelopes } });
    }
  }

  /** An ask's question went on this link. */
  askSent(slot: number, question: Envelope): void {
    if (this.asks.size >= PENDING_ASKS_LIMIT) this.asks.delete(this.asks.keys().next().value!);
    this.asks.set(slot, question);
  }

  /** The reply to the ask of slot `packed` came back. */
  answered(packed: number): void {
    this.asks.delete(packed);
  }

  /** The ref of the actor named `name` on the peer (null: none). */
  async lookup(name: string): Promise<WireRef | null> {
    const reply = await this.call((id) => ({ lookup: { id, name } }));
    return reply.lookup_reply?.ref ?? null;
  }

  /** Asks the peer to spawn an actor of `kind`: its reply (a ref, or an error code and message). */
  async spawn(kind: string, name: string, args: Uint8Array): Promise<NonNullable<Frame['spawn_reply']>> {
    const reply = await this.call((id) => ({ spawn: { id, kind, name, args } }));
    return reply.spawn_reply!;
  }

  /** Where the node of `incarnation` listens, as the peer knows it ('' if it does not). */
  async whereIs(incarnation: number): Promise<string> {
    const reply = await this.call((id) => ({ where_is: { id, incarnation } }));
    return reply.where_is_reply?.address ?? '';
  }

  /** Writes a request frame on the user lane once open; resolves with the reply frame of the same id. */
  private async call(frame: (id: number) => Frame): Promise<Frame> {
    await this.whenOpen();
    const id = this.nextLookup++;
    return new Promise<Frame>((resolve, reject) => {
      this.lookups.set(id, { resolve, reject });
      this.traffic.framesOut++;
      this.user!.write(frame(id));
    });
  }

  /**
   * Every HEARTBEAT_MS/2 from the gateway: heartbeats, the lost-peer verdict, reconnection.
   */
  tick(now: number): void {
    if (this.state === 'open') {
      if (now - this.lastHeard > this.host.lostAfterMs) {
        const since = this.lastHeard;
        this.broken(
          this.system!,
          new BactorError(ErrorCode.REMOTE_UNREACHABLE, `node ${this.address}: no heartbeat for ${this.host.lostAfterMs} ms`),
          false,
        );
        this.downSince = since;
      } else if (now - this.lastBeat >= HEARTBEAT_MS) {
        this.lastBeat = now;
        this.traffic.framesOut++;
        this.system!.write({ heartbeat: { sent_at: now } });
      }
    }
    if (this.state === 'down' && this.incarnation !== 0 && now - this.downSince >= this.host.lostAfterMs) {
      this.declareLost(
        `node-lost: ${this.address} unreachable for ${this.host.lostAfterMs} ms (${this.error?.message ?? 'no connection'})`,
      );
      return;
    }
    if (this.state === 'down' && now >= this.retryAt && this.needsConnection()) this.retry(now);
  }

  /** Another incarnation of the node at this address made contact: the one this link knew is lost. */
  restartSeen(incarnation: number): void {
    if (this.incarnation === 0 || this.incarnation === incarnation) return;
    this.teardown();
    if (this.state === 'open' || this.state === 'connecting') this.state = 'down';
    this.declareLost('earlier-incarnation');
  }

  /** Drops what waits for `incarnation` (it is gone): its envelopes become dead letters. */
  forget(incarnation: number, reason: string): void {
    const dead = this.queue.takeWhere((e) => e.target_incarnation === incarnation);
    if (dead.length === 0) return;
    this.pendingSystem = this.pendingSystem.filter((m) => m.target_incarnation !== incarnation);
    this.unacked = this.unacked.filter((m) => m.target_incarnation !== incarnation);
    this.host.undeliverable(dead, reason);
  }

  close(): void {
    if (this.state === 'closed') return;
    this.error = new BactorError(ErrorCode.SYSTEM_STOPPED, `the connection to ${this.address} was closed`);
    this.teardown();
    this.state = 'closed';
    this.settleWaiters(this.error);
    for (const pending of this.lookups.values()) pending.reject(this.error);
    this.lookups.clear();
  }

  // ---- LaneOwner -----------------------------------------------------------------------------

  welcomed(_lane: LaneStream, welcome: Welcome): void {
    if (!this.user!.welcomed || !this.system!.welcomed) return;
    const previous = this.incarnation;
    this.incarnation = welcome.incarnation;
    this.state = 'open';
    this.traffic.opens++;
    this.lastHeard = performance.now();
    this.downSince = 0;
    this.retryDelay = 0;
    if (previous !== 0 && previous !== welcome.incarnation) {
      // The node restarted: what waited for its predecessor never reaches the new one.
      this.host.nodeLost(previous, 'earlier-incarnation');
      this.forget(previous, 'earlier-incarnation');
    } else if (this.unacked.length > 0) {
      // The same node after a broken connection: what it may not have received, again, in order.
      this.pendingSystem = this.unacked.concat(this.pendingSystem);
      this.unacked = [];
    }
    this.host.opened(this, welcome.incarnation);
    this.settleWaiters(null);
    this.host.drained(this);
  }

  frame(_lane: LaneStream, frame: Frame): void {
    this.lastHeard = performance.now();
    this.traffic.framesIn++;
    if (frame.ack) {
      const seq = frame.ack.seq;
      let n = 0;
      while (n < this.unacked.length && this.unacked[n]!.seq <= seq) n++;
      if (n > 0) this.unacked.splice(0, n);
    } else if (frame.lookup_reply || frame.spawn_reply || frame.where_is_reply) {
      const id = (frame.lookup_reply ?? frame.spawn_reply ?? frame.where_is_reply)!.id;
      const pending = this.lookups.get(id);
      if (pending === undefined) return;
      this.lookups.delete(id);
      pending.resolve(frame);
    }
  }

  broken(_lane: LaneStream, error: BactorError, refused: boolean): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.teardown();
    this.error = error;
    this.state = 'down';
    if (this.downSince === 0) this.downSince = performance.now();
    if (!wasOpen) this.retryAt = Math.max(this.retryAt, performance.now() + this.nextDelay());
    this.settleWaiters(error);
    for (const pending of this.lookups.values()) pending.reject(error);
    this.lookups.clear();
    // Asks whose question may have gone with the connection fail now, not at their timeout.
    if (this.asks.size > 0) {
      const asks = [...this.asks.values()];
      this.asks.clear();
      this.host.lost(asks, error.message);
    }
    if (refused || this.incarnation === 0) {
      // Refused (a wrong secret: retrying cannot help), or a node never reached: nothing waits.
      const queued = this.queue.takeAll();
      this.pendingSystem = [];
      this.unacked = [];
      if (queued.length > 0) this.host.undeliverable(queued, error.message);
    }
  }

  drained(): void {
    this.host.drained(this);
  }

  // ---- inside --------------------------------------------------------------------------------

  private needsConnection(): boolean {
    return !this.queue.empty || this.pendingSystem.length > 0 || this.unacked.length > 0 || this.host.watching(this.incarnation);
  }

  private reconnectSoon(): void {
    if (this.state === 'idle') this.connect();
    else if (this.state === 'down' && performance.now() >= this.retryAt) this.retry(performance.now());
  }

  private retry(now: number): void {
    this.retryAt = now + this.nextDelay();
    this.connect();
  }

  /** 100 ms, doubling to 1 s, ±20%. */
  private nextDelay(): number {
    this.retryDelay = this.retryDelay === 0 ? RETRY_FIRST_MS : Math.min(RETRY_MAX_MS, this.retryDelay * 2);
    return this.retryDelay * (0.8 + 0.4 * Math.random());
  }

  private declareLost(reason: string): void {
    const incarnation = this.incarnation;
    this.incarnation = 0;
    this.traffic.lost++;
    this.state = this.state === 'closed' ? 'closed' : 'idle';
    this.downSince = 0;
    this.retryDelay = 0;
    this.retryAt = 0;
    const queued = this.queue.takeAll();
    this.pendingSystem = [];
    this.unacked = [];
    // What waited for a connection to that node (a lookup) fails now, not never.
    const lost = new BactorError(ErrorCode.REMOTE_UNREACHABLE, `node ${this.address}: ${reason}`);
    this.settleWaiters(lost);
    for (const pending of this.lookups.values()) pending.reject(lost);
    this.lookups.clear();
    this.host.nodeLost(incarnation, reason);
    if (queued.length > 0) this.host.undeliverable(queued, reason);
  }

  private teardown(): void {
    // (A large message cut short goes again, whole, on the next connection.)
    this.queue.restartPieces();
    this.user?.close();
    this.system?.close();
    this.client?.close();
    this.user = this.system = this.client = null;
  }

  private settleWaiters(error: BactorError | null): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (error === null) w.resolve();
      else w.reject(error);
    }
  }
}
