import type { ActorTap } from '../runtime/actor-taps.js';
import type { ActorRef } from './actor-ref.js';
import type { ActorContext } from './actor-context.js';
import type { PairDeque } from '../mailbox/deque.js';
import type { RestartWindow } from '../supervision/supervisor-strategy.js';
import type { SpawnOptions } from './spawn-options.js';
import type { CellLifecycle } from './cell-lifecycle.js';
import type { CellMailbox } from './cell-mailbox.js';
import type { PersistentCell } from '../persistence/persistent-cell.js';
import type { ProducerProgress } from '../reliable/reliable-inbox.js';
import type { ReliableEnvelope } from '../reliable/reliable-messages.js';

/** An actor's message handler (its behaviour, or one it switched to with `become`). */
export type Receive = (state: unknown, message: unknown, ctx: ActorContext<unknown, unknown>) => unknown;

/** Where an actor is in its life (ActorCell's status). */
export const RUNNING = 0;
/** Failed, waiting for its supervisor's decision: system messages only. */
export const SUSPENDED = 1;
export const STOPPED = 2;

/**
 * Why a cell takes no user message now, as bits of one word (0: it can): the run loop tests one
 * word instead of status, busy and paused.
 */
export const HOLD_STATUS = 1;
/** A handler's promise has not settled yet. */
export const HOLD_BUSY = 2;
/** Suspended by a full 'backpressure' mailbox, or a congested local one, it sent to. */
export const HOLD_PAUSED = 4;
/** A ring it sent into is full (released by the runtime's flush). */
export const HOLD_RING = 8;
/** The turn has sent its limit: it ends after the message being handled (cleared when it does). */
export const HOLD_YIELD = 16;
/** It sent to an actor on another thread whose backlog is past its high-water mark (see Congestion). */
export const HOLD_CONGESTED = 32;
/** A persistent actor recovers, or waits for its events to be stored (see PersistentCell). */
export const HOLD_PERSIST = 64;

/** Flow control of an actor toward senders on other threads (CellExtras.flow; 0: none). */
export const FLOW_CONGESTED = 1;
export const FLOW_GRANTED = 2;

/** Fields most actors never use (behaviour stack, stash, children, watches, timers, restarts). */
export class CellExtras {
  becomeStack: Receive[] | null = null;
  stashed: PairDeque<unknown, ActorRef | null> | null = null;
  childCells: Set<CellLifecycle> | null = null;
  watchers: ActorRef[] | null = null;
  /** Packed refs this actor watches. */
  watching: Set<number | string> | null = null;
  timerHandles: Set<{ cancel(): void }> | null = null;
  receiveTimeoutMs = 0;
  receiveTimer: { cancel(): void } | null = null;
  restarts: RestartWindow | null = null;
  stopRequested = false;
  name: string | undefined = undefined;
  /** Local senders suspended by this full 'backpressure' mailbox. */
  pausedSenders: CellMailbox[] | null = null;
  /** The actor moved to another worker: what reaches this cell is forwarded there. */
  movedTo: ActorRef | null = null;
  /** The options it was spawned with (a move re-creates it with them). */
  spawnOptions: SpawnOptions | undefined = undefined;
  /**
   * Flow control toward senders on other threads: 0 none, FLOW_CONGESTED (senders hold off),
   * FLOW_GRANTED (senders send within grants); see FlowSignal.
   */
  flow = 0;
  /** Messages from other threads (or with no sender) enqueued since the last grant, and its size. */
  sinceGrant = 0;
  lastGrant = 0;
  /** The ledger slot of the kept message whose handler's promise is pending (-1: none; see TakenLedger). */
  asyncSlot = -1;
  /** Reliable delivery to this actor: per producer, the last seq put in its mailbox and the last handled (see ReliableInbox). */
  reliableProgress: Map<number | string, ProducerProgress> | null = null;
  /** The envelope whose handler's promise is pending (acknowledged when it settles). */
  reliablePending: ReliableEnvelope | null = null;
  /** A persistent actor's envelope whose handler runs: what it persists carries its mark (see PersistentCell.persist). */
  reliableCurrent: ReliableEnvelope | null = null;
  /** Handler failures so far (tracing marks the span of a handler that failed, whatever its supervisor did since). */
  failures = 0;
  /** Its tracing by `system.traceActor` (see runtime/actor-taps.ts). */
  tap: ActorTap | null = null;
  /** A persistent actor's journal side (behavior.persistence), for its current incarnation. */
  persistent: PersistentCell | null = null;
}

/** What a move carries to the actor's new worker. */
export interface MoveSnapshot {
  state: unknown;
  /** Queued user messages with their senders' packed refs (0: none), in order. */
  backlog: [unknown, number][];
  /** Packed refs and kinds of the actors watching it (and their node's incarnation when another node's). */
  watchers: [number, string, number?][];
  /** A persistent actor's last sequence number (its state is the events' up to it). */
  seq?: number;
}

/** Shared by every actor that has not written an extra field yet; never written itself. */
export const NO_EXTRAS: CellExtras = Object.freeze(new CellExtras()) as CellExtras;
