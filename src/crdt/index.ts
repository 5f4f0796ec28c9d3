export { GCounter, PNCounter } from './counters.js';
export { GSet, ORSet } from './sets.js';
export { LWWMap, LWWRegister } from './registers.js';
export { crdtKey, type CrdtKey, type CrdtType, type CrdtOp, type CrdtOpArgs, type CrdtValue, type CrdtSpec } from './crdt-types.js';
export { ReplicatedStore } from './replicated-store.js';
export type { CrdtChanged, ReplicatorReply, ReplicatorRequest } from './replicator-messages.js';
export type { Consistency, ReadOptions, ReplicatedStoreOptions, SyncStrategy, WriteOptions } from './replication-options.js';
export type { Partitioner } from './partition.js';
