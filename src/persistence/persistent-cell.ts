import { packPortable, packPortableView, unpackPortable } from '../codec/portable.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { errorInfo } from '../errors/error-info.js';
import { Deque } from '../mailbox/deque.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { JournalClient, RecoveryParty, WriteParty } from './journal-client.js';
import type { PersistenceOptions } from './persistence-options.js';
import { ProgressSnapshot, type ReliableEnvelope, ReliableMark } from '../reliable/reliable-messages.js';

/** What a persistent actor's cell offers its persistence (cell-lifecycle.ts implements it). */
export interface PersistentActor {
  state: unknown;
  /** Holds user messages back while on (a recovery, or events not yet stored); off: the actor runs again. */
  holdForJournal(on: boolean): void;
  /** Fails the actor through its supervisor. */
  fail(error: unknown): void;
  publish(event: RuntimeEvent): void;
  /** Names the actor in errors and events. */
  readonly self: object;
  /** The reliable message whose handler is running, if any (what it persists carries its mark). */
  currentReliable(): ReliableEnvelope | null;
  /** Acknowledges a reliable message whose handler's events are stored. */
  acknowledge(envelope: ReliableEnvelope): void;
  /** A mark read back: message `seq` of durable producer `producerId` was handled. */
  restoreProgress(producerId: string, seq: number): void;
  /** The progress of durable producers, for a snapshot ([producerId, seq] pairs; null: none). */
  durableProgress(): [string, number][] | null;
}

interface Pending {
  events: unknown[];
  /** persist (the actor waits for it), not persistAsync. */
  held: boolean;
  resolve(): void;
  reject(error: unknown): void;
  /** Reliable messages whose handlers ended with this write pending: acknowledged once it is stored. */
  acks: ReliableEnvelope[] | null;
  /** The write's last seq. */
  last: number;
}

/** A durable-state actor keeps its last revision: every this many, a snapshot, and the revisions before it are deleted. */
const DURABLE_COMPACT_EVERY = 100;

const noop = (): void => undefined;

/**
 * The promises persistence hands out: a handler may ignore them (`void ctx.persist(…)`), and a
 * rejection nobody awaits must not end the worker as an unhandled one — the failure is reported
 * anyway (the actor fails, or a snapshot-failed event). Awaited, they reject as usual.
 */
function quiet(promise: Promise<void>): Promise<void> {
  promise.catch(noop);
  return promise;
}
const handled = (error: unknown): Promise<void> => quiet(Promise.reject(error));

/**
 * One persistent actor's journal side, for one incarnation of its state (a restart makes a new
 * one and closes this: answers to the old one are ignored). Recovery: the actor takes no user
 * message until its snapshot and events are applied. Persist: the events are packed at once (an
 * event that cannot be stored throws there, before anything changes), written with the other
 * actors' of the turn, and applied once stored; until then the actor takes no user message, so
 * what it handles next sees them (Akka's persist, not persistAsync). A failed write fails the
 * actor through its supervisor with the cause, and its promise rejects with it.
 */
export class PersistentCell implements WriteParty, RecoveryParty {
  /** The last sequence number given out (durable state: the revision); the events up to it may still be on their way. */
  seq = 0;
  /** The last sequence number stored and applied: the state is the events' up to it. */
  private storedSeq = 0;
  private readonly pending = new Deque<Pending>();
  /** Pending writes of `persist` (not persistAsync): the actor takes no user message while any is. */
  private held = 0;
  private recovering = false;
  private closed = false;
  /** Why the replay could not be applied (an event `apply` threw on, bytes that do not unpack). */
  private replayError: unknown = null;
  /** The write failure the actor failed with (its handler's rejection with it is not a second failure). */
  failure: unknown = null;
  private sinceSnapshot = 0;
  private readonly apply: ((state: unknown, event: unknown) => unknown) | null;
  private readonly snapshotEvery: number;
  private readonly deleteOnSnapshot: boolean;

  constructor(
    private readonly actor: PersistentActor,
    private readonly client: JournalClient,
    readonly persistenceId: string,
    options: PersistenceOptions<unknown, unknown>,
    /** The recovery is over and applied (the started or restarted hook runs next). */
    private readonly onRecovered: () => void,
  ) {
    const durable = 'durableState' in options;
    this.apply = durable ? null : (options.apply as (state: unknown, event: unknown) => unknown);
    this.snapshotEvery = durable ? DURABLE_COMPACT_EVERY : (options.snapshotEvery ?? 0);
    this.deleteOnSnapshot = durable || options.deleteOnSnapshot === true;
  }

  /** Takes over from a moved actor: its events up to `seq` are stored (a move waits for pending writes). */
  resumeAt(seq: number): void {
    this.seq = this.storedSeq = seq;
  }

  get durable(): boolean {
    return this.apply === null;
  }

  /** Asks the journal for the snapshot and events; the actor waits. */
  recover(): void {
    this.recovering = true;
    this.actor.holdForJournal(true);
    this.client.recover(this, this.persistenceId);
  }

  replayed(snapshot: [number, Uint8Array] | null, first: number, payloads: Uint8Array[]): void {
    if (this.closed || this.replayError !== null) return;
    const actor = this.actor;
    try {
      if (snapshot !== null) {
        const saved = unpackPortable(snapshot[1]);
        if (saved instanceof ProgressSnapshot) {
          actor.state = saved.state;
          for (const [producerId, seq] of saved.progress) actor.restoreProgress(producerId, seq);
        } else actor.state = saved;
        this.seq = snapshot[0];
      }
      for (let i = 0; i < payloads.length; i++) {
        const event = unpackPortable(payloads[i]!);
        if (event instanceof ReliableMark) actor.restoreProgress(event.producerId, event.seq);
        else this.applyOne(event);
        this.seq = first + i;
      }
    } catch (error) {
      this.replayError = new BactorError(
        ErrorCode.RECOVERY_FAILED,
        `recovery of ${String(actor.self)} (persistence id '${this.persistenceId}') failed at event ${this.seq + 1}: ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      );
    }
  }

  recovered(last: number, dropped: number, reason: string, failure: Error | null): void {
    if (this.closed) return;
    this.recovering = false;
    const actor = this.actor;
    const error =
      this.replayError ??
      (failure === null
        ? null
        : new BactorError(
            ErrorCode.RECOVERY_FAILED,
            `recovery of ${String(actor.self)} (persistence id '${this.persistenceId}') failed: ${failure.message}`,
            {
              cause: failure,
            },
          ));
    if (error !== null) {
      this.close();
      actor.fail(error);
      return;
    }
    if (last > this.seq) this.seq = last;
    this.storedSeq = this.seq;
    if (dropped > 0)
      actor.publish({ type: 'journal-dropped', actor: String(actor.self), persistenceId: this.persistenceId, dropped, reason });
    actor.holdForJournal(false);
    this.onRecovered();
  }

  /** ctx.persist (held) and ctx.persistAsync: events (event sourcing) or the new state (durable state). */
  persist(value: unknown, held: boolean): Promise<void> {
    if (this.closed || this.recovering)
      return handled(
        new BactorError(
          ErrorCode.ACTOR_STOPPED,
          `ctx.persist on ${String(this.actor.self)}: the actor ${this.closed ? 'stopped or restarted' : 'restarted and is recovering'} (a callback of an earlier incarnation?)`,
        ),
      );
    const events = this.apply !== null && Array.isArray(value) ? (value as unknown[]) : [value];
    if (events.length === 0) return Promise.resolve();
    for (let i = 0; i < events.length; i++)
      if (events[i] === undefined)
        throw new BactorError(
          ErrorCode.INVALID_ARGUMENT,
          `ctx.persist on ${String(this.actor.self)}: an event (or a state) cannot be undefined`,
        );
    const client = this.client;
    const mark = client.mark;
    // In a reliable message's handler (from a durable producer): its mark goes in the same write.
    const reliable = this.actor.currentReliable();
    const count = reliable?.producerId != null ? events.length + 1 : events.length;
    try {
      for (let i = 0; i < events.length; i++) client.addEvent(packPortableView(events[i]));
      if (count > events.length) client.addEvent(packPortableView(new ReliableMark(reliable!.producerId!, reliable!.seq)));
    } catch (error) {
      client.rollBack(mark);
      throw error;
    }
    const first = this.seq + 1;
    this.seq += count;
    if (held && this.held++ === 0) this.actor.holdForJournal(true);
    const promise = new Promise<void>((resolve, reject) =>
      this.pending.push({ events, held, resolve, reject, acks: null, last: first + count - 1 }),
    );
    // Whether the handler awaits it or not, a failure reaches the supervisor (see written): not an unhandled rejection too.
    quiet(promise);
    client.write(this, this.persistenceId, first, count);
    return promise;
  }

  written(error: Error | null): void {
    const head = this.pending.shift();
    if (this.closed || head === undefined) return;
    if (error !== null) {
      this.failure = error;
      this.close();
      head.reject(error);
      this.actor.fail(error);
      return;
    }
    const events = head.events;
    try {
      for (let i = 0; i < events.length; i++) this.applyOne(events[i]);
    } catch (applyError) {
      this.close();
      head.reject(applyError);
      this.failure = applyError;
      this.actor.fail(applyError);
      return;
    }
    this.storedSeq = head.last;
    // Acknowledged (their progress moves) before a snapshot, which keeps that progress.
    if (head.acks !== null) for (const envelope of head.acks) this.actor.acknowledge(envelope);
    this.sinceSnapshot += events.length;
    if (this.snapshotEvery > 0 && this.sinceSnapshot >= this.snapshotEvery) void this.saveSnapshot();
    if (head.held && --this.held === 0) this.actor.holdForJournal(false);
    head.resolve();
  }

  /** A reliable message's handler is done: true when a write is pending (it is acknowledged once stored — see written). */
  acknowledgeWhenStored(envelope: ReliableEnvelope): boolean {
    const last = this.pending.at(this.pending.length - 1);
    if (last === undefined) return false;
    (last.acks ??= []).push(envelope);
    return true;
  }

  private applyOne(event: unknown): void {
    const actor = this.actor;
    if (this.apply === null) {
      actor.state = event;
      return;
    }
    const next = this.apply(actor.state, event);
    if (next !== undefined) actor.state = next;
  }

  /** Saves the state as a snapshot after the last stored event (ctx.saveSnapshot, snapshotEvery): events still on their way are not in it. */
  saveSnapshot(): Promise<void> {
    this.sinceSnapshot = 0;
    const actor = this.actor;
    let payload: Uint8Array;
    try {
      const progress = actor.durableProgress();
      payload = packPortable(progress === null ? actor.state : new ProgressSnapshot(actor.state, progress));
    } catch (error) {
      this.snapshotFailed(error);
      return handled(error);
    }
    const seq = this.storedSeq;
    return quiet(
      new Promise<void>((resolve, reject) => {
        this.client.snapshot(this.persistenceId, seq, payload, this.deleteOnSnapshot ? seq : 0, (failure) => {
          if (failure === null) return resolve();
          this.snapshotFailed(failure);
          reject(failure);
        });
      }),
    );
  }

  private snapshotFailed(error: unknown): void {
    this.actor.publish({
      type: 'snapshot-failed',
      actor: String(this.actor.self),
      persistenceId: this.persistenceId,
      seq: this.seq,
      error: errorInfo(error),
    });
  }

  /** ctx.deleteEvents: removes the stored events up to `toSeq` (the sequence numbers go on). */
  deleteEvents(toSeq: number): Promise<void> {
    return quiet(
      new Promise<void>((resolve, reject) => {
        this.client.deleteTo(this.persistenceId, Math.min(toSeq, this.seq), (failure) => (failure === null ? resolve() : reject(failure)));
      }),
    );
  }

  /** The actor stopped or restarts: answers still on their way are ignored. */
  close(): void {
    this.closed = true;
    this.recovering = false;
  }

  get isRecovering(): boolean {
    return this.recovering;
  }
}
