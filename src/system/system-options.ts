import type { Journal } from '../persistence/journal.js';
import type { MonitoringOptions } from '../observability/monitoring-options.js';
import type { TracingOptions } from '../observability/tracing/tracing-options.js';
import type { LoggingOptions } from '../observability/system-log.js';
import type { RemoteOptions } from '../remote/remote-options.js';
import type { Clock } from '../runtime/clock.js';
import type { SchedulerOptions } from '../scheduler/scheduler.js';
import type { SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import type { DeterministicOptions } from './simulation.js';

/** `ActorSystem.start(options)` (checked by validate-options.ts). */
export interface ActorSystemOptions {
  /** Actor worker threads. Default: cores − 1, at least 1. 0: everything runs inline on the main thread. */
  workers?: number;
  /** Body bytes of each ring (a power of two). Default 1 MiB. */
  ringCapacity?: number;
  /** The root guardian's strategy for top-level actors. Default: one-for-one, 10 restarts in 10 s. */
  guardian?: SupervisorStrategy;
  /** Empty looks at the rings before a worker yields and parks. Default 2000. */
  spins?: number;
  /** Time source of the main thread's timers (ask timeouts, inline actors). Default: real time. */
  clock?: Clock;
  /**
   * Deterministic mode, for tests: the whole system on the main thread (`workers` 0), the order
   * of actor turns drawn from `seed`, and a virtual clock (`clock`, a ManualClock, or a new one)
   * that jumps to the next timer whenever nothing can run. A failing interleaving replays from
   * its seed (see `explore` and `simulate` in bactor/testkit).
   */
  deterministic?: DeterministicOptions;
  /** Threads of each thread's task pool for `ctx.runTask` (created on first use). Default 1. */
  taskThreads?: number;
  /**
   * Extra worker threads, each reserved for one actor spawned with `dispatcher: 'dedicated'`
   * (an actor that blocks, or must not share its thread). Default 0.
   */
  dedicatedWorkers?: number;
  /** Placement, the adaptive controller and the watchdog (see SchedulerOptions). */
  scheduler?: SchedulerOptions;
  /**
   * Messages that may wait for room toward one full ring, per sending thread, before `tell`
   * refuses with ERR_BACKPRESSURE. Sending actors are suspended long before (after the handler
   * that hit the full ring). Default 262,144.
   */
  overflowLimit?: number;
  /**
   * Makes this process a node of a cluster: a gateway thread listens on `remote.listen` and
   * carries messages between this node's actors and other nodes' over gRPC (see the README's
   * *Remote*). Absent: no gateway thread and no cost.
   */
  remote?: RemoteOptions;
  /**
   * Where persistent actors (behavior.persistence) keep their events and snapshots: a
   * SqliteJournal, a MemoryJournal (tests), or your own Journal. It runs on the main thread; the
   * system closes it at shutdown. Absent: spawning a persistent actor fails with ERR_NO_JOURNAL.
   */
  journal?: Journal;
  /**
   * Metrics per thread and per actor kind, read off shared memory on the main thread: `true`, or
   * `{ port }` to serve them (`/metrics`, Prometheus) with a live dashboard (`/`) over HTTP. See
   * the README's *Monitoring*. Absent: the threads count nothing per kind.
   */
  monitoring?: boolean | MonitoringOptions;
  /**
   * Traces sampled messages across threads (W3C trace context, a span per send and per handler)
   * into an OpenTelemetry SpanExporter. See the README's *Tracing*. Absent: nothing is traced.
   */
  tracing?: TracingOptions;
  /** The system's own structured log: its start and shutdown, failures, stuck handlers, replaced workers, alerts… Absent: none. */
  logging?: LoggingOptions;
}
