import { createPeersBuffer } from '../../native-free-core/stats/peers-block.js';
import type { ActorDefinition } from '../actor/actor-definition.js';
import { ActorRef } from '../actor/actor-ref.js';
import type { SpawnOptions } from '../actor/spawn-options.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { errorInfo } from '../errors/error-info.js';
import { packRemote, unpackRemote } from '../remote/remote-message.js';
import { GatewayThread } from '../remote/gateway-thread.js';
import { type RemoteOptions, checkAddress } from '../remote/remote-options.js';
import type { TransportInit } from '../transport/transport.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ControlMessage } from '../runtime/wire-messages.js';
import { invalidOption } from '../util/option-bag.js';
import { validateLookupName } from './validate-options.js';

type RefReply = { ref: [number, number, string, number] | null; error?: { code: string; message: string } };

/** How long `remote.authenticate` may take before the node asking is refused. */
const AUTHENTICATE_MS = 5000;
/**
 * The main thread's side of remote: the gateway thread (started with the system, ended at its
 * shutdown), `lookupRemote` and `spawnRemote` through it, and the answer to another node's
 * spawn — only of a kind this node lists in `remote.spawnable`.
 */
/** How long lookupRemote and spawnRemote wait for the other node (ms). */
const REMOTE_CALL_TIMEOUT_MS = 10_000;

export class RemoteNode {
  private readonly spawnable = new Map<string, ActorDefinition<unknown, unknown, unknown>>();
  private thread: GatewayThread | null = null;
  /** What the gateway knows of each other node (peers-layout.ts), for monitoring (null without `remote`). */
  readonly peersBuffer: SharedArrayBuffer | null;

  constructor(
    private readonly runtime: Runtime,
    /** The gateway thread's participant number (0: no `remote` option). */
    private readonly gateway: number,
    private readonly options: RemoteOptions | undefined,
    private readonly spawnLocal: (
      definition: ActorDefinition<unknown, unknown, unknown>,
      args: unknown,
      options: SpawnOptions,
    ) => Promise<ActorRef>,
  ) {
    for (const d of options?.spawnable ?? []) this.spawnable.set(d.name, d as ActorDefinition<unknown, unknown, unknown>);
    this.peersBuffer = options !== undefined ? createPeersBuffer() : null;
  }

  /** Starts the gateway thread on its rings (with the `remote` option; otherwise nothing). */
  start(transport: TransportInit | undefined, incarnation: number): void {
    const remote = this.options;
    if (remote === undefined || transport === undefined) return;
    this.thread = new GatewayThread({
      transport,
      incarnation,
      peers: this.peersBuffer!,
      listen: remote.listen,
      ...(remote.secret !== undefined ? { secret: remote.secret } : {}),
      ...(remote.lostAfterMs !== undefined ? { lostAfterMs: remote.lostAfterMs } : {}),
      ...(remote.tls !== undefined ? { tls: remote.tls } : {}),
      ...(remote.credentials !== undefined ? { credentials: remote.credentials } : {}),
      ...(remote.authenticate !== undefined ? { authenticates: true } : {}),
    });
  }

  /** The address the gateway listens on, once bound (null without the `remote` option); rejects if it could not bind. */
  async ready(): Promise<string | null> {
    return this.thread === null ? null : this.thread.ready;
  }

  /** Ends the gateway thread (it closes its server and streams itself: never terminated). */
  async stop(deadline: Promise<'timeout'>): Promise<void> {
    if (this.thread === null) return;
    this.runtime.control(this.gateway, { op: 'exit' });
    this.runtime.flush();
    if ((await Promise.race([this.thread.exited, deadline])) === 'timeout') this.thread.unref();
  }

  async lookup<M, R>(address: string, name: string): Promise<ActorRef<M, R> | undefined> {
    checkAddress(address, 'lookupRemote');
    validateLookupName(name, 'lookupRemote');
    const reply = await this.request('lookupRemote', { op: 'remote-lookup', address, name });
    return reply.ref === null ? undefined : (this.refOf(reply) as ActorRef<M, R>);
  }

  async spawn<M, R, A>(
    address: string,
    kind: ActorDefinition<M, R, A> | string,
    args: A,
    options: { name?: string } = {},
  ): Promise<ActorRef<M, R>> {
    const where = 'spawnRemote';
    checkAddress(address, where);
    const name = typeof kind === 'string' ? kind : (kind as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || name === '')
      throw invalidOption(
        where,
        `kind must be an actor definition or the name of one, got ${typeof kind === 'object' ? 'an object without a name' : String(kind)}`,
      );
    if (options === null || typeof options !== 'object' || Object.keys(options).some((k) => k !== 'name'))
      throw invalidOption(where, 'options must be { name?: string } (the only spawn option a node takes from another)');
    if (options.name !== undefined) validateLookupName(options.name, where);
    const reply = await this.request(where, { op: 'remote-spawn', address, kind: name, name: options.name ?? '', args: packRemote(args) });
    return this.refOf(reply) as ActorRef<M, R>;
  }

  /** A node opened a stream here: `remote.authenticate` decides (a throw, a wrong answer or none within 5 s refuses). */
  async answerAuthenticate(from: number, message: Extract<ControlMessage, { op: 'authenticate-node' }>): Promise<void> {
    const decide = this.options!.authenticate!;
    const { address, incarnation, credentials } = message;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<string>(
      (resolve) => (timer = setTimeout(() => resolve(`the authenticator did not answer within ${AUTHENTICATE_MS} ms`), AUTHENTICATE_MS)),
    );
    let refusal: string | null;
    try {
      const verdict = await Promise.race([Promise.resolve(decide({ address, incarnation, credentials })), late]);
      refusal =
        verdict === true
          ? null
          : verdict === false
            ? 'refused by the authenticator'
            : typeof verdict === 'string' && verdict !== ''
              ? verdict
              : `the authenticator answered ${String(verdict)}, not true, false or a reason`;
    } catch (error) {
      refusal = `the authenticator threw: ${errorInfo(error).message}`;
    } finally {
      clearTimeout(timer);
    }
    this.runtime.control(from, { op: 'authenticate-reply', reply: message.req!, refusal });
  }

  /** Another node asks this one to spawn `kind` (the gateway forwards it): allowed kinds only. */
  async answerSpawn(from: number, message: Extract<ControlMessage, { op: 'spawn-for-node' }>): Promise<void> {
    let reply: ControlMessage;
    try {
      const definition = this.spawnable.get(message.kind);
      if (definition === undefined)
        throw new BactorError(
          ErrorCode.REMOTE_SPAWN_REFUSED,
          `this node does not let other nodes spawn '${message.kind}' (remote.spawnable lists ${[...this.spawnable.keys()].map((k) => `'${k}'`).join(', ') || 'no kind'})`,
        );
      const ref = await this.spawnLocal(definition, unpackRemote(message.args), message.name === '' ? {} : { name: message.name });
      reply = { op: 'remote-spawn-reply', reply: message.req!, ref: [ref.participant, ref.id, ref.kind, ref.incarnation] };
    } catch (error) {
      const info = errorInfo(error);
      reply = {
        op: 'remote-spawn-reply',
        reply: message.req!,
        ref: null,
        error: { code: info.code ?? ErrorCode.ACTOR_INIT_FAILED, message: info.message },
      };
    }
    this.runtime.control(from, reply);
  }

  private async request(where: string, message: ControlMessage): Promise<RefReply> {
    if (this.gateway === 0)
      throw new BactorError(ErrorCode.NO_REMOTE, `${where}: this system was started without the remote option (remote: { listen })`);
    // Bounded: a lookup or spawn must not wait forever on a link that never settles (a producer's
    // lookups after its consumer's node was lost retry on this).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BactorError(ErrorCode.REMOTE_UNREACHABLE, `${where}: no answer within ${REMOTE_CALL_TIMEOUT_MS} ms`)),
        REMOTE_CALL_TIMEOUT_MS,
      );
    });
    let reply: ControlMessage;
    try {
      reply = await Promise.race([this.runtime.request(this.gateway, message), late]);
    } finally {
      clearTimeout(timer);
    }
    if (reply.op !== 'remote-lookup-reply' && reply.op !== 'remote-spawn-reply')
      throw new BactorError(ErrorCode.MALFORMED_RECORD, `${where}: unexpected reply ${reply.op}`);
    if (reply.error !== undefined) throw new BactorError(reply.error.code, `${where}: ${reply.error.message}`);
    return reply;
  }

  private refOf(reply: RefReply): ActorRef {
    const [participant, id, kind, incarnation] = reply.ref!;
    return new ActorRef(participant, id, kind, incarnation);
  }
}
