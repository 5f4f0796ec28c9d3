/**
 * bactor's public API. Everything exported here is reviewed API; anything else is internal.
 */
export { ActorSystem, type ActorSystemOptions, type PoolOptions, type SystemStats } from './system/actor-system.js';
export { Scheduler, type SchedulerOptions, type PlacementStrategy, type WorkerStats, type StuckHandler } from './scheduler/scheduler.js';
export { HillClimber, type HillClimberOptions } from './scheduler/hill-climber.js';
export type { KindStats } from './runtime/wire-messages.js';
export { EventStream } from './system/event-stream.js';
export type { RuntimeEvent as SystemEvent } from './runtime/runtime.js';
export { defineActor, type ActorBehavior, type ActorDefinition, type HandlerResult } from './actor/actor-definition.js';
export { ActorRef, type AskOptions } from './actor/actor-ref.js';
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
export type { MessageSink } from './codec/message-decoder.js';
export {
  DEFAULT_RING_CAPACITY,
  TransportEndpoint,
  createTransport,
  transferListOf,
  type TransportInit,
  type TransportOptions,
} from './transport/transport.js';
export { DEFAULT_LARGE_MESSAGE_THRESHOLD } from './codec/message-encoder.js';
export { Router, groupRouter, type RoutingStrategy } from './router/router.js';
