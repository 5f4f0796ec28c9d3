/**
 * bactor's public API: what an application uses. Every name here is reviewed API (the list is
 * checked by test/packaging/public-api.test.ts); engine parts for advanced use — the scheduler's
 * controller, the transport — are in `bactor/engine`, the rings and codecs in `bactor/core`.
 */
export { ActorSystem, type ActorSystemOptions, type ActorTree, type PoolOptions, type SystemStats } from './system/actor-system.js';
export type { ActorTrace, ActorTraceEntry, TraceActorOptions } from './system/actor-traces.js';
export type { ActorNode } from './runtime/actor-tree.js';
export type { RemoteOptions, RemotePeer } from './remote/remote-options.js';
export type { SchedulerOptions, PlacementStrategy, WorkerStats, StuckHandler } from './scheduler/scheduler.js';
export type { HillClimberOptions } from './scheduler/hill-climber.js';
export type { KindStats } from './runtime/wire-messages.js';
export { EventStream } from './system/event-stream.js';
export type { RuntimeEvent as SystemEvent } from './runtime/runtime-event.js';
export type { Monitoring } from './observability/monitoring.js';
export type { MonitoringOptions } from './observability/monitoring-options.js';
export type { AlertRule, AlertWebhook, AlertMetric } from './observability/alert-rules.js';
export type { TracingOptions } from './observability/tracing/tracing-options.js';
export type { Logger, LoggingOptions, LogLevel } from './observability/system-log.js';
export type { ActorLog } from './observability/actor-log.js';
export { httpIngress, type HttpIngressOptions, type IngressRequest, type IngressResponse } from './ingress/http-ingress.js';
export type { SystemTracing } from './observability/tracing/system-tracing.js';
export type { DashboardSnapshot, ThreadView, KindView, DeadLetterView } from './observability/dashboard-snapshot.js';
export { defineActor, type ActorBehavior, type ActorDefinition, type HandlerResult } from './actor/actor-definition.js';
export type { ActorRef, AskOptions } from './actor/actor-ref.js';
export { RECEIVE_TIMEOUT, type ActorContext, type Cancellable, type ReceiveTimeout } from './actor/actor-context.js';
export type { Dispatcher, SpawnOptions } from './actor/spawn-options.js';
export type { MailboxOptions, MessageQueue, OverflowPolicy } from './mailbox/mailbox.js';
export {
  allForOne,
  oneForOne,
  type BackoffOptions,
  type Directive,
  type StrategyOptions,
  type SupervisorStrategy,
} from './supervision/supervisor-strategy.js';
export { ManualClock, type Clock } from './runtime/clock.js';
export { BactorError, ErrorCode } from './errors/error-codes.js';
export { registerMessageClass, type MessageClassCodec } from './codec/message-classes.js';
export { DEFAULT_RING_CAPACITY } from './transport/transport.js';
export { DEFAULT_LARGE_MESSAGE_THRESHOLD } from './codec/message-encoder.js';
export { Router, groupRouter, type RoutingStrategy } from './router/router.js';
export type { Journal, JournalWrite, PackedWrites, StoredEvent, Snapshot, Replay, ReplayEnd } from './persistence/journal.js';
export { MemoryJournal } from './persistence/memory-journal.js';
export { SqliteJournal, type SqliteJournalOptions } from './persistence/sqlite-journal.js';
export type { PersistenceOptions, EventSourcedOptions, DurableStateOptions } from './persistence/persistence-options.js';
export { PostgresJournal, type PostgresJournalOptions } from './persistence/postgres-journal.js';
export type { ReliableRef } from './reliable/reliable-ref.js';
export type { ReliableOptions } from './reliable/reliable-producer.js';
export { GCounter, PNCounter, GSet, ORSet, LWWRegister, LWWMap } from './crdt/index.js';
export {
  crdtKey,
  ReplicatedStore,
  type CrdtKey,
  type CrdtType,
  type CrdtOp,
  type CrdtOpArgs,
  type CrdtValue,
  type CrdtSpec,
  type CrdtChanged,
  type ReplicatorReply,
  type ReplicatorRequest,
  type Consistency,
  type ReadOptions,
  type ReplicatedStoreOptions,
  type SyncStrategy,
  type WriteOptions,
  type Partitioner,
} from './crdt/index.js';
