import type { ActorTap } from '../runtime/actor-taps.js';
import type { JournalClient } from '../persistence/journal-client.js';
import type { KindMetrics } from '../runtime/kind-metrics.js';
import type { ThreadLogs } from '../observability/actor-log.js';
import type { ThreadTracer } from '../observability/tracing/thread-tracer.js';
import type { ReliableConsumer } from '../reliable/reliable-inbox.js';
import type { ReliableEnvelope } from '../reliable/reliable-messages.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { TimerQueue } from '../runtime/timer-queue.js';
import type { ActorCell } from './actor-cell.js';
import type { ActorDefinition } from './actor-definition.js';
import type { ActorRef } from './actor-ref.js';
import type { CellLifecycle } from './cell-lifecycle.js';
import type { CellMailbox } from './cell-mailbox.js';
import type { SpawnOptions } from './spawn-options.js';

/** A message of the actor's system queue: always handled before user messages. */
export type SystemOp =
  | { k: 'stop' }
  | { k: 'failed'; child: CellLifecycle; error: unknown }
  | { k: 'terminated'; ref: ActorRef }
  | { k: 'watch'; watcher: ActorRef }
  | { k: 'unwatch'; watcher: ActorRef };

/**
 * Per-actor flow control toward senders on other threads (see congestion.ts and CellMailbox's flow control):
 * 'congested' — the backlog reached its mark, hold off (amount: how many more code outside actors
 * may send); 'grant' — the backlog is low, each sending thread may send `amount` more, then waits
 * for the next grant; 'release' — no more flow control (the actor stopped or moved).
 */
export type FlowSignal = 'congested' | 'grant' | 'release';

/**
 * What a cell needs from the runtime of its thread, by layer: each layer of the cell sees only
 * its part (CellMailbox: MailboxHost; CellTurns adds TurnHost; CellLifecycle adds LifecycleHost;
 * ActorCell, the context handed to handlers, adds ContextHost). The runtime implements the whole.
 */
export interface CellHost extends MailboxHost, TurnHost, LifecycleHost, ContextHost {}

/** The mailbox (cell-mailbox.ts): queueing, overflow policies, flow control. */
export interface MailboxHost {
  readonly participant: number;
  tell(target: ActorRef, message: unknown, sender: ActorRef | null): boolean;
  schedule(cell: CellMailbox): void;
  deadLetter(target: ActorRef, message: unknown, sender: ActorRef | null, reason: string): void;
  /**
   * Flow control of this actor toward every other thread (see FlowSignal): 'congested' when its
   * backlog first reaches its mark, then 'grant's as it drains, 'release' when it stops or moves.
   */
  congestion(cell: CellMailbox, signal: FlowSignal, amount: number): void;
  /** This thread's side of the metrics block (null without monitoring: cells count nothing). */
  readonly metrics: KindMetrics | null;
}

/** A turn (cell-turns.ts): the handler call, its budget, its timing, a handler's promise. */
export interface TurnHost {
  /** Messages per turn (taken, and sent: see ActorCell.run) for actors without their own throughput. */
  readonly quantum: number;
  /**
   * Sends left in the running turn (`tell` counts them down and ends the turn of the running
   * actor after its current message when none are left; see ActorCell.run).
   */
  sendBudget: number;
  readonly timers: TimerQueue;
  /** This thread's slot of the stats block (the cell rewrites CURRENT when its message type changes). */
  readonly stats: Float64Array;
  /** The code of a message type's name (see `describeMessageType`) in this thread's type-name table. */
  typeCode(name: string): number;
  /** This thread's tracer (null without tracing): a traced message's handler runs in its span. */
  readonly tracer: ThreadTracer | null;
  /** A handler promise started (+1) or settled (-1): while any is pending the loop lets ticks, microtasks and the event loop run (loop-turn.ts). */
  asyncDelta(delta: number): void;
  /** The handler of a message with reliable delivery has run: it is acknowledged (see ReliableInbox). */
  reliableHandled(consumer: ReliableConsumer, envelope: ReliableEnvelope): void;
  /** The tap of the traced actor whose handler runs now (system.traceActor): its sends are entries. */
  tapping: ActorTap | null;
}

/** Start, failure, restart, stop (cell-lifecycle.ts, with supervision/apply-directive.ts). */
export interface LifecycleHost {
  removeCell(cell: CellLifecycle): void;
  /** The handler `actor` was running for an ask failed: the asker learns it now (ERR_ACTOR_FAILED), not at its timeout. */
  failAsk(asker: ActorRef, actor: ActorRef, messageType: string, error: unknown): void;
  /** Delivers a system op to an actor on any thread. */
  sendSystem(
    target: ActorRef,
    op: { k: 'stop' } | { k: 'watch' | 'unwatch'; watcher: ActorRef } | { k: 'terminated'; ref: ActorRef },
  ): void;
  /** A top-level actor failed: the root guardian decides. */
  guardianFailure(cell: CellLifecycle, error: unknown): void;
  /** Publishes a supervision decision nobody would see otherwise (a child stopped past its restart intensity). */
  reportFailure(actor: ActorRef, error: unknown, directive: string): void;
  /** Backoff jitter of restarts. */
  random(): number;
  /** Persistent actors' way to the journal (on the main thread). */
  readonly journal: JournalClient;
  /** Publishes an event on the system's event stream. */
  publish(event: RuntimeEvent): void;
}

/** The ActorContext of a handler (actor-cell.ts): asks, children, tasks. */
export interface ContextHost {
  ask(target: ActorRef, message: unknown, timeoutMs: number): Promise<unknown>;
  spawnChild(
    parent: ActorCell,
    definition: ActorDefinition<unknown, unknown, unknown>,
    args: unknown,
    options: SpawnOptions | undefined,
  ): ActorCell;
  /** The cell whose turn runs now on this thread, if any. */
  readonly currentCell: CellLifecycle | null;
  runTask<T>(moduleUrl: string, exportName: string, input: unknown): Promise<T>;
  /** The actors' logs of this thread (`ctx.log`). */
  readonly logs: ThreadLogs;
}
