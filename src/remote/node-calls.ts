import { localIdOf, packRef, participantOf } from '../actor/actor-ref.js';
import { type BactorError, ErrorCode } from '../errors/error-codes.js';
import type { ControlRequests } from '../runtime/control-requests.js';
import { type ControlMessage, RecordType } from '../runtime/wire-messages.js';
import type { TransportEndpoint } from '../transport/transport.js';
import type { LocalRings } from './local-rings.js';
import type { NodeDirectory } from './node-directory.js';
import type { Frame, Hello, WireRef } from './wire.js';

/**
 * Lookups and spawns between nodes: asked by this node's main thread (`lookupRemote`,
 * `spawnRemote`) on the link to the other node, and answered for other nodes by asking this
 * node's main thread (which keeps the names and the allow-list of spawnable kinds).
 */
export class NodeCalls {
  constructor(
    private readonly endpoint: TransportEndpoint,
    private readonly rings: LocalRings,
    private readonly nodes: NodeDirectory,
    private readonly requests: ControlRequests,
    private readonly incarnation: number,
  ) {}

  async lookupName(name: string): Promise<WireRef | null> {
    const reply = await this.requests.request(0, { op: 'lookup', name });
    this.endpoint.flush();
    return reply.op === 'lookup-reply' && reply.ref !== null
      ? { incarnation: this.incarnation, id: reply.ref[0], kind: reply.ref[1] }
      : null;
  }

  /** Asks the main thread's `remote.authenticate` about a node that opened a stream: null lets it in, else why not. */
  async authenticate(hello: Hello): Promise<string | null> {
    const { address, incarnation, credentials } = hello;
    const reply = await this.requests.request(0, { op: 'authenticate-node', address, incarnation, credentials: credentials ?? '' });
    this.endpoint.flush();
    return reply.op === 'authenticate-reply' ? reply.refusal : 'no answer from the authenticator';
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

  async remoteSpawn(from: number, control: Extract<ControlMessage, { op: 'remote-spawn' }>): Promise<void> {
    let reply: ControlMessage;
    try {
      const r = await this.nodes.linkTo(control.address).spawn(control.kind, control.name, control.args);
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
    this.rings.send(from, RecordType.CONTROL, 0, reply);
    this.endpoint.flush();
  }

  async remoteLookup(from: number, req: number, address: string, name: string): Promise<void> {
    let reply: ControlMessage;
    try {
      const ref = await this.nodes.linkTo(address).lookup(name);
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
