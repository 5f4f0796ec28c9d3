import { checkAddress } from '../remote/remote-options.js';
import { checkBag, checkBoolean, checkNumber, checkOneOf, describe, invalidOption, isInteger } from '../util/option-bag.js';
import type { Partitioner } from './partition.js';

/** How many of a key's replicas a write must reach, or a read must hear from, before it resolves. */
export type Consistency = 'local' | 'majority' | 'all';

/** When updates go to the other replicas: at once (batched per event-loop turn), or every `intervalMs`. */
export type SyncStrategy = 'eager' | { lazy: { intervalMs: number } };

/**
 * A replicated store (`system.replicated(options)`; the StateManagerConfig): keyed CRDT
 * values, held by one replicator actor per node and replicated to the key's other replicas.
 */
export interface ReplicatedStoreOptions {
  /** The store's name, the same on every node (its replicator is the actor named `bactor.crdt.<name>`). */
  name: string;
  /**
   * The other nodes' addresses (their `remote.listen`; this node's own may be listed too), until
   * cluster membership exists. Name each node the same way on every node: the partitioning hashes
   * these names. Default: none (a store on this node alone).
   */
  nodes?: readonly string[];
  /** Default 'eager'. */
  sync?: SyncStrategy;
  /** Replicas per key, at most the number of nodes. Default: every node holds every key. */
  replicationFactor?: number;
  /** 'hash' (rendezvous hashing of the key over the sorted node list; the default) or a Partitioner. */
  partition?: 'hash' | Partitioner;
  /**
   * Keep each key's state in the system's journal (ActorSystem.start({ journal })) and recover it
   * at the next start; a write is stored before it is replicated or resolved. Default false.
   */
  durable?: boolean;
  /** Anti-entropy: every `gossipIntervalMs` this node exchanges digests with one other node and repairs the keys that differ. Default 1000. */
  gossipIntervalMs?: number;
  /** The default consistency of writes (overridable per update). Default 'local'. */
  write?: Consistency;
  /** The default consistency of reads (overridable per get). Default 'local'. */
  read?: Consistency;
  /** How long a write or read may wait for its consistency level, by default. Default 5000 ms. */
  timeoutMs?: number;
}

/** Options of one update: its consistency and how long it may wait for it (the store's defaults otherwise). */
export interface WriteOptions {
  write?: Consistency;
  timeoutMs?: number;
}

/** Options of one get. */
export interface ReadOptions {
  read?: Consistency;
  timeoutMs?: number;
}

/** The options with every default filled in (plain data, except a custom partitioner). */
export interface StoreConfig {
  name: string;
  nodes: string[];
  lazyMs: number;
  replicationFactor: number;
  partition: 'hash' | Partitioner;
  durable: boolean;
  gossipIntervalMs: number;
  write: Consistency;
  read: Consistency;
  timeoutMs: number;
}

const KEYS = [
  'name',
  'nodes',
  'sync',
  'replicationFactor',
  'partition',
  'durable',
  'gossipIntervalMs',
  'write',
  'read',
  'timeoutMs',
] as const;
export const LEVELS: readonly Consistency[] = ['local', 'majority', 'all'];
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_MS = 3_600_000;

/** Checks the options of `system.replicated` (ERR_INVALID_OPTION naming the bad one); `self` is this node's address. */
export function checkStoreOptions(options: unknown, self: string | null, where = 'system.replicated'): StoreConfig {
  if (options === undefined) throw invalidOption(where, 'options are required: { name, nodes?, … }');
  const bag = checkBag(options, KEYS, where)!;
  if (typeof bag.name !== 'string' || !NAME.test(bag.name))
    throw invalidOption(where, `name must be 1 to 100 letters, digits, '_', '.' or '-', got ${describe(bag.name)}`);
  const nodes = bag.nodes ?? [];
  if (!Array.isArray(nodes)) throw invalidOption(where, `nodes must be an array of 'host:port' addresses, got ${describe(nodes)}`);
  nodes.forEach((n: unknown, i) => {
    if (typeof n !== 'string') throw invalidOption(where, `nodes[${i}] must be a 'host:port' string, got ${describe(n)}`);
    checkAddress(n, where);
  });
  if (nodes.length > 0 && self === null)
    throw invalidOption(where, `nodes lists ${nodes.length} node(s) but this system has no remote option (remote: { listen })`);
  const peers = [...new Set(nodes as string[])].filter((n) => n !== self);
  const all = peers.length + 1;
  let lazyMs = 0;
  if (bag.sync !== undefined && bag.sync !== 'eager') {
    const sync = checkBag(bag.sync, ['lazy'], where, 'sync', "sync is 'eager' or { lazy: { intervalMs } }");
    const lazy = checkBag(sync?.lazy, ['intervalMs'], where, 'sync.lazy');
    if (lazy === undefined) throw invalidOption(where, "sync must be 'eager' or { lazy: { intervalMs } }");
    checkNumber(
      lazy.intervalMs ?? null,
      isInteger(1, MAX_MS),
      where,
      'sync.lazy.intervalMs',
      'an integer number of ms from 1 to 3,600,000',
    );
    lazyMs = lazy.intervalMs as number;
  }
  checkNumber(bag.replicationFactor, isInteger(1, all), where, 'replicationFactor', `an integer from 1 to the number of nodes (${all})`);
  if (bag.partition !== undefined && bag.partition !== 'hash' && typeof bag.partition !== 'function')
    throw invalidOption(where, `partition must be 'hash' or a function (key, nodes) => replicas, got ${describe(bag.partition)}`);
  checkBoolean(bag.durable, where, 'durable');
  checkNumber(bag.gossipIntervalMs, isInteger(10, MAX_MS), where, 'gossipIntervalMs', 'an integer number of ms from 10 to 3,600,000');
  checkOneOf(bag.write, LEVELS, where, 'write');
  checkOneOf(bag.read, LEVELS, where, 'read');
  checkNumber(bag.timeoutMs, isInteger(1, MAX_MS), where, 'timeoutMs', 'an integer number of ms from 1 to 3,600,000');
  return {
    name: bag.name,
    nodes: peers.sort(),
    lazyMs,
    replicationFactor: (bag.replicationFactor as number | undefined) ?? all,
    partition: (bag.partition as StoreConfig['partition'] | undefined) ?? 'hash',
    durable: (bag.durable as boolean | undefined) ?? false,
    gossipIntervalMs: (bag.gossipIntervalMs as number | undefined) ?? 1000,
    write: (bag.write as Consistency | undefined) ?? 'local',
    read: (bag.read as Consistency | undefined) ?? 'local',
    timeoutMs: (bag.timeoutMs as number | undefined) ?? 5000,
  };
}

/** Checks the options of one update or get; `which` is the level it takes. */
export function checkConsistency(
  options: unknown,
  which: 'write' | 'read',
  defaults: StoreConfig,
  where: string,
): { level: Consistency; timeoutMs: number } {
  const bag = checkBag(options, [which, 'timeoutMs'], where);
  checkOneOf(bag?.[which], LEVELS, where, which);
  checkNumber(bag?.timeoutMs, isInteger(1, MAX_MS), where, 'timeoutMs', 'an integer number of ms from 1 to 3,600,000');
  return {
    level: (bag?.[which] as Consistency | undefined) ?? defaults[which],
    timeoutMs: (bag?.timeoutMs as number | undefined) ?? defaults.timeoutMs,
  };
}

/** How many of `replicas` a level needs. */
export function needed(level: Consistency, replicas: number): number {
  return level === 'local' ? 1 : level === 'all' ? replicas : Math.floor(replicas / 2) + 1;
}
