import type * as Grpc from '@grpc/grpc-js';
import { ActorRef, currentIncarnation, localIdOf, packRef, participantOf } from '../actor/actor-ref.js';
import { packDetached, unpackDetached } from '../codec/detached-value.js';
import type { MessageSink } from '../codec/message-decoder.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { ControlRequests } from '../runtime/control-requests.js';
import { isAskSlot } from '../runtime/ask-slots.js';
import { type ControlMessage, RecordType, type RemoteSystemOp } from '../runtime/wire-messages.js';
import type { TransportEndpoint } from '../transport/transport.js';
import { describeMessageType } from '../util/message-type.js';
import { type LinkHost, PeerLink } from './peer-link.js';
import { parseAddress } from './remote-options.js';
import { type Envelope, type Frame, PROTOCOL_VERSION, type WireRef, loadWire } from './wire.js';

/** The largest message body a node accepts (gRPC's own default limit is 4 MiB per frame). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024 - 64 * 1024;

/** Records from the rings the gateway takes per ring and loop turn. */
const DRAIN_LIMIT = 4096;

export interface GatewayOptions {
  listen: string;
  secret?: string;
}

/** An inbound stream's records that found their ring full: they wait, in order, and the stream is paused. */
interface Stalled {
  call: Grpc.ServerDuplexStream<Frame, Frame>;
  records: [number, number, unknown][];
}

/**
 * The gateway thread's work: a participant of the ring mesh that carries messages between this
 * node and the others over gRPC. From the rings it takes REMOTE_OUT records (a message for an
 * actor of another node, named by its ref's incarnation) and writes them as one batch per peer
 * and loop turn; from the streams other nodes opened it takes batches and writes each message
 * into the ring of the target's thread (REMOTE_IN), pausing the stream while that ring is full.
 */
export class Gateway implements MessageSink, LinkHost {
  readonly grpc: typeof Grpc;
  readonly Client: Grpc.ServiceClientConstructor;
  running = true;
  /** The address it listens on (the port filled in once bound). */
  address = '';
  private readonly server: Grpc.Server;
  private readonly incarnation = currentIncarnation();
  /** Outgoing links by address, and by the incarnation their Welcome named. */
  private readonly links = new Map<string, PeerLink>();
  private readonly byIncarnation = new Map<number, PeerLink>();
  /** Where nodes that connected here listen, by incarnation: replies go there. */
  private readonly addressOf = new Map<number, string>();
  private readonly requests: ControlRequests;
  private readonly inbound = new Set<Grpc.ServerDuplexStream<Frame, Frame>>();
  private stalled: Stalled[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Envelopes a turn queued, per link (flushed once per turn). */
  private readonly dirty = new Set<PeerLink>();
  /** Incarnations of nodes that restarted since: messages for them fail at once. */
  private readonly gone = new Set<number>();
  /** Reconnection backoff per address: when the next attempt may start, and the delay after it. */
  private readonly backoff = new Map<string, { at: number; delayMs: number }>();

  constructor(
    private readonly endpoint: TransportEndpoint,
    private readonly options: GatewayOptions,
  ) {
    const wire = loadWire();
    // grpc-js would print its own errors on the user's stderr: they reach the user as error codes and events instead.
    wire.grpc.setLogVerbosity(wire.grpc.logVerbosity.NONE);
    this.grpc = wire.grpc;
    this.Client = wire.Gateway;
    this.server = new wire.grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    this.server.addService(wire.Gateway.service, { Connect: (call: Grpc.ServerDuplexStream<Frame, Frame>) => this.accept(call) });
    const self = packRef(endpoint.self, 0);
    this.requests = new ControlRequests((peer, message) => void this.endpoint.send(peer, RecordType.CONTROL, message, 0, self));
  }

  /** Binds the server; resolves with the address it listens on. */
  listen(): Promise<string> {
    const { host, port } = parseAddress(this.options.listen)!;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, this.grpc.ServerCredentials.createInsecure(), (error, bound) => {
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
    const n = this.endpoint.drain(this, DRAIN_LIMIT);
    for (const link of this.dirty) link.flush();
    this.dirty.clear();
    this.endpoint.flush();
    return n;
  }

  /** Closes the server and every stream (never by terminating the thread: see DESIGN.md). */
  close(): void {
    this.running = false;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    for (const link of this.links.values()) link.close();
    this.server.forceShutdown();
    this.requests.fail(new BactorError(ErrorCode.SYSTEM_STOPPED, 'the actor system shut down'));
  }

  // ---- from the rings ----------------------------------------------------------------------

  onMessage(type: number, _h0: number, header1: number, message: unknown): void {
    if (type === RecordType.REMOTE_OUT) {
      const [target, sender, body] = message as [ActorRef, ActorRef | null, unknown];
      this.send(target, sender, body);
    } else if (type === RecordType.CONTROL) {
      const control = message as ControlMessage & { req?: number; reply?: number };
      if (control.reply !== undefined) this.requests.settle(control.reply, control);
      else if (control.op === 'remote-lookup') void this.remoteLookup(participantOf(header1), control.req!, control.address, control.name);
      else if (control.op === 'exit') this.running = false;
    }
  }

  private send(target: ActorRef, sender: ActorRef | null, body: unknown): void {
    if (this.gone.has(target.incarnation)) {
      this.failSend(target, sender, body, 'earlier-incarnation');
      return;
    }
    let link = this.byIncarnation.get(target.incarnation);
    if (link === undefined) {
      const address = this.addressOf.get(target.incarnation);
      if (address !== undefined) link = this.linkTo(address, target.incarnation);
    } else if ((link.state === 'failed' || link.state === 'closed') && this.mayReconnect(link.address)) {
      link = this.linkTo(link.address, target.incarnation);
      this.byIncarnation.set(target.incarnation, link);
    }
    if (link === undefined || link.state === 'failed' || link.state === 'closed') {
      this.failSend(target, sender, body, link?.error?.message ?? 'unknown-node');
      return;
    }
    if (link.state === 'open' && link.incarnation !== target.incarnation) {
      // The address answers as a newer incarnation: the node meant restarted.
      this.replaced(target.incarnation);
      this.failSend(target, sender, body, 'earlier-incarnation');
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = packDetached(body);
    } catch (error) {
      this.failSend(target, sender, body, `unserializable: ${(error as Error).message}`);
      return;
    }
    if (bytes.length > MAX_MESSAGE_BYTES) {
      this.failSend(target, sender, body, `${ErrorCode.MESSAGE_TOO_LARGE}: ${bytes.length} bytes, more than ${MAX_MESSAGE_BYTES}`);
      return;
    }
    link.enqueue({
      target: target.packed,
      target_incarnation: target.incarnation,
      sender: sender === null ? null : wireRef(sender),
      body: bytes,
    });
    this.dirty.add(link);
    // An ask of this node: if the link dies before the reply, the ask fails then (its question
    // may have been written to a connection that is gone).
    if (sender !== null && sender.incarnation === this.incarnation && isAskSlot(sender.id)) link.askSent(sender, target);
  }

  /** A message for another node that cannot go: a dead letter, and its ask (if it is one of this node's) fails now. */
  private failSend(target: ActorRef, sender: ActorRef | null, body: unknown, reason: string): void {
    if (sender !== null && sender.incarnation === this.incarnation && isAskSlot(sender.id)) {
      const op: RemoteSystemOp = { k: 'ask-failed', target: `${target}@node ${target.incarnation}`, reason };
      this.endpoint.send(sender.participant, RecordType.SYSTEM, op, sender.id, 0);
    }
    this.event({
      type: 'dead-letter',
      target: `${target}@node ${target.incarnation}`,
      reason,
      messageType: describeMessageType(body),
      sender: sender === null ? null : String(sender),
    });
  }

  /** LinkHost: envelopes a failed link could not send. */
  undeliverable(envelopes: Envelope[], reason: string): void {
    for (const e of envelopes) {
      const sender = e.sender ? refOf(e.sender) : null;
      const target = new ActorRef(participantOf(e.target), localIdOf(e.target), '', e.target_incarnation);
      this.failSend(target, sender, safeUnpack(e.body), reason);
    }
  }

  private event(event: Extract<ControlMessage, { op: 'event' }>['event']): void {
    this.endpoint.send(0, RecordType.CONTROL, { op: 'event', event } satisfies ControlMessage, 0, packRef(this.endpoint.self, 0));
  }

  // ---- links to other nodes ----------------------------------------------------------------

  hello(): Frame['hello'] {
    return {
      protocol_version: PROTOCOL_VERSION,
      address: this.address,
      incarnation: this.incarnation,
      lane: 0,
      secret: this.options.secret ?? '',
      max_message_bytes: MAX_MESSAGE_BYTES,
    };
  }

  opened(link: PeerLink, incarnation: number): void {
    // Another incarnation known at this address is a node that restarted: it is gone.
    for (const [earlier, other] of this.byIncarnation)
      if (earlier !== incarnation && other.address === link.address) this.replaced(earlier);
    this.byIncarnation.set(incarnation, link);
    this.backoff.delete(link.address);
  }

  replaced(earlier: number): void {
    this.gone.add(earlier);
    this.byIncarnation.delete(earlier);
  }

  /**
   * Whether a failed link to `address` may be tried again now: after 100 ms, then doubling up
   * to 5 s, each with ±20% jitter; until then its messages are dead letters with the failure.
   */
  private mayReconnect(address: string): boolean {
    const now = performance.now();
    const b = this.backoff.get(address);
    if (b !== undefined && now < b.at) return false;
    const delayMs = b === undefined ? 100 : Math.min(5000, b.delayMs * 2);
    this.backoff.set(address, { at: now + delayMs * (0.8 + 0.4 * Math.random()), delayMs });
    return true;
  }

  lost(asks: [ActorRef, ActorRef][], reason: string): void {
    for (const [asker, target] of asks) this.failSend(target, asker, undefined, reason);
    this.endpoint.flush();
  }

  private linkTo(address: string, expected = 0): PeerLink {
    let link = this.links.get(address);
    if (link === undefined || link.state === 'failed' || link.state === 'closed') {
      link = new PeerLink(this, address, expected);
      this.links.set(address, link);
    }
    return link;
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

  // ---- streams other nodes opened ------------------------------------------------------------

  private accept(call: Grpc.ServerDuplexStream<Frame, Frame>): void {
    let welcomed = false;
    this.inbound.add(call);
    call.on('error', () => this.inbound.delete(call));
    call.on('end', () => {
      this.inbound.delete(call);
      call.end();
    });
    call.on('data', (frame: Frame) => {
      if (!welcomed) {
        const refusal = this.check(frame);
        if (refusal !== null) {
          call.write({ refusal });
          call.end();
          return;
        }
        welcomed = true;
        const hello = frame.hello!;
        if (hello.address !== '') this.addressOf.set(hello.incarnation, hello.address);
        call.write({
          welcome: {
            protocol_version: PROTOCOL_VERSION,
            address: this.address,
            incarnation: this.incarnation,
            max_message_bytes: MAX_MESSAGE_BYTES,
          },
        });
        return;
      }
      if (frame.batch) this.deliver(call, frame.batch.envelopes);
      else if (frame.lookup) void this.answerLookup(call, frame.lookup.id, frame.lookup.name);
    });
  }

  /** The handshake's verdict: null to welcome the node, or the refusal. */
  private check(frame: Frame): { code: string; reason: string } | null {
    const hello = frame.hello;
    if (hello === undefined || hello === null) return { code: ErrorCode.REMOTE_REFUSED, reason: 'the first frame must be a Hello' };
    if (hello.protocol_version !== PROTOCOL_VERSION)
      return { code: ErrorCode.REMOTE_REFUSED, reason: `protocol version ${hello.protocol_version}; this node speaks ${PROTOCOL_VERSION}` };
    if ((this.options.secret ?? '') !== hello.secret) return { code: ErrorCode.REMOTE_REFUSED, reason: 'wrong secret' };
    return null;
  }

  private async answerLookup(call: Grpc.ServerDuplexStream<Frame, Frame>, id: number, name: string): Promise<void> {
    let ref: WireRef | null = null;
    try {
      const reply = await this.requests.request(0, { op: 'lookup', name });
      this.endpoint.flush();
      if (reply.op === 'lookup-reply' && reply.ref !== null) ref = { incarnation: this.incarnation, id: reply.ref[0], kind: reply.ref[1] };
    } catch {
      ref = null;
    }
    call.write({ lookup_reply: { id, ref } });
  }

  /** A batch from another node: each message into the ring of its target's thread, in order. */
  private deliver(call: Grpc.ServerDuplexStream<Frame, Frame>, envelopes: Envelope[]): void {
    const records: [number, number, unknown][] = [];
    for (const e of envelopes) {
      const participant = participantOf(e.target);
      const sender = e.sender ? refOf(e.sender) : null;
      if (e.target_incarnation !== 0 && e.target_incarnation !== this.incarnation) {
        // Meant for this address's earlier incarnation: it never reaches the new one.
        this.event({
          type: 'dead-letter',
          target: `#${localIdOf(e.target)}@${participant}`,
          reason: 'earlier-incarnation',
          messageType: 'remote',
          sender: String(sender),
        });
        continue;
      }
      let body: unknown;
      try {
        body = unpackDetached(e.body);
      } catch (error) {
        this.event({
          type: 'dead-letter',
          target: `#${e.target}`,
          reason: `malformed: ${(error as Error).message}`,
          messageType: 'bytes',
          sender: String(sender),
        });
        continue;
      }
      if (participant === this.endpoint.self || participant >= this.endpoint.participants) {
        this.event({
          type: 'dead-letter',
          target: `#${localIdOf(e.target)}@${participant}`,
          reason: 'unknown',
          messageType: describeMessageType(body),
          sender: String(sender),
        });
        continue;
      }
      records.push([participant, localIdOf(e.target), [sender, body]]);
      if (isAskSlot(localIdOf(e.target)) && sender !== null) this.byIncarnation.get(sender.incarnation)?.answered(e.target);
    }
    const stalled = this.stalled.find((s) => s.call === call);
    if (stalled !== undefined) stalled.records.push(...records);
    else this.write(call, records);
    this.endpoint.flush();
  }

  /** Writes records into the rings; what finds its ring full waits (in order) and pauses the stream. */
  private write(call: Grpc.ServerDuplexStream<Frame, Frame>, records: [number, number, unknown][]): boolean {
    for (let i = 0; i < records.length; i++) {
      const [participant, id, body] = records[i]!;
      if (!this.endpoint.send(participant, RecordType.REMOTE_IN, body, id, 0)) {
        // HTTP/2 flow control carries the wait back to the sending node: nothing read is dropped.
        call.pause();
        this.stalled.push({ call, records: records.slice(i) });
        this.retryLater();
        return false;
      }
    }
    return true;
  }

  private retryLater(): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      const stalled = this.stalled;
      this.stalled = [];
      for (const s of stalled) {
        if (this.write(s.call, s.records)) s.call.resume();
      }
      this.endpoint.flush();
    }, 1);
  }
}

function wireRef(ref: ActorRef): WireRef {
  return { incarnation: ref.incarnation, id: ref.packed, kind: ref.kind };
}

function refOf(ref: WireRef): ActorRef {
  return new ActorRef(participantOf(ref.id), localIdOf(ref.id), ref.kind, ref.incarnation);
}

function safeUnpack(bytes: Uint8Array): unknown {
  try {
    return unpackDetached(bytes);
  } catch {
    return undefined;
  }
}
