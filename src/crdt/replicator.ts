import type { ActorRef } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { type CrdtKey, type CrdtType, applyOp, checkKey, crdtEntry } from './crdt-types.js';
import type { DurableKeys, KeyStateMap } from './durable-keys.js';
import { Gossip } from './gossip.js';
import { stateDigest } from './hash.js';
import { rendezvousReplicas } from './partition.js';
import type { CrdtChanged, KeyState, PeerMessage } from './replicator-messages.js';
import { type Consistency, type StoreConfig, needed } from './replication-options.js';

/** One key as a replica holds it. */
interface Held {
  type: CrdtType;
  state: unknown;
  /** stateDigest(state), computed when first asked for. */
  digest?: number;
}

/** A write or read waiting for replicas: which have answered (by incarnation), how many it needs. */
interface Waiting {
  need: number;
  from: Set<number>;
  done(): void;
  timer: ReturnType<typeof setTimeout>;
}

/** At most this many key states per message (a big dirty set goes in several). */
const STATES_PER_MESSAGE = 256;

/**
 * The state and the protocol of one store's replica on one node — the state of its replicator
 * actor (replicator-actor.ts, on the main thread), without the actor: `send` and the peers'
 * refs are given to it, so a test can run several replicas in one process.
 *
 * - **Update** (`update`): on a replica of the key, the operation is applied with this node's
 *   replica id, stored first when durable, then sent to the other replicas: batched per
 *   event-loop turn (eager) or every `lazyMs` (lazy) for `local`; at once and acknowledged for
 *   `majority` / `all`, resolving when that many replicas (this one included) hold it. On another
 *   node the update is asked of the key's first reachable replica.
 * - **Read** (`get`): the local value for `local` on a replica; otherwise the states of that many
 *   replicas, merged (and merged here: read repair).
 * - **Anti-entropy**: gossip.ts. Messages: replicator-messages.ts.
 */
export class Replicator {
  readonly keys = new Map<string, Held>();
  /** Peers reached so far: address → their replicator's ref. */
  readonly peers = new Map<string, ActorRef>();
  /** Every node, this one included, sorted: what partitioning sees. */
  private readonly allNodes: string[];
  private dirty = new Set<string>();
  private flushTimer: ReturnType<typeof setInterval> | ReturnType<typeof setImmediate> | null = null;
  private nextReq = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly reads = new Map<number, (entry: KeyState | null) => void>();
  private readonly listeners = new Map<string, Set<(value: unknown) => void>>();
  private readonly subscribers = new Map<string, ActorRef<CrdtChanged>[]>();
  private readonly gossip: Gossip;
  private closed = false;
  /** This replicator's own ref (the `from` of what it sends); set by its actor. */
  self: ActorRef | null = null;
  /** Called once when it closes (the store stops finding peers). */
  onClose: (() => void) | null = null;

  constructor(
    readonly config: StoreConfig,
    /** This node's address in the node list ('local' without remote). */
    readonly address: string,
    /** The id this replica's updates carry in the CRDT states. */
    readonly replicaId: string,
    private readonly durable: DurableKeys | null,
    recovered: KeyStateMap = new Map(),
    private readonly now: () => number = Date.now,
  ) {
    this.allNodes = [...config.nodes, address].sort();
    for (const [id, held] of recovered) this.keys.set(id, { ...held });
    this.gossip = new Gossip(this);
    if (config.lazyMs > 0) {
      this.flushTimer = setInterval(() => this.flush(), config.lazyMs);
      this.flushTimer.unref();
    }
  }

  /** The key's replicas (addresses), the preferred first. */
  replicasOf(id: string): readonly string[] {
    const { partition, replicationFactor } = this.config;
    if (partition === 'hash') return rendezvousReplicas(id, this.allNodes, replicationFactor);
    return partition(id, this.allNodes);
  }

  /** Applies `op` to `key` (see the class comment); resolves with the key's value once `level` holds. */
  async update(key: CrdtKey, op: string, args: readonly unknown[], level: Consistency, timeoutMs: number): Promise<unknown> {
    this.assertOpen();
    checkKey(key, 'update');
    const replicas = this.replicasOf(key.id);
    if (!replicas.includes(this.address)) return this.forwardUpdate(key, op, args, level, timeoutMs, replicas);
    const held = this.hold(key, 'update');
    held.state = applyOp(key.type, held.state, op, args, this.replicaId, this.now());
    held.digest = undefined;
    const value = crdtEntry(key.type, 'update').value(held.state);
    this.notify(key.id, held);
    if (this.durable !== null) await this.durable.save(key.id, key.type, held.state);
    const others = replicas.filter((r) => r !== this.address);
    const need = needed(level, replicas.length) - 1;
    if (need <= 0 || others.length === 0) {
      this.markDirty(key.id);
      return value;
    }
    const entry: KeyState = [key.id, key.type, held.state];
    await this.await(need, timeoutMs, `update(${key.id}): write '${level}'`, (req) => {
      for (const peer of others) this.peers.get(peer)?.tell({ type: 'crdt.states', entries: [entry], ack: req, from: this.self! });
    });
    return value;
  }

  /** Reads `key` at `level` (see the class comment). */
  async get(key: CrdtKey, level: Consistency, timeoutMs: number): Promise<unknown> {
    this.assertOpen();
    checkKey(key, 'get');
    const entry = crdtEntry(key.type, 'get');
    const replicas = this.replicasOf(key.id);
    const here = replicas.includes(this.address);
    const need = needed(level, replicas.length) - (here ? 1 : 0);
    let merged = here ? this.hold(key, 'get').state : entry.empty();
    if (need > 0) {
      const others = replicas.filter((r) => r !== this.address);
      await this.await(need, timeoutMs, `get(${key.id}): read '${level}'`, (req) => {
        this.reads.set(req, (reply) => {
          if (reply !== null && reply[1] === key.type) merged = entry.merge(merged, reply[2]);
        });
        for (const peer of others) this.peers.get(peer)?.tell({ type: 'crdt.read', req, id: key.id, from: this.self! });
      });
      if (here) this.merge(key.id, key.type, merged);
    }
    return entry.value(here ? this.keys.get(key.id)!.state : merged);
  }

  /** Calls `listener` with the key's value whenever it changes here; returns the unsubscribe. */
  listen(key: CrdtKey, listener: (value: unknown) => void): () => void {
    checkKey(key, 'subscribe');
    let set = this.listeners.get(key.id);
    if (set === undefined) this.listeners.set(key.id, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  subscribe(key: CrdtKey, subscriber: ActorRef<CrdtChanged>, on: boolean): void {
    const list = (this.subscribers.get(key.id) ?? []).filter((s) => !s.equals(subscriber));
    if (on) list.push(subscriber);
    this.subscribers.set(key.id, list);
  }

  /** A message of another replica. */
  receive(msg: PeerMessage): void {
    if (this.closed) return;
    switch (msg.type) {
      case 'crdt.states': {
        const saves: Promise<void>[] = [];
        for (const [id, type, state] of msg.entries) {
          const changed = this.merge(id, type, state);
          if (changed && this.durable !== null) saves.push(this.durable.save(id, type, this.keys.get(id)!.state));
        }
        if (msg.want !== undefined && msg.from !== undefined) this.sendStates(msg.from, msg.want);
        if (msg.ack !== undefined && msg.from !== undefined) {
          const { ack, from } = msg;
          // Acknowledged once held as durably as a local write.
          void Promise.all(saves).then(() => from.tell({ type: 'crdt.acked', ack, from: this.self! }));
        }
        return;
      }
      case 'crdt.acked':
        return this.answered(msg.ack, msg.from);
      case 'crdt.read': {
        const held = this.keys.get(msg.id);
        msg.from.tell({ type: 'crdt.read-reply', req: msg.req, entry: held ? [msg.id, held.type, held.state] : null, from: this.self! });
        return;
      }
      case 'crdt.read-reply':
        this.reads.get(msg.req)?.(msg.entry);
        return this.answered(msg.req, msg.from);
      case 'crdt.digest':
        return this.gossip.answer(msg);
    }
  }

  /** A peer's replicator was found: it gets this replica's digests at once (catch-up after a start). */
  peerUp(address: string, ref: ActorRef): void {
    this.peers.set(address, ref);
    this.gossip.exchangeWith(address);
  }

  peerDown(address: string): void {
    this.peers.delete(address);
  }

  /** One round of anti-entropy (gossip.ts); the store's timer calls it every gossipIntervalMs. */
  gossipRound(): void {
    if (!this.closed) this.gossip.round();
  }

  /** Sends the states of the dirty keys to their other replicas (batched per peer). */
  flush(): void {
    if (this.flushTimer !== null && this.config.lazyMs === 0) this.flushTimer = null;
    if (this.dirty.size === 0 || this.closed) return;
    const perPeer = new Map<string, KeyState[]>();
    for (const id of this.dirty) {
      const held = this.keys.get(id);
      if (held === undefined) continue;
      for (const peer of this.replicasOf(id)) {
        if (peer === this.address || !this.peers.has(peer)) continue;
        let list = perPeer.get(peer);
        if (list === undefined) perPeer.set(peer, (list = []));
        list.push([id, held.type, held.state]);
      }
    }
    this.dirty.clear();
    for (const [peer, entries] of perPeer) this.sendEntries(this.peers.get(peer)!, entries);
  }

  /** Sends `entries` in messages of at most STATES_PER_MESSAGE. */
  sendEntries(to: ActorRef, entries: KeyState[], want?: string[]): void {
    for (let i = 0; i < entries.length || (i === 0 && want !== undefined); i += STATES_PER_MESSAGE) {
      const chunk = entries.slice(i, i + STATES_PER_MESSAGE);
      to.tell({ type: 'crdt.states', entries: chunk, from: this.self!, ...(i === 0 && want !== undefined ? { want } : {}) });
    }
  }

  /** Sends the states this replica holds of `ids` to `to`. */
  sendStates(to: ActorRef, ids: readonly string[]): void {
    const entries: KeyState[] = [];
    for (const id of ids) {
      const held = this.keys.get(id);
      if (held !== undefined) entries.push([id, held.type, held.state]);
    }
    if (entries.length > 0) this.sendEntries(to, entries);
  }

  digestOf(held: Held): number {
    return (held.digest ??= stateDigest(held.state));
  }

  /** Merges a state from another replica; true when the key's state changed here. */
  merge(id: string, type: CrdtType, state: unknown): boolean {
    const held = this.keys.get(id);
    if (held === undefined) {
      crdtEntry(type, 'merge');
      const fresh: Held = { type, state };
      this.keys.set(id, fresh);
      this.notify(id, fresh);
      return true;
    }
    if (held.type !== type) return false; // the same key used with two types: the first one stays
    const before = this.digestOf(held);
    held.state = crdtEntry(type, 'merge').merge(held.state, state);
    held.digest = undefined;
    if (this.digestOf(held) === before) return false;
    this.notify(id, held);
    return true;
  }

  /** Stops timers and fails what waits (the actor stopped or the system shuts down). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.gossip.stop();
    this.onClose?.();
    if (this.flushTimer !== null) {
      if (this.config.lazyMs > 0) clearInterval(this.flushTimer as ReturnType<typeof setInterval>);
      else clearImmediate(this.flushTimer as ReturnType<typeof setImmediate>);
    }
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    this.reads.clear();
  }

  // ---- internals -----------------------------------------------------------------------------

  private hold(key: CrdtKey, where: string): Held {
    let held = this.keys.get(key.id);
    if (held === undefined) {
      held = { type: key.type, state: crdtEntry(key.type, where).empty() };
      this.keys.set(key.id, held);
    } else if (held.type !== key.type) {
      throw new BactorError(
        ErrorCode.INVALID_ARGUMENT,
        `${where}(${key.id}): the key holds a ${held.type} in store '${this.config.name}', not a ${key.type}`,
      );
    }
    return held;
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    if (this.flushTimer === null && this.config.lazyMs === 0) this.flushTimer = setImmediate(() => this.flush());
  }

  /** Sends requests (numbered `req`) and resolves once `need` distinct replicas answered, or rejects at the timeout. */
  private await(need: number, timeoutMs: number, what: string, send: (req: number) => void): Promise<void> {
    const req = this.nextReq++;
    return new Promise<void>((resolve, reject) => {
      const from = new Set<number>();
      const timer = setTimeout(() => {
        this.waiting.delete(req);
        this.reads.delete(req);
        reject(
          new BactorError(
            ErrorCode.REPLICATION_TIMEOUT,
            `${what} of store '${this.config.name}' heard from ${from.size} of the ${need} other replica(s) it needs ` +
              `within ${timeoutMs} ms (reachable peers: ${this.peers.size} of ${this.config.nodes.length}); a write stands locally and keeps replicating`,
          ),
        );
      }, timeoutMs);
      this.waiting.set(req, { need, from, timer, done: resolve });
      send(req);
    });
  }

  private answered(req: number, from: ActorRef): void {
    const w = this.waiting.get(req);
    if (w === undefined) return;
    w.from.add(from.incarnation);
    if (w.from.size < w.need) return;
    clearTimeout(w.timer);
    this.waiting.delete(req);
    this.reads.delete(req);
    w.done();
  }

  /** An update on a node that holds no replica of the key: the first reachable replica applies it. */
  private async forwardUpdate(
    key: CrdtKey,
    op: string,
    args: readonly unknown[],
    level: Consistency,
    timeoutMs: number,
    replicas: readonly string[],
  ): Promise<unknown> {
    const target = replicas.map((r) => this.peers.get(r)).find((r) => r !== undefined);
    if (target === undefined)
      throw new BactorError(
        ErrorCode.REMOTE_UNREACHABLE,
        `update(${key.id}): this node holds no replica of it and none of its replicas (${replicas.join(', ')}) is reachable`,
      );
    const reply = (await target.ask({ type: 'update', key, op, args, write: level, timeoutMs }, { timeout: timeoutMs + 1000 })) as
      { ok: true; value: unknown } | { ok: false; code: string; message: string };
    if (!reply.ok) throw new BactorError(reply.code, reply.message);
    return reply.value;
  }

  private notify(id: string, held: Held): void {
    const listeners = this.listeners.get(id);
    const subscribers = this.subscribers.get(id);
    if ((listeners === undefined || listeners.size === 0) && (subscribers === undefined || subscribers.length === 0)) return;
    const value = crdtEntry(held.type, 'notify').value(held.state);
    for (const listener of listeners ?? []) listener(value);
    for (const s of subscribers ?? []) s.tell({ type: 'crdt.changed', store: this.config.name, key: id, value });
  }

  private assertOpen(): void {
    if (this.closed) throw new BactorError(ErrorCode.SYSTEM_STOPPED, `replicated store '${this.config.name}' is closed`);
  }
}
