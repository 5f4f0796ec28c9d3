import type { ActorDefinition } from '../actor/actor-definition.js';
import type { ActorRef } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { Journal } from '../persistence/journal.js';
import type { CrdtKey, CrdtOp, CrdtOpArgs, CrdtType, CrdtValue } from './crdt-types.js';
import { DurableKeys } from './durable-keys.js';
import { type FinderHost, PeerFinder } from './peer-finder.js';
import { ReplicatorActor, replicatorName } from './replicator-actor.js';
import type { ReplicatorReply, ReplicatorRequest } from './replicator-messages.js';
import { Replicator } from './replicator.js';
import {
  type ReadOptions,
  type ReplicatedStoreOptions,
  type WriteOptions,
  checkConsistency,
  checkStoreOptions,
} from './replication-options.js';

/**
 * A replicated store as the main thread holds it (`system.replicated(options)`): keyed CRDT
 * values, the same on every node that opens a store of this name once updates have spread.
 *
 * ```ts
 * const carts = await system.replicated({ name: 'carts', nodes: ['10.0.0.2:4100', '10.0.0.3:4100'] });
 * const cart = crdtKey<'ORSet', string>('cart-7', 'ORSet');
 * await carts.update(cart, 'add', ['apple'], { write: 'majority', timeoutMs: 1000 });
 * const items = await carts.get(cart, { read: 'majority' }); // string[]
 * const off = carts.subscribe(cart, (items) => console.log(items));
 * ```
 *
 * Actors use `ref` (`ctx.ask(store.ref, { type: 'update', key, op, args })`; see
 * ReplicatorRequest): the ref is plain data and travels in messages to any thread or node.
 */
export class ReplicatedStore {
  constructor(
    /** The replicator actor of this store on this node. */
    readonly ref: ActorRef<ReplicatorRequest, ReplicatorReply>,
    private readonly replicator: Replicator,
    private readonly stopActor: () => Promise<void>,
  ) {}

  get name(): string {
    return this.replicator.config.name;
  }

  /** The id this node's updates carry in CRDT states: its address (and incarnation, unless durable). */
  get replicaId(): string {
    return this.replicator.replicaId;
  }

  /**
   * Applies `op(...args)` to the key's value (created empty on first use) with this node's
   * replica id, and resolves with the value once `write` (default: the store's `write`) holds:
   * `local` at once (durable: once stored), `majority` / `all` once that many of the key's
   * replicas hold it. Not reached within `timeoutMs`: rejects with ERR_REPLICATION_TIMEOUT — the
   * write still stands here and keeps replicating. A wrong op or arguments, or a key used with
   * another type: ERR_INVALID_ARGUMENT.
   */
  async update<T extends CrdtType, E, O extends CrdtOp<T>>(
    key: CrdtKey<T, E>,
    op: O,
    args: CrdtOpArgs<T, O, E> = [] as unknown as CrdtOpArgs<T, O, E>,
    options?: WriteOptions,
  ): Promise<CrdtValue<T, E>> {
    const { level, timeoutMs } = checkConsistency(options, 'write', this.replicator.config, 'update');
    return this.replicator.update(key, op, args, level, timeoutMs) as Promise<CrdtValue<T, E>>;
  }

  /**
   * The key's value (the type's empty value — 0, [], null, {} — when no replica has it): `local`
   * reads this node's replica; `majority` / `all` merge that many replicas' states (rejects with
   * ERR_REPLICATION_TIMEOUT when fewer answer within `timeoutMs`).
   */
  async get<T extends CrdtType, E>(key: CrdtKey<T, E>, options?: ReadOptions): Promise<CrdtValue<T, E>> {
    const { level, timeoutMs } = checkConsistency(options, 'read', this.replicator.config, 'get');
    return this.replicator.get(key, level, timeoutMs) as Promise<CrdtValue<T, E>>;
  }

  /** Calls `listener` with the key's value each time it changes on this node (a local update or a merge); returns the unsubscribe. */
  subscribe<T extends CrdtType, E>(key: CrdtKey<T, E>, listener: (value: CrdtValue<T, E>) => void): () => void {
    if (typeof listener !== 'function') throw new BactorError(ErrorCode.INVALID_OPTION, 'subscribe: listener must be a function');
    return this.replicator.listen(key, listener as (value: unknown) => void);
  }

  /** The keys this node holds. */
  keys(): string[] {
    return [...this.replicator.keys.keys()].sort();
  }

  /** Stops this node's replicator (the other nodes keep theirs); pending writes and reads are dropped. */
  close(): Promise<void> {
    return this.stopActor();
  }
}

/** What opening a store needs of the system. */
export interface StoreHost extends FinderHost {
  address: string | null;
  incarnation: number;
  journal: Journal | null;
  spawnInline(definition: ActorDefinition<unknown, unknown, Replicator>, args: Replicator, name: string): Promise<ActorRef>;
  stop(ref: ActorRef): Promise<void>;
}

/** `system.replicated`: checks the options, recovers a durable store, spawns the replicator and starts finding peers. */
export async function openReplicatedStore(host: StoreHost, options: ReplicatedStoreOptions): Promise<ReplicatedStore> {
  const config = checkStoreOptions(options, host.address);
  if (config.durable && host.journal === null)
    throw new BactorError(
      ErrorCode.NO_JOURNAL,
      `system.replicated('${config.name}'): durable: true needs the system's journal (ActorSystem.start({ journal }))`,
    );
  const address = host.address ?? 'local';
  // A durable replica recovers its own entries, so it keeps its id; any other starts afresh and
  // must never reuse one (its counters would restart below what the others hold of it).
  const replicaId = config.durable ? address : `${address}#${host.incarnation}`;
  const durable = config.durable ? new DurableKeys(host.journal!, config.name) : null;
  const recovered = durable === null ? undefined : await durable.recover();
  const replicator = new Replicator(config, address, replicaId, durable, recovered);
  let ref: ActorRef;
  try {
    ref = await host.spawnInline(ReplicatorActor as ActorDefinition<unknown, unknown, Replicator>, replicator, replicatorName(config.name));
  } catch (error) {
    replicator.close();
    throw error;
  }
  if (config.nodes.length > 0) {
    const finder = new PeerFinder(
      host,
      config.nodes,
      replicatorName(config.name),
      Math.min(500, config.gossipIntervalMs),
      (a, r) => replicator.peerUp(a, r),
      (a) => replicator.peerDown(a),
    );
    replicator.onClose = () => finder.stop();
  }
  return new ReplicatedStore(ref as ActorRef<ReplicatorRequest, ReplicatorReply>, replicator, () => host.stop(ref));
}
