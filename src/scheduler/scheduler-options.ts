/** The scheduler's options and what it reports (its figures per worker, a stuck handler). */
import type { HillClimberOptions } from './hill-climber.js';
import type { RebalanceOptions } from './rebalancer.js';

/** Where `spawn` puts an actor when it does not name a worker. */
export type PlacementStrategy = 'round-robin' | 'least-loaded';

export interface SchedulerOptions {
  /** Default placement. Default 'least-loaded' (round robin among equally loaded workers). */
  placement?: PlacementStrategy;
  /**
   * The adaptive controller: tunes each worker's quantum (messages per actor per turn) from
   * measured throughput. Default on; `false` keeps the knobs where `quantum` and `spins` set them.
   */
  adaptive?: boolean | HillClimberOptions;
  /** Messages per actor per turn for actors without their own throughput. Default 100. */
  quantum?: number;
  /** Messages a worker runs between two looks at its inbound rings. Default 4096. */
  batch?: number;
  /**
   * The controller keeps a busy worker's loop turn (the longest a message from another thread
   * waits to be read) under this many milliseconds by lowering the batch, and raises the batch
   * again when turns are far shorter. Default 1; an eighth of it while other threads keep sending
   * to the worker (the batch never goes below 256: each loop turn costs a clock read and a look at
   * every ring), and then the quantum is capped too, so that one pass over the run queue fits in
   * that eighth (a message read from a ring waits behind the actors already queued).
   */
  latencyTargetMs?: number;
  /**
   * A handler running longer than `limitMs` (default 1000) is reported with its actor and message
   * type. With `restart`, it is interrupted in place (by 2 × limitMs) and its actor fails with
   * ERR_HANDLER_STUCK (supervised: restarted by default) while the worker's other actors and
   * their mailboxes carry on; a handler that cannot be interrupted (native code) gets its worker
   * replaced.
   */
  watchdog?: { limitMs?: number; restart?: boolean } | false;
  /** Milliseconds between two looks at the stats block. Default 100. */
  intervalMs?: number;
  /**
   * Rebalancing (see `Rebalancer`): every `everyMs` (default 2000) one top-level actor moves from
   * the busiest pool worker to the idlest when they differ by `minImbalance` of a core (default
   * 0.35; per-actor handler time is sampled, ~1 turn in 64), or else one actor of the busiest
   * chatty cross-thread pair above `minMessagesPerSecond` (default 2,000; one send in 64 sampled)
   * moves next to the other. Actors spawned with `worker: n` are pinned and never move. Off by
   * default: a move copies the actor's state and mailbox, and undoes a placement the application
   * chose with `near`.
   */
  rebalance?: boolean | RebalanceOptions;
}

/** One worker's figures, from the stats block. */
export interface WorkerStats {
  worker: number;
  actors: number;
  /** Messages handled since start. */
  processed: number;
  /** Messages per second over the last interval. */
  rate: number;
  /** Share of the last interval the worker spent working (0–1). */
  utilisation: number;
  busyMs: number;
  /** Milliseconds in actor turns (estimated from timed turns; see HANDLER_MS in stats-layout.ts). */
  handlerMs: number;
  parkedMs: number;
  parks: number;
  wakeups: number;
  runQueue: number;
  deadLetters: number;
  /** Records waiting for room in full outbound rings. */
  overflow: number;
  /** Actors suspended by a full ring. */
  suspended: number;
  /**
   * Messages it took from other threads without keeping them for a replacement (its ledger was
   * full: a backlog past 65,536 messages or 4 MiB); they would be lost if it died.
   */
  unkept: number;
  /** The knobs in force. */
  quantum: number;
  batch: number;
  spins: number;
  /** Average milliseconds of one loop turn over the last interval, while busy. */
  loopMs: number;
}

/** What the watchdog reports: a handler that has not returned within the limit. */
export interface StuckHandler {
  worker: number;
  actorId: number;
  /** The type of the message the handler is on (`type` of an object message, else its typeof). */
  messageType: string;
  ms: number;
  /**
   * 'detected': the handler ran past the limit. 'unresponsive' (restart policy only): the
   * worker's guard did not interrupt it in time (the handler is in native code, or the thread is
   * starved), so the worker must be replaced.
   */
  phase: 'detected' | 'unresponsive';
}
