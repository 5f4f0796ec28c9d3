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

/** What a cell needs from the runtime of its thread. */
export interface CellHost {
  readonly participant: number;
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
  tell(target: ActorRef, message: unknown, sender: ActorRef | null): boolean;
  ask(target: ActorRef, message: unknown, timeoutMs: number): Promise<unknown>;
  schedule(cell: CellMailbox): void;
  spawnChild(
    parent: ActorCell,
    definition: ActorDefinition<unknown, unknown, unknown>,
    args: unknown,
    options: SpawnOptions | undefined,
  ): ActorCell;
  removeCell(cell: CellLifecycle): void;
  deadLetter(target: ActorRef, message: unknown, sender: ActorRef | null, reason: string): void;
  /** The handler `actor` was running for an ask failed: the asker learns it now (ERR_ACTOR_FAILED), not at its timeout. */
  failAsk(asker: ActorRef, actor: ActorRef, messageType: string, error: unknown): void;
  /**
   * This actor's backlog crossed its high-water mark (`on`, with the mark) or drained to its
   * low-water mark: every other thread is told, so their actors that send to it are held back.
   */
  congestion(cell: CellMailbox, signal: FlowSignal, amount: number): void;
  /** Publishes a supervision decision nobody would see otherwise (a child stopped past its restart intensity). */
  reportFailure(actor: ActorRef, error: unknown, directive: string): void;
  /** The cell whose turn runs now on this thread, if any. */
  readonly currentCell: CellLifecycle | null;
  /** Delivers a system op to an actor on any thread. */
  sendSystem(
    target: ActorRef,
    op: { k: 'stop' } | { k: 'watch' | 'unwatch'; watcher: ActorRef } | { k: 'terminated'; ref: ActorRef },
  ): void;
  /** A top-level actor failed: the root guardian decides. */
  guardianFailure(cell: CellLifecycle, error: unknown): void;
  /** A handler promise started (+1) or settled (-1): the loop must let the event loop run. */
  asyncDelta(delta: number): void;
  runTask<T>(moduleUrl: string, exportName: string, input: unknown): Promise<T>;
  random(): number;
}
