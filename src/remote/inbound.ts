import type * as Grpc from '@grpc/grpc-js';
import { ActorRef, localIdOf, packRef, participantOf } from '../actor/actor-ref.js';
import { unpackRemote } from './remote-message.js';
import { ErrorCode } from '../errors/error-codes.js';
import { isAskSlot } from '../runtime/ask-slots.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import { RecordType, type RemoteSystemOp } from '../runtime/wire-messages.js';
import type { TransportEndpoint } from '../transport/transport.js';
import { describeMessageType } from '../util/message-type.js';
import {
  type Envelope,
  type Frame,
  type Hello,
  Lane,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  type SystemMessage,
  SystemKind,
  type Welcome,
  type WireRef,
} from './wire.js';

type Call = Grpc.ServerDuplexStream<Frame, Frame>;

/** A record for a ring: [participant, record type, local id, body]. */
type Record4 = [number, number, number, unknown];

/** A large message arriving in pieces on one stream (see LinkQueue). */
interface Pieces {
  size: number;
  target: number;
  bytes: Uint8Array;
  have: number;
}

/** gRPC's INVALID_ARGUMENT: the status a stream is closed with when its frames break the protocol. */
const INVALID_ARGUMENT = 3;

/** What the streams other nodes open need of the gateway. */
export interface InboundHost {
  readonly endpoint: TransportEndpoint;
  readonly incarnation: number;
  readonly secret: string;
  welcome(): Welcome;
  /** A node introduced itself (its address and incarnation). */
  greeted(hello: Hello): void;
  /** A reply reached an ask slot of this node, from the node of `incarnation`. */
  replied(incarnation: number, slot: number): void;
  /** The watched actor's `terminated` reached its watcher here: its kind as the watch knew it (a watch of an actor already gone answers without). */
  watchEnded(watcher: ActorRef, target: ActorRef): string;
  /** The ref of the actor registered under `name` on this node (null: none). */
  lookupName(name: string): Promise<WireRef | null>;
  /** Where the node of `incarnation` listens, if this node knows ('' if not). */
  addressOfNode(incarnation: number): string;
  /** Whether a `remote.authenticate` decides who is let in (asked after the sync checks). */
  readonly authenticates: boolean;
  /** Its verdict on a node that opened a stream: null lets it in, else the reason for refusing. */
  authenticate(hello: Hello): Promise<string | null>;
  /** Another node asks this one to spawn an actor of `kind` (allowed or refused by the main thread). */
  spawnHere(kind: string, name: string, args: Uint8Array): Promise<NonNullable<Frame['spawn_reply']>>;
  publish(event: RuntimeEvent): void;
}

/** An inbound stream's records that found their ring full: they wait, in order, and the stream is paused. */
interface Stalled {
  call: Call;
  records: Record4[];
}

/** Frames, user envelopes and their body bytes one node sent here, cumulative. */
export interface InboundTraffic {
  frames: number;
  messages: number;
  bytes: number;
}

/**
 * The streams other nodes opened to this one: the handshake (protocol version, secret), then
 * on the user lane batches of envelopes (each message into the ring of its target's thread, in
 * order) and lookups; on the system lane sequenced system messages (each applied once, acked)
 * and heartbeats (echoed). A full ring pauses the stream it came from — HTTP/2 flow control then
 * holds the sending node — and nothing read is dropped.
 */
export class Inbound {
  private readonly calls = new Set<Call>();
  private stalled: Stalled[] = [];
  /** Some stream waits for room in a ring (not for credit): the gateway retries at each turn. */
  ringFull = false;
  /** The last system message applied, per sending node's incarnation. */
  private readonly lastSeq = new Map<number, number>();
  /**
   * Actors of this node under flow control (their backlog passed its mark), by packed ref: the
   * messages the gateway may still write to each (0: none until the next grant). A message for
   * one with none left pauses its stream — per sending node, as for a full ring.
   */
  private readonly credit = new Map<number, number>();
  /** The large message each stream is assembling (one at a time per stream). */
  private readonly pieces = new Map<Call, Pieces>();
  /** What each node sent on the streams it opened here, by the address it listens on (the peers block's incoming counters). */
  readonly traffic = new Map<string, InboundTraffic>();

  constructor(private readonly host: InboundHost) {}

  accept(call: Call): void {
    let hello: Hello | null = null;
    /** Frames read while the authenticator decides (null: it is not asked now). */
    let early: Frame[] | null = null;
    this.calls.add(call);
    call.on('error', () => this.forgetCall(call));
    call.on('end', () => {
      this.forgetCall(call);
      call.end();
    });
    let traffic: InboundTraffic | null = null;
    const onFrame = (frame: Frame): void => {
      if (traffic !== null) traffic.frames++;
      if (hello === null) {
        if (early !== null) {
          // Read before the pause took hold: kept for after the verdict (a few at most).
          if (early.length >= 64) return this.refuse(call, { code: ErrorCode.REMOTE_REFUSED, reason: 'frames before the Welcome' });
          early.push(frame);
          return;
        }
        const refusal = this.check(frame);
        if (refusal !== null) return this.refuse(call, refusal);
        const welcome = (): void => {
          hello = frame.hello!;
          traffic = this.trafficOf(hello);
          traffic.frames++;
          this.host.greeted(hello);
          call.write({ welcome: this.host.welcome() });
        };
        if (!this.host.authenticates) return welcome();
        // The user's authenticator runs on the main thread: read nothing more until it answers.
        early = [];
        call.pause();
        void this.host
          .authenticate(frame.hello!)
          .catch((e: Error) => `authenticator failed: ${e.message}`)
          .then((reason) => {
            const held = early ?? [];
            early = null;
            if (reason !== null) return this.refuse(call, { code: ErrorCode.REMOTE_REFUSED, reason });
            welcome();
            for (const f of held) onFrame(f);
            call.resume();
          });
        return;
      }
      if (hello.lane === Lane.SYSTEM) {
        if (frame.system_batch) this.applySystem(call, hello.incarnation, frame.system_batch.messages);
        else if (frame.heartbeat) call.write({ heartbeat: frame.heartbeat });
      } else if (frame.batch) {
        traffic!.messages += frame.batch.envelopes.length;
        for (const e of frame.batch.envelopes) traffic!.bytes += e.body.byteLength;
        this.deliver(call, frame.batch.envelopes);
      } else if (frame.lookup) void this.answerLookup(call, frame.lookup.id, frame.lookup.name);
      else if (frame.where_is)
        call.write({ where_is_reply: { id: frame.where_is.id, address: this.host.addressOfNode(frame.where_is.incarnation) } });
      else if (frame.spawn) {
        const { id, kind, name, args } = frame.spawn;
        void this.host
          .spawnHere(kind, name, args)
          .catch((e: Error & { code?: string }) => ({ id, ref: null, code: e.code ?? ErrorCode.REMOTE_UNREACHABLE, message: e.message }))
          .then((reply) => call.write({ spawn_reply: { ...reply, id } }));
      }
    };
    call.on('data', onFrame);
  }

  /** A flow-control record from the thread of actor `target` (see ActorCell's flow control). */
  onFlow(target: number, signal: string, amount: number): void {
    if (signal === 'congested') this.credit.set(target, 0);
    else {
      if (signal === 'grant') this.credit.set(target, amount);
      else this.credit.delete(target);
      // Now, not on a timer: the consumer is waiting for these.
      if (this.stalled.length > 0) this.retryStalled();
    }
  }

  private forgetCall(call: Call): void {
    this.calls.delete(call);
    this.pieces.delete(call);
  }

  /** Closes a stream whose frames break the protocol (INVALID_ARGUMENT), with an event; other streams go on. */
  private malformed(call: Call, detail: string): void {
    this.forgetCall(call);
    this.host.publish({ type: 'remote-error', what: 'malformed', detail: `a stream from another node was closed: ${detail}` });
    call.emit('error', { code: INVALID_ARGUMENT, details: `${ErrorCode.REMOTE_MALFORMED}: ${detail}` });
  }

  /**
   * A piece of a large message: the whole envelope once its last piece is here, undefined
   * before, null when the pieces do not fit together (the stream is then closed).
   */
  private assemble(call: Call, e: Envelope): Envelope | undefined | null {
    const size = e.chunked_size!;
    let pieces = this.pieces.get(call);
    if (size > MAX_MESSAGE_BYTES) {
      this.malformed(
        call,
        `a message of ${size} bytes in pieces, more than the ${MAX_MESSAGE_BYTES} this node accepts (${ErrorCode.MESSAGE_TOO_LARGE})`,
      );
      return null;
    }
    if (pieces === undefined) {
      pieces = { size, target: e.target, bytes: new Uint8Array(size), have: 0 };
      this.pieces.set(call, pieces);
    } else if (pieces.size !== size || pieces.target !== e.target) {
      this.malformed(call, 'a piece of another message before the last piece of the one in progress');
      return null;
    }
    if (pieces.have + e.body.byteLength > size) {
      this.malformed(call, `pieces of more than the ${size} bytes announced`);
      return null;
    }
    pieces.bytes.set(e.body, pieces.have);
    pieces.have += e.body.byteLength;
    if (pieces.have < size) return undefined;
    this.pieces.delete(call);
    return { target: e.target, target_incarnation: e.target_incarnation, sender: e.sender, body: pieces.bytes };
  }

  private refuse(call: Call, refusal: { code: string; reason: string }): void {
    this.host.publish({
      type: 'remote-error',
      what: 'refused',
      detail: `${refusal.code}: a node that opened a stream here: ${refusal.reason}`,
    });
    call.write({ refusal });
    call.end();
  }

  /** The handshake's verdict: null to welcome the node, or the refusal. */
  private check(frame: Frame): { code: string; reason: string } | null {
    const hello = frame.hello;
    if (hello === undefined || hello === null) return { code: ErrorCode.REMOTE_REFUSED, reason: 'the first frame must be a Hello' };
    if (hello.protocol_version !== PROTOCOL_VERSION)
      return { code: ErrorCode.REMOTE_REFUSED, reason: `protocol version ${hello.protocol_version}; this node speaks ${PROTOCOL_VERSION}` };
    if (this.host.secret !== hello.secret) return { code: ErrorCode.REMOTE_REFUSED, reason: 'wrong secret' };
    if (hello.incarnation === 0) return { code: ErrorCode.REMOTE_REFUSED, reason: 'incarnation 0 is not a node' };
    return null;
  }

  private async answerLookup(call: Call, id: number, name: string): Promise<void> {
    const ref = await this.host.lookupName(name).catch(() => null);
    call.write({ lookup_reply: { id, ref } });
  }

  /** The counters of the node that said `hello` (keyed by where it listens). */
  private trafficOf(hello: Hello): InboundTraffic {
    const key = hello.address !== '' ? hello.address : `node ${hello.incarnation}`;
    let traffic = this.traffic.get(key);
    if (traffic === undefined) this.traffic.set(key, (traffic = { frames: 0, messages: 0, bytes: 0 }));
    return traffic;
  }

  /**
   * A batch of user messages: each into the ring of its target's thread, in order. The bodies go
   * as they came (the target's thread unpacks them; one that does not unpack is a dead letter there).
   */
  private deliver(call: Call, envelopes: Envelope[]): void {
    const host = this.host;
    const records: Record4[] = [];
    for (let e of envelopes) {
      if (e.chunked_size) {
        const whole = this.assemble(call, e);
        if (whole === null) break; // (what came before it in the batch still goes)
        if (whole === undefined) continue;
        e = whole;
      }
      const participant = participantOf(e.target);
      const sender = e.sender;
      if (e.target_incarnation !== 0 && e.target_incarnation !== host.incarnation) {
        // Meant for this address's earlier incarnation: it never reaches the new one.
        this.dead(e, 'earlier-incarnation');
        continue;
      }
      if (!this.isThread(participant)) {
        this.dead(e, 'unknown');
        continue;
      }
      if (e.body.byteLength > MAX_MESSAGE_BYTES) {
        this.dead(e, `${ErrorCode.MESSAGE_TOO_LARGE}: ${e.body.byteLength} bytes, more than the ${MAX_MESSAGE_BYTES} this node accepts`);
        continue;
      }
      // (grpc-js hands a Buffer; the rings carry plain Uint8Arrays: a view, not a copy.)
      const bytes = new Uint8Array(e.body.buffer, e.body.byteOffset, e.body.byteLength);
      const body = sender == null ? [0, 0, '', bytes] : [sender.id, sender.incarnation, sender.kind, bytes];
      records.push([participant, RecordType.REMOTE_IN, localIdOf(e.target), body]);
      if (sender != null && isAskSlot(localIdOf(e.target))) host.replied(sender.incarnation, e.target);
    }
    this.write(call, records);
  }

  /** System messages from the node of `from`: each seq applied once, in order, then acked. */
  private applySystem(call: Call, from: number, messages: SystemMessage[]): void {
    const records: Record4[] = [];
    let last = this.lastSeq.get(from) ?? 0;
    for (const m of messages) {
      if (m.seq <= last) continue; // a resend of what arrived before the connection broke
      last = m.seq;
      const participant = participantOf(m.target);
      if (m.target_incarnation !== this.host.incarnation || !this.isThread(participant) || m.ref == null) continue;
      const ref = refOf(m.ref);
      let op: RemoteSystemOp;
      switch (m.kind) {
        case SystemKind.WATCH:
          op = { k: 'watch', watcher: ref.packed, kind: ref.kind, inc: ref.incarnation };
          break;
        case SystemKind.UNWATCH:
          op = { k: 'unwatch', watcher: ref.packed, kind: ref.kind, inc: ref.incarnation };
          break;
        case SystemKind.TERMINATED:
          op = {
            k: 'terminated',
            ref: ref.packed,
            kind: this.host.watchEnded(new ActorRef(participant, localIdOf(m.target), '', this.host.incarnation), ref),
            inc: ref.incarnation,
          };
          break;
        case SystemKind.STOP:
          op = { k: 'stop' };
          break;
        default:
          continue;
      }
      records.push([participant, RecordType.SYSTEM, localIdOf(m.target), op]);
    }
    this.lastSeq.set(from, last);
    this.write(call, records);
    call.write({ ack: { seq: last } });
  }

  private isThread(participant: number): boolean {
    return participant !== this.host.endpoint.self && participant < this.host.endpoint.participants;
  }

  private dead(e: Envelope, reason: string): void {
    let messageType = 'bytes';
    try {
      messageType = describeMessageType(unpackRemote(e.body));
    } catch {
      reason = `${reason}; its body does not unpack`;
    }
    this.host.publish({
      type: 'dead-letter',
      target: `#${localIdOf(e.target)}@${participantOf(e.target)}`,
      reason,
      messageType,
      sender: e.sender == null ? null : String(refOf(e.sender)),
    });
  }

  /** Writes records into the rings behind what already waits for this stream; a full ring pauses it. */
  private write(call: Call, records: Record4[]): void {
    const stalled = this.stalled.find((s) => s.call === call);
    if (stalled !== undefined) for (const r of records) stalled.records.push(r);
    else this.tryWrite(call, records);
    this.host.endpoint.flush();
  }

  private tryWrite(call: Call, records: Record4[]): boolean {
    const endpoint = this.host.endpoint;
    const credit = this.credit;
    for (let i = 0; i < records.length; i++) {
      const [participant, type, id, body] = records[i]!;
      let full = false;
      if (credit.size !== 0 && type === RecordType.REMOTE_IN) {
        const left = credit.get(packRef(participant, id));
        if (left === 0) full = true;
        else if (left !== undefined) credit.set(packRef(participant, id), left - 1);
      }
      if (full || !endpoint.send(participant, type, body, id, 0)) {
        // HTTP/2 flow control carries the wait back to the sending node: nothing read is dropped.
        call.pause();
        this.stalled.push({ call, records: records.slice(i) });
        // A full ring is tried again at the gateway's next turn; an actor out of credit, at its next grant.
        if (!full) this.ringFull = true;
        return false;
      }
    }
    return true;
  }

  /** Writes what waits for rings and credit, in order per stream; resumes the streams that are clear. */
  retryStalled(): void {
    const stalled = this.stalled;
    this.stalled = [];
    this.ringFull = false;
    // (A stream that is gone since — its node died or left — still has what it carried delivered.)
    for (const s of stalled) if (this.tryWrite(s.call, s.records) && this.calls.has(s.call)) s.call.resume();
    this.host.endpoint.flush();
  }
}

export function refOf(ref: WireRef): ActorRef {
  return new ActorRef(participantOf(ref.id), localIdOf(ref.id), ref.kind, ref.incarnation);
}
