import type * as Grpc from '@grpc/grpc-js';
import { ActorRef, currentIncarnation, localIdOf, packRef, participantOf } from '../actor/actor-ref.js';
import { unpackRemote } from './remote-message.js';
import type { MessageSink } from '../codec/message-decoder.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { isAskSlot } from '../runtime/ask-slots.js';
import { ControlRequests } from '../runtime/control-requests.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import { type ControlMessage, RecordType, type RemoteSystemOp } from '../runtime/wire-messages.js';
import type { TransportEndpoint } from '../transport/transport.js';
import { describeMessageType } from '../util/message-type.js';
import { Inbound, type InboundHost, refOf } from './inbound.js';
import { HEARTBEAT_MS, type LinkHost, PeerLink } from './peer-link.js';
import { RemoteWatches } from './remote-watches.js';
import { type RemoteOptions, parseAddress } from './remote-options.js';
import {
  type Envelope,
  type Frame,
  type Hello,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  SystemKind,
  type Welcome,
  type WireRef,
  loadWire,
} from './wire.js';

/** Records from the rings the gateway takes per ring and loop turn. */
const DRAIN_LIMIT = 4096;

/**
 * Envelopes waiting for one peer (unwritten: its stream is full, or it is reconnecting) past
 * which the threads of this node hold their senders to it (see Outbound.sendRemote), and below
 * which they let them go again.
 */
export const FLOW_HIGH = 8192;
const FLOW_LOW = 2048;

/** Default of `remote.lostAfterMs`. */
export const LOST_AFTER_MS = 3000;

export type GatewayOptions = RemoteOptions;

const SYSTEM_KINDS: Record<string, number> = {
  watch: SystemKind.WATCH,
  unwatch: SystemKind.UNWATCH,
  terminated: SystemKind.TERMINATED,
  stop: SystemKind.STOP,
};

/**
 * The gateway thread's work: a participant of the ring mesh that carries messages between this
 * node and the others over gRPC. From the rings it takes REMOTE_OUT records (a user message for
 * an actor of another node, named by its ref's incarnation) and REMOTE_SYSTEM records (watch,
 * unwatch, terminated, stop) and hands them to the link of that node (peer-link.ts), which
 * writes one batch per loop turn; what other nodes send comes in through `Inbound`.
 */
export class Gateway implements MessageSink, LinkHost, InboundHost {
  readonly grpc: typeof Grpc;
  readonly Client: Grpc.ServiceClientConstructor;
  readonly channelOptions: Grpc.ChannelOptions = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };
  readonly credentials: Grpc.ChannelCredentials;
  private readonly serverCredentials: Grpc.ServerCredentials;
  readonly incarnation = currentIncarnation();
  readonly secret: string;
  readonly lostAfterMs: number;
  running = true;
  /** The address it listens on (the port filled in once bound). */
  address = '';
  private readonly server: Grpc.Server;
  private readonly inbound: Inbound;
  /** Links by address, and by the incarnation of the node they reach. */
  private readonly links = new Map<string, PeerLink>();
  private readonly byIncarnation = new Map<number, PeerLink>();
  /** Where nodes listen, by incarnation (from their Hellos and Welcomes). */
  private readonly addressOf = new Map<number, string>();
  /** Incarnations lost for good, with why: messages for them fail at once. */
  private readonly gone = new Map<number, string>();
  private readonly watches = new RemoteWatches();
  private readonly requests: ControlRequests;
  /** Links a turn queued for (flushed once per turn). */
  private readonly dirty = new Set<PeerLink>();
  private readonly ticker: ReturnType<typeof setInterval>;
  /** Records for this node's threads that found their ring full: sent first on the next turn, in order. */
  private backlog: [peer: number, type: number, id: number, body: unknown][] = [];
  /** Incarnations whose senders this node holds back (their link's backlog passed FLOW_HIGH). */
  private readonly congested = new Set<number>();

  constructor(
    readonly endpoint: TransportEndpoint,
    private readonly options: GatewayOptions,
  ) {
    const wire = loadWire();
    // grpc-js would print its own errors on the user's stderr: they reach the user as error codes and events instead.
    wire.grpc.setLogVerbosity(wire.grpc.logVerbosity.NONE);
    this.grpc = wire.grpc;
    this.Client = wire.Gateway;
    const tls = options.tls;
    this.credentials =
      tls === undefined
        ? wire.grpc.credentials.createInsecure()
        : wire.grpc.credentials.createSsl(
            pem(tls.ca),
            tls.mutual === false ? null : pem(tls.key),
            tls.mutual === false ? null : pem(tls.cert),
          );
    if (tls?.serverName !== undefined) this.channelOptions['grpc.ssl_target_name_override'] = tls.serverName;
    this.serverCredentials =
      tls === undefined
        ? wire.grpc.ServerCredentials.createInsecure()
        : wire.grpc.ServerCredentials.createSsl(
            pem(tls.ca),
            [{ cert_chain: pem(tls.cert), private_key: pem(tls.key) }],
            tls.mutual !== false,
          );
    this.secret = options.secret ?? '';
    this.lostAfterMs = options.lostAfterMs ?? LOST_AFTER_MS;
    this.inbound = new Inbound(this);
    this.server = new wire.grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    this.server.addService(wire.Gateway.service, { Connect: (call: Grpc.ServerDuplexStream<Frame, Frame>) => this.inbound.accept(call) });
    const self = packRef(endpoint.self, 0);
    this.requests = new ControlRequests((peer, message) => void this.endpoint.send(peer, RecordType.CONTROL, message, 0, self));
    this.ticker = setInterval(() => this.tick(), HEARTBEAT_MS / 2);
  }

  /** Binds the server; resolves with the address it listens on. */
  listen(): Promise<string> {
    const { host, port } = parseAddress(this.options.listen)!;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, this.serverCredentials, (error, bound) => {
        if (error) {
          reject(new BactorError(ErrorCode.INVALID_OPTION, `remote.listen '${this.options.listen}': ${error.message}`, { cause: error }));
          return;
        }
        this.address = `${host}:${bound}`;
        resolve(this.address);
      });
    });
  }

  /** One turn: take what the rings hold, write one batch per peer, publish into the rings. */
  turn(): number {
    if (this.backlog.length > 0) this.retryBacklog();
    // A stream stalled on a full ring counts as work: the loop polls (setImmediate) instead of parking.
    const stalled = this.inbound.ringFull;
    if (stalled) this.inbound.retryStalled();
    const n = this.endpoint.drain(this, DRAIN_LIMIT) + (stalled ? 1 : 0);
    for (const link of this.dirty) {
      link.flush();
      this.checkFlow(link);
    }
    this.dirty.clear();
    this.endpoint.flush();
    return n;
  }

  /** A record for a thread of this node; if its ring is full it waits (in order) for the next turn. */
  private toRing(peer: number, type: number, id: number, body: unknown): void {
    if (this.backlog.length > 0 || !this.endpoint.send(peer, type, body, id, packRef(this.endpoint.self, 0)))
      this.backlog.push([peer, type, id, body]);
  }

  private retryBacklog(): void {
    let n = 0;
    const self = packRef(this.endpoint.self, 0);
    while (n < this.backlog.length) {
      const [peer, type, id, body] = this.backlog[n]!;
      if (!this.endpoint.send(peer, type, body, id, self)) break;
      n++;
    }
    this.backlog.splice(0, n);
  }

  /** Holds or lets go this node's senders to the link's peer, by its backlog (FLOW_HIGH, FLOW_LOW). */
  private checkFlow(link: PeerLink): void {
    const incarnation = link.incarnation;
    if (incarnation === 0) return;
    if (link.backlog >= FLOW_HIGH && !this.congested.has(incarnation)) {
      this.congested.add(incarnation);
      this.announceFlow(incarnation, 'congested', FLOW_HIGH);
    } else if (link.backlog <= FLOW_LOW && this.congested.has(incarnation)) this.releaseFlow(incarnation);
  }

  private releaseFlow(incarnation: number): void {
    if (!this.congested.delete(incarnation)) return;
    this.announceFlow(incarnation, 'release', 0);
  }

  private announceFlow(incarnation: number, signal: 'congested' | 'release', amount: number): void {
    const message: ControlMessage = { op: 'flow', target: -incarnation, signal, amount };
    for (let peer = 0; peer < this.endpoint.participants; peer++)
      if (peer !== this.endpoint.self) this.toRing(peer, RecordType.CONTROL, 0, message);
    this.endpoint.flush();
  }

  /** Closes the server and every stream (never by terminating the thread: see DESIGN.md). */
  close(): void {
    this.running = false;
    clearInterval(this.ticker);
    for (const link of this.links.values()) link.close();
    this.server.forceShutdown();
    this.requests.fail(new BactorError(ErrorCode.SYSTEM_STOPPED, 'the actor system shut down'));
  }

  // ---- from the rings ----------------------------------------------------------------------

  onMessage(type: number, header0: number, header1: number, message: unknown): void {
    if (type === RecordType.REMOTE_OUT) {
      const [incarnation, senderIncarnation, senderKind, body] = message as [number, number, string, Uint8Array];
      this.send({
        target: header0,
        target_incarnation: incarnation,
        sender: senderIncarnation === 0 ? null : { incarnation: senderIncarnation, id: header1, kind: senderKind },
        body,
      });
    } else if (type === RecordType.REMOTE_SYSTEM) {
      const [target, k, ref] = message as [ActorRef, string, ActorRef | null];
      this.sendSystem(target, k, ref);
    } else if (type === RecordType.CONTROL) {
      const control = message as ControlMessage & { req?: number; reply?: number };
      if (control.op === 'flow') this.inbound.onFlow(control.target, control.signal, control.amount);
      else if (control.reply !== undefined) this.requests.settle(control.reply, control);
      else if (control.op === 'remote-lookup') void this.remoteLookup(participantOf(header1), control.req!, control.address, control.name);
      else if (control.op === 'remote-spawn') void this.remoteSpawn(participantOf(header1), control);
      else if (control.op === 'exit') this.running = false;
    }
  }

  /** A user message of this node for another (packed where it was sent: the bytes go as they are). */
  private send(envelope: Envelope): void {
    const incarnation = envelope.target_incarnation;
    const lost = this.gone.get(incarnation);
    if (lost !== undefined) return this.undeliverable([envelope], lost);
    const link = this.linkFor(incarnation);
    if (link === undefined) return this.undeliverable([envelope], 'unknown-node');
    if (link.state === 'open' && link.incarnation !== incarnation) {
      // The address answers as a newer incarnation: the node meant restarted.
      this.nodeLost(incarnation, 'earlier-incarnation');
      return this.undeliverable([envelope], 'earlier-incarnation');
    }
    link.enqueue(envelope);
    this.dirty.add(link);
    // An ask of this node: if the connection breaks before the reply, the ask fails then (its
    // question may have been written to a connection that is gone).
    const sender = envelope.sender;
    if (sender != null && sender.incarnation === this.incarnation && isAskSlot(localIdOf(sender.id))) link.askSent(sender.id, envelope);
  }

  /** A system message for an actor of another node; watches are remembered (see RemoteWatches). */
  private sendSystem(target: ActorRef, k: string, ref: ActorRef | null): void {
    if (k === 'watch') this.watches.watch(ref!, target);
    else if (k === 'unwatch') this.watches.forget(ref!, target);
    const link = this.gone.has(target.incarnation) ? undefined : this.linkFor(target.incarnation);
    if (link === undefined) {
      // A node that is lost or unknown: a watch of it is answered at once.
      if (k === 'watch') this.terminatedHere(ref!, target);
      return;
    }
    link.sendSystem({
      target: target.packed,
      target_incarnation: target.incarnation,
      kind: SYSTEM_KINDS[k]!,
      ref: ref === null ? null : wireRef(ref),
    });
    this.dirty.add(link);
  }

  /** Tells `watcher`, an actor of this node, that `target` of another node is gone. */
  private terminatedHere(watcher: ActorRef, target: ActorRef): void {
    this.watches.forget(watcher, target);
    const op: RemoteSystemOp = { k: 'terminated', ref: target.packed, kind: target.kind, inc: target.incarnation };
    this.toRing(watcher.participant, RecordType.SYSTEM, watcher.id, op);
  }

  /** A message for another node that cannot go: a dead letter, and its ask (if it is one of this node's) fails now. */
  private failSend(target: ActorRef, sender: ActorRef | null, body: unknown, reason: string): void {
    if (sender !== null && sender.incarnation === this.incarnation && isAskSlot(sender.id)) {
      const op: RemoteSystemOp = { k: 'ask-failed', target: `${target}@node ${target.incarnation}`, reason };
      this.toRing(sender.participant, RecordType.SYSTEM, sender.id, op);
    }
    this.publish({
      type: 'dead-letter',
      target: `${target}@node ${target.incarnation}`,
      reason,
      messageType: describeMessageType(body),
      sender: sender === null ? null : String(sender),
    });
  }

  publish(event: RuntimeEvent): void {
    this.toRing(0, RecordType.CONTROL, 0, { op: 'event', event } satisfies ControlMessage);
  }

  // ---- LinkHost ----------------------------------------------------------------------------

  hello(lane: number): Hello {
    return {
      protocol_version: PROTOCOL_VERSION,
      address: this.address,
      incarnation: this.incarnation,
      lane,
      secret: this.secret,
      max_message_bytes: MAX_MESSAGE_BYTES,
    };
  }

  opened(link: PeerLink, incarnation: number): void {
    this.byIncarnation.set(incarnation, link);
    this.addressOf.set(incarnation, link.address);
  }

  nodeLost(incarnation: number, reason: string): void {
    if (incarnation === 0 || this.gone.has(incarnation)) return;
    this.gone.set(incarnation, reason);
    const link = this.byIncarnation.get(incarnation);
    this.byIncarnation.delete(incarnation);
    link?.forget(incarnation, reason);
    for (const [watcher, target] of this.watches.take(incarnation)) this.terminatedHere(watcher, target);
    // Its senders go on: what they send now becomes dead letters at once.
    this.releaseFlow(incarnation);
    this.publish({ type: 'node-lost', address: this.addressOf.get(incarnation) ?? '', incarnation, reason });
    this.endpoint.flush();
  }

  /** LinkHost: envelopes a link could not send. */
  undeliverable(envelopes: Envelope[], reason: string): void {
    for (const e of envelopes) this.failSend(targetOf(e), e.sender ? refOf(e.sender) : null, safeUnpack(e.body), reason);
    this.endpoint.flush();
  }

  lost(asks: Envelope[], reason: string): void {
    for (const e of asks) this.failSend(targetOf(e), refOf(e.sender!), undefined, reason);
    this.endpoint.flush();
  }

  watching(incarnation: number): boolean {
    return this.watches.has(incarnation);
  }

  drained(link: PeerLink): void {
    link.flush();
    this.checkFlow(link);
  }

  event(what: string, detail: string): void {
    this.publish({ type: 'remote-error', what, detail });
  }

  // ---- InboundHost -------------------------------------------------------------------------

  welcome(): Welcome {
    return {
      protocol_version: PROTOCOL_VERSION,
      address: this.address,
      incarnation: this.incarnation,
      max_message_bytes: MAX_MESSAGE_BYTES,
    };
  }

  greeted(hello: Hello): void {
    if (hello.address === '') return;
    this.addressOf.set(hello.incarnation, hello.address);
    // A new incarnation at an address a link knows as another: that one restarted.
    this.links.get(hello.address)?.restartSeen(hello.incarnation);
  }

  replied(incarnation: number, slot: number): void {
    this.byIncarnation.get(incarnation)?.answered(slot);
  }

  watchEnded(watcher: ActorRef, target: ActorRef): string {
    return this.watches.forget(watcher, target)?.kind ?? target.kind;
  }

  async lookupName(name: string): Promise<WireRef | null> {
    const reply = await this.requests.request(0, { op: 'lookup', name });
    this.endpoint.flush();
    return reply.op === 'lookup-reply' && reply.ref !== null
      ? { incarnation: this.incarnation, id: reply.ref[0], kind: reply.ref[1] }
      : null;
  }

  async spawnHere(kind: string, name: string, args: Uint8Array): Promise<NonNullable<Frame['spawn_reply']>> {
    const bytes = new Uint8Array(args.buffer, args.byteOffset, args.byteLength);
    const reply = await this.requests.request(0, { op: 'spawn-for-node', kind, name, args: bytes });
    this.endpoint.flush();
    if (reply.op !== 'remote-spawn-reply' || reply.ref === null)
      return {
        id: 0,
        ref: null,
        code: reply.op === 'remote-spawn-reply' ? (reply.error?.code ?? '') : '',
        message: reply.op === 'remote-spawn-reply' ? (reply.error?.message ?? '') : '',
      };
    const [thread, id, refKind] = reply.ref;
    return { id: 0, ref: { incarnation: this.incarnation, id: packRef(thread, id), kind: refKind }, code: '', message: '' };
  }

  // ---- links -------------------------------------------------------------------------------

  /** The link to the node of `incarnation` (undefined: where it listens is not known). */
  private linkFor(incarnation: number): PeerLink | undefined {
    const link = this.byIncarnation.get(incarnation);
    if (link !== undefined) return link;
    const address = this.addressOf.get(incarnation);
    if (address === undefined) return undefined;
    const fresh = this.linkTo(address);
    if (fresh.incarnation === 0) fresh.incarnation = incarnation;
    this.byIncarnation.set(incarnation, fresh);
    return fresh;
  }

  private linkTo(address: string): PeerLink {
    let link = this.links.get(address);
    if (link === undefined) {
      link = new PeerLink(this, address);
      this.links.set(address, link);
    }
    return link;
  }

  private tick(): void {
    const now = performance.now();
    if (this.backlog.length > 0) this.retryBacklog();
    for (const link of this.links.values()) {
      link.tick(now);
      this.checkFlow(link);
    }
    this.endpoint.flush();
  }

  private async remoteSpawn(from: number, control: Extract<ControlMessage, { op: 'remote-spawn' }>): Promise<void> {
    let reply: ControlMessage;
    try {
      const r = await this.linkTo(control.address).spawn(control.kind, control.name, control.args);
      reply =
        r.ref != null
          ? {
              op: 'remote-spawn-reply',
              reply: control.req!,
              ref: [participantOf(r.ref.id), localIdOf(r.ref.id), r.ref.kind, r.ref.incarnation],
            }
          : {
              op: 'remote-spawn-reply',
              reply: control.req!,
              ref: null,
              error: { code: r.code || ErrorCode.REMOTE_UNREACHABLE, message: r.message },
            };
    } catch (error) {
      const e = error as BactorError;
      reply = {
        op: 'remote-spawn-reply',
        reply: control.req!,
        ref: null,
        error: { code: e.code ?? ErrorCode.REMOTE_UNREACHABLE, message: e.message },
      };
    }
    this.toRing(from, RecordType.CONTROL, 0, reply);
    this.endpoint.flush();
  }

  private async remoteLookup(from: number, req: number, address: string, name: string): Promise<void> {
    let reply: ControlMessage;
    try {
      const ref = await this.linkTo(address).lookup(name);
      reply = {
        op: 'remote-lookup-reply',
        reply: req,
        ref: ref === null ? null : [participantOf(ref.id), localIdOf(ref.id), ref.kind, ref.incarnation],
      };
    } catch (error) {
      const e = error as BactorError;
      reply = {
        op: 'remote-lookup-reply',
        reply: req,
        ref: null,
        error: { code: e.code ?? ErrorCode.REMOTE_UNREACHABLE, message: e.message },
      };
    }
    this.endpoint.send(from, RecordType.CONTROL, reply, 0, packRef(this.endpoint.self, 0));
    this.endpoint.flush();
  }
}

function wireRef(ref: ActorRef): WireRef {
  return { incarnation: ref.incarnation, id: ref.packed, kind: ref.kind };
}

function pem(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function targetOf(e: Envelope): ActorRef {
  return new ActorRef(participantOf(e.target), localIdOf(e.target), '', e.target_incarnation);
}

function safeUnpack(bytes: Uint8Array): unknown {
  try {
    return unpackRemote(bytes);
  } catch {
    return undefined;
  }
}
