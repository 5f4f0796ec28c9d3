import type { ActorRef } from '../actor/actor-ref.js';
import type { TypeNameTable } from '../../native-free-core/stats/stats-block.js';
import type { KindMetrics } from './kind-metrics.js';
import type { ThreadTracer } from '../observability/tracing/thread-tracer.js';
import type { ThreadLogs } from '../observability/actor-log.js';
import type { Directive, SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import type { TransportEndpoint } from '../transport/transport.js';
import type { Clock } from './clock.js';
import type { RuntimeEvent } from './runtime-event.js';
import type { TaskPool } from './task-pool.js';
import type { ControlMessage } from './wire-messages.js';

/** What a thread's Runtime is built with. */
export interface RuntimeOptions {
  participant: number;
  endpoint: TransportEndpoint | null;
  clock?: Clock;
  /** Supervision of top-level actors (the root guardian's strategy). */
  guardianStrategy?: SupervisorStrategy;
  /** Called for each event (on workers: forwarded to the main thread). */
  onEvent?: (event: RuntimeEvent) => void;
  /** Handles control messages the runtime itself does not (spawn requests are handled here). */
  onControl?: (from: number, message: ControlMessage) => void;
  random?: () => number;
  /** Where this thread publishes its next free actor id (survives the thread). */
  idWatermark?: Int32Array;
  /** Runs `ctx.runTask` work. */
  taskPool?: TaskPool;
  /** User records an overflow queue toward one peer may hold (default 262,144). */
  overflowLimit?: number;
  /** This thread's slot of the shared stats block. */
  stats?: Float64Array;
  /** This thread's type-name table of the stats block (the codes the CURRENT word carries). */
  typeNames?: TypeNameTable;
  /**
   * Workers: the root guardian's decider runs on the main thread (functions do not cross
   * threads); this asks it. Absent: `guardianStrategy.decider` decides here.
   */
  decideRemotely?: (actor: ActorRef, error: unknown) => Promise<Directive>;
  /** The actors' logs of this thread (`ctx.log`); absent: they write nothing. */
  logs?: ThreadLogs;
  /** This thread's side of tracing (the system's `tracing` option); absent: nothing is traced. */
  tracer?: ThreadTracer;
  /** This thread's side of the metrics block (monitoring); absent: actors count nothing. */
  metrics?: KindMetrics;
  /** The gateway thread's participant number (remote); absent or 0: no gateway. */
  gateway?: number;
}
