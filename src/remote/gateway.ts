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
import { LocalRings } from './local-rings.js';
import { NodeCalls } from './node-calls.js';
import { NodeDirectory } from './node-directory.js';
import { NodeResolver } from './node-resolver.js';
import { RemoteWatches } from './remote-watches.js';
import { PeerMetrics } from './peer-metrics.js';
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

/** Default of `remote.lostAfterMs`. */
export const LOST_AFTER_MS = 3000;

/** What the gateway thread gets of `remote` (functions stay on the main thread: `authenticates` says one decides). */
export type GatewayOptions = Omit<RemoteOptions, 'authenticate' | 'spawnable'> & {
  authenticates?: boolean;
  /** The peers block it writes its figures per peer into (peers-layout.ts). */
  peers?: SharedArrayBuffer;
};

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
  /**
   * Each link's client its own connection, tried again at once: the link has its own reconnect
   * backoff (peer-link.ts), and grpc-js's shared subchannel, in its backoff after a node died,
   * would hold a new link's streams for seconds after the node came back.
   */
  readonly channelOptions: Grpc.ChannelOptions = {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.use_local_subchannel_pool': 1,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
  };
  readonly credentials: Grpc.ChannelCredentials;
  private readonly serverCredentials: Grpc.ServerCredentials;
  readonly incarnation = currentIncarnation();
  readonly secret: string;
  readonly authenticates: boolean;
  readonly lostAfterMs: number;
  running = true;
  /** The address it listens on (the port filled in once bound). */
  address = '';
  private readonly server: Grpc.Server;
  private readonly inbound: Inbound;
  /** The nodes it knows and its links to them. */
  private readonly nodes: NodeDirectory;
  /** Where nodes of refs from third nodes listen (asked of the nodes known). */
  private readonly resolver: NodeResolver;
  private readonly watches = new RemoteWatches();
  private readonly requests: ControlRequests;
  /** Lookups and spawns, asked of other nodes and answered for them. */
  private readonly calls: NodeCalls;
  /** Links a turn queued for (flushed once per turn). */
  private readonly dirty = new Set<PeerLink>();
  private readonly ticker: ReturnType<typeof setInterval>;
  /** Records for this node's threads, and the flow control toward other nodes. */
  private readonly rings: LocalRings;
  /** Its figures per peer, in the peers block the main thread reads (null: no block given). */
  private readonly peerMetrics: PeerMetrics | null;

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
    this.authenticates = options.authenticates === true;
    this.lostAfterMs = options.lostAfterMs ?? LOST_AFTER_MS;
    this.inbound = new Inbound(this);
    this.nodes = new NodeDirectory(this);
    this.resolver = new NodeResolver(this.nodes, () => this.flushLinks());
    this.rings = new LocalRings(endpoint);
    this.server = new wire.grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    this.server.addService(wire.Gateway.service, { Connect: (call: Grpc.ServerDuplexStream<Frame, Frame>) => this.inbound.accept(call) });
    const self = packRef(endpoint.self, 0);
    this.requests = new ControlRequests((peer, message) => void this.endpoint.send(peer, RecordType.CONTROL, message, 0, self));
    this.calls = new NodeCalls(this.endpoint, this.rings, this.nodes, this.requests, this.incarnation);
    this.peerMetrics = options.peers !== undefined ? new PeerMetrics(options.peers) : null;
    this.ticker = setInterval(() => this.tick(), HEARTBEAT_MS / 2);
  }

  /** Binds the server; resolves with the address it listens on. */
  listen(): Promise<string> {
    const { host, port } = parseAddress(this.options.listen)!;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, this.serverCredentials, (error, bound) => {
        if (error) {
          const inUse = /EADDRINUSE/.test(error.message);
          reject(
            new BactorError(
              inUse ? ErrorCode.ADDRESS_IN_USE : ErrorCode.INVALID_OPTION,
              inUse
                ? `remote.listen '${this.options.listen}': something already listens there (another process, or another system)`
                : `remote.listen '${this.options.listen}': ${error.message}`,
              { cause: error },
            ),
          );
          return;
        }
        this.address = `${host}:${bound}`;
        resolve(this.address);
      });
    });
  }

  /** One turn: take what the rings hold, write one batch per peer, publish into the rings. */
  turn(): number {
    this.rings.retry();
    // A stream stalled on a full ring counts as work: the loop polls (setImmediate) instead of parking.
    const stalled = this.inbound.ringFull;
    if (stalled) this.inbound.retryStalled();
    const n = this.endpoint.drain(this, DRAIN_LIMIT) + (stalled ? 1 : 0);
    this.flushLinks();
    return n;
  }

  /** Writes what the links queued (one batch each) and publishes into the rings. */
  private flushLinks(): void {
    for (const link of this.dirty) {
      link.flush();
      this.rings.checkFlow(link);
    }
    this.dirty.clear();
    this.endpoint.flush();
  }

  /** Closes the server and every stream (never by terminating the thread: see DESIGN.md). */
  close(): void {
    this.running = false;
    clearInterval(this.ticker);
    for (const link of this.nodes.links.values()) link.close();
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
      else if (control.op === 'remote-lookup')
        void this.calls.remoteLookup(participantOf(header1), control.req!, control.address, control.name);
      else if (control.op === 'remote-spawn') void this.calls.remoteSpawn(participantOf(header1), control);
      else if (control.op === 'exit') this.running = false;
    }
  }

  /** A user message of this node for another (packed where it was sent: the bytes go as they are). */
  private send(envelope: Envelope): void {
    const incarnation = envelope.target_incarnation;
    const lost = this.nodes.lostReason(incarnation);
    if (lost !== undefined) return this.undeliverable([envelope], lost);
    const link = this.nodes.linkFor(incarnation);
    if (link === undefined) {
      // A ref of a third node: find where it listens first (in order with what follows it).
      const held = this.resolver.hold(incarnation, (found) =>
        found ? this.send(envelope) : this.undeliverable([envelope], 'unknown-node'),
      );
      if (!held) this.undeliverable([envelope], 'unknown-node');
      return;
    }
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
    const link = this.nodes.linkFor(target.incarnation);
    if (link === undefined) {
      // A node not known yet (a ref of a third node): found first; lost or not found: a watch of it is answered at once.
      const lost = this.nodes.lostReason(target.incarnation) !== undefined;
      const orElse = (): void => (k === 'watch' ? this.terminatedHere(ref!, target) : undefined);
      if (lost || !this.resolver.hold(target.incarnation, (found) => (found ? this.sendSystem(target, k, ref) : orElse()))) orElse();
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
    this.rings.send(watcher.participant, RecordType.SYSTEM, watcher.id, op);
  }

  /** A message for another node that cannot go: a dead letter, and its ask (if it is one of this node's) fails now. */
  private failSend(target: ActorRef, sender: ActorRef | null, body: unknown, reason: string): void {
    if (sender !== null && sender.incarnation === this.incarnation && isAskSlot(sender.id)) {
      const op: RemoteSystemOp = { k: 'ask-failed', target: `${target}@node ${target.incarnation}`, reason };
      this.rings.send(sender.participant, RecordType.SYSTEM, sender.id, op);
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
    this.rings.publish(event);
  }

  // ---- LinkHost ----------------------------------------------------------------------------

  hello(lane: number): Hello {
    return {
      protocol_version: PROTOCOL_VERSION,
      address: this.address,
      incarnation: this.incarnation,
      lane,
      secret: this.secret,
      credentials: this.options.credentials ?? '',
      max_message_bytes: MAX_MESSAGE_BYTES,
    };
  }

  opened(link: PeerLink, incarnation: number): void {
    this.nodes.opened(link, incarnation);
  }

  nodeLost(incarnation: number, reason: string): void {
    if (!this.nodes.markLost(incarnation, reason)) return;
    for (const [watcher, target] of this.watches.take(incarnation)) this.terminatedHere(watcher, target);
    // Its senders go on: what they send now becomes dead letters at once.
    this.rings.release(incarnation);
    this.publish({ type: 'node-lost', address: this.nodes.addressOfNode(incarnation), incarnation, reason });
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
    this.rings.checkFlow(link);
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
    this.nodes.greeted(hello.address, hello.incarnation);
  }

  addressOfNode(incarnation: number): string {
    return incarnation === this.incarnation ? this.address : this.nodes.addressOfNode(incarnation);
  }

  replied(incarnation: number, slot: number): void {
    this.nodes.reaching(incarnation)?.answered(slot);
  }

  watchEnded(watcher: ActorRef, target: ActorRef): string {
    return this.watches.forget(watcher, target)?.kind ?? target.kind;
  }

  lookupName(name: string): Promise<WireRef | null> {
    return this.calls.lookupName(name);
  }

  authenticate(hello: Hello): Promise<string | null> {
    return this.calls.authenticate(hello);
  }

  spawnHere(kind: string, name: string, args: Uint8Array): Promise<NonNullable<Frame['spawn_reply']>> {
    return this.calls.spawnHere(kind, name, args);
  }

  // ---- links -------------------------------------------------------------------------------

  private tick(): void {
    const now = performance.now();
    this.rings.retry();
    for (const link of this.nodes.links.values()) {
      link.tick(now);
      this.rings.checkFlow(link);
    }
    this.endpoint.flush();
    this.peerMetrics?.publish(this.nodes.links, this.inbound.traffic);
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
