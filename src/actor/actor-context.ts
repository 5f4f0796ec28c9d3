import type { ActorDefinition } from './actor-definition.js';
import type { ActorLog } from '../observability/actor-log.js';
import type { ActorRef, AskOptions } from './actor-ref.js';
import type { SpawnOptions } from './spawn-options.js';
import type { ReliableOptions } from '../reliable/reliable-producer.js';
import type { ReliableRef } from '../reliable/reliable-ref.js';

/** A timer started by `scheduleOnce` / `scheduleRepeatedly`. */
export interface Cancellable {
  cancel(): void;
}

/** Delivered to `receive` when the receive timeout passes without a message. */
export interface ReceiveTimeout {
  readonly type: 'bactor.receive-timeout';
}
export const RECEIVE_TIMEOUT: ReceiveTimeout = Object.freeze({ type: 'bactor.receive-timeout' });

/**
 * What a handler can do. `M` is the actor's message type, `R` its reply type. A context is only
 * valid while the handler (or hook) it was given to runs, and in the promise it returns.
 */
export interface ActorContext<M = unknown, R = unknown> {
  readonly self: ActorRef<M, R>;
  /** Who sent the message being handled (null when sent from outside any actor without ask). */
  readonly sender: ActorRef | null;
  /** The parent (the root guardian's ref for top-level actors). */
  readonly parent: ActorRef | null;
  readonly children: readonly ActorRef[];
  /** This actor's structured log: to the system's (`logging`), with its ref and thread; nothing without it. */
  readonly log: ActorLog;
  /** Answers the ask (or the sender) of the message being handled. */
  respond(reply: R): void;
  /** Sends the message being handled on to `target`, keeping its original sender. */
  forward(target: ActorRef): void;
  /** Spawns a child on this actor's thread; supervised by this actor. */
  spawn<CM, CR, CA>(definition: ActorDefinition<CM, CR, CA>, args: CA, options?: SpawnOptions): ActorRef<CM, CR>;
  /** Asks another actor; the handler may await it. */
  ask<TM, TR>(target: ActorRef<TM, TR>, message: TM, options?: AskOptions): Promise<TR>;
  /** Stops `target` (default: this actor) after the message being handled. */
  stop(target?: ActorRef): void;
  /** Receive `terminated(state, ref)` when `target` stops. */
  watch(target: ActorRef): void;
  unwatch(target: ActorRef): void;
  /** Handles the next messages with `receive` until `unbecome` (stacked). */
  become(receive: (state: never, message: M, ctx: ActorContext<M, R>) => unknown): void;
  unbecome(): void;
  /** Sets the message being handled aside until `unstashAll`. */
  stash(): void;
  /** Puts every stashed message back at the front of the mailbox, in order. */
  unstashAll(): void;
  /** Sends `message` to this actor after `delayMs`. */
  scheduleOnce(delayMs: number, message: M): Cancellable;
  /** Sends `message` to this actor every `intervalMs`, first after `initialDelayMs`. */
  scheduleRepeatedly(initialDelayMs: number, intervalMs: number, message: M): Cancellable;
  /** Receive `RECEIVE_TIMEOUT` after `ms` without a message; 0 turns it off. */
  setReceiveTimeout(ms: number): void;
  /** Runs stateless CPU work on the task pool without blocking this worker's other actors. */
  runTask<T, A>(taskModuleUrl: string, exportName: string, input: A): Promise<T>;
  /**
   * A ref with reliable delivery to `target`: what it is told arrives once and in order, across
   * threads and nodes, through lost messages and broken connections (numbered, acknowledged,
   * sent again until acknowledged, duplicates dropped at the target). Its producer is a child
   * of this actor (kept in memory: it ends with this actor).
   */
  reliable<TM>(target: ActorRef<TM>, options?: ReliableOptions): ReliableRef<TM>;
  /**
   * A persistent actor (behavior.persistence) stores: an event-sourced one an event or an array
   * of events, applied to the state by `apply` once stored; a durable-state one its new state.
   * The actor takes no other message until they are stored (await it to go on after). A failed
   * write fails the actor through its supervisor (the promise rejects with the cause); an event
   * that cannot be stored throws ERR_UNSERIALIZABLE_MESSAGE here, changing nothing.
   */
  persist(eventsOrState: unknown): Promise<void>;
  /**
   * `persist` without the wait (Akka's persistAsync): the actor goes on taking messages while the
   * events are stored — many actors' and many messages' events then share a commit. They are
   * applied, in order, once stored (a message handled meanwhile does not see them yet); a later
   * `persist` waits for them too. Failures as for persist.
   */
  persistAsync(eventsOrState: unknown): Promise<void>;
  /** The sequence number of the last event stored (durable state: the revision); 0 before any, and for other actors. */
  readonly lastSequenceNr: number;
  /** An event-sourced actor saves its state now as a snapshot (recovery starts from the latest). */
  saveSnapshot(): Promise<void>;
  /** An event-sourced actor deletes its stored events up to `toSeq` (sequence numbers are never reused). */
  deleteEvents(toSeq: number): Promise<void>;
}
