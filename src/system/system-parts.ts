import type { ActorRef } from '../actor/actor-ref.js';
import type { JournalService } from '../persistence/journal-service.js';
import type { SystemTracing } from '../observability/tracing/system-tracing.js';
import type { SystemLog } from '../observability/system-log.js';
import type { Runtime } from '../runtime/runtime.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { EventStream } from './event-stream.js';
import type { Placements } from './placements.js';
import type { StopWaiters } from './stop-waiters.js';

/** What the main thread's rooms (spawning, pools, moves, workers) share of the system. */
export interface SystemParts {
  readonly runtime: Runtime;
  /** The journal of persistent actors, and the requests of every thread for it. */
  readonly journal: JournalService;
  /** The system's log (the `logging` option), once started: the workers' `ctx.log` entries go to it. */
  log(): SystemLog | null;
  /** Tracing (the `tracing` option): the workers' spans go to its exporter. */
  readonly tracing: SystemTracing | null;
  readonly scheduler: Scheduler;
  readonly events: EventStream<RuntimeEvent>;
  /** Top-level actors on workers (what a worker replacement re-creates) and named actors. */
  readonly placements: Placements;
  /** The promises of system.stop: settled when a worker dies with the actors they wait for. */
  readonly stopWaiters: StopWaiters;
  /** Where moved actors went: packed old ref → packed current ref. */
  readonly movedTo: Map<number, number>;
  /** Worker threads of the pool (numbers 1…workerCount), then the dedicated ones. */
  readonly workerCount: number;
  readonly dedicatedCount: number;
  /** False once shutdown has begun. */
  running(): boolean;
  /** Stops an actor (system.stop). */
  stop(ref: ActorRef): void;
}
