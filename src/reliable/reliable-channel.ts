import { type ActorRef, tellAs, tellReliable } from '../actor/actor-ref.js';
import { Deque } from '../mailbox/deque.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';

const MAX_BACKOFF_MS = 5000;
/** A durable producer deletes the acknowledged messages from its journal every this many acks (and on its timer). */
const DELETE_EVERY = 256;

export interface ProducerArgs {
  target: ActorRef;
  producerId: string;
  window: number;
  redeliverAfterMs: number;
  /** Accepted messages are stored in the journal before they are sent (see ReliableChannel). */
  durable: boolean;
}

/** What a durable producer does through its actor: store a message, delete the acknowledged ones. */
export interface DurableQueue {
  store(seq: number, message: unknown): Promise<void>;
  deleteTo(seq: number): void;
}

/**
 * The producer side of one reliable pair, the state of a ReliableProducer actor on the
 * producer's thread. `send` (called by the ReliableRef, on this thread) numbers a message, keeps
 * it until the consumer acknowledges it, and sends it within the window with the producer actor
 * as its sender (where the acks come back); unacknowledged messages go again when no ack comes
 * (go-back-N from the oldest, with backoff). A target on this thread gets plain tells: nothing
 * is lost between two actors of one thread (a worker's death takes both).
 *
 * Durable (`durable: true`): a message is accepted once it is stored in the journal under the
 * producer's id, and only then sent; acknowledged ones are deleted. A producer started later
 * with the same id (after its process died) recovers what was not acknowledged and sends it
 * first, numbered as before, so the consumers — who keep their progress under that id — drop
 * what they had already handled. Its messages carry the id; a target on its own thread goes
 * the numbered way too (the process may die).
 */
export class ReliableChannel {
  /** The last seq given out, the last acknowledged, the last sent (those after it wait for the window). */
  private next = 0;
  private acked = 0;
  private sent = 0;
  /** The last seq stored (durable) — only stored messages are sent; not durable: `next`. */
  private stored = 0;
  /** The messages acked+1 … next, in order. */
  private readonly buffer = new Deque<unknown>();
  private progressAt = performance.now();
  private backoff: number;
  private local: boolean;
  private closed = false;
  private stopped = false;
  private stopCause: unknown = null;
  private current: ActorRef;
  /** The target's node was lost or restarted: sending waits until `lookup` finds it again. */
  private paused = false;
  /** Durable: until the journal's messages are back (the started hook); what is told meanwhile waits here. */
  private recovering: boolean;
  private readonly waiting: unknown[] = [];
  /** Durable: the last seq deleted from the journal. */
  private deleted = 0;
  /** `stored()` callers: resolved once `seq` is stored. */
  private waiters: { seq: number; resolve(): void; reject(error: unknown): void }[] = [];
  /** Set by the durable producer actor. */
  queue: DurableQueue | null = null;
  /** Finds the target again after its node was lost or restarted (system.reliable with a name); null: a lost target is gone. */
  lookup: (() => Promise<ActorRef | undefined>) | null = null;

  constructor(
    private readonly args: ProducerArgs,
    /** The producer actor: the envelopes' sender. */
    private readonly self: ActorRef,
    /** Who the consumer's replies are forwarded to (the producing actor; null from the main thread). */
    readonly replyTo: ActorRef | null,
  ) {
    this.backoff = args.redeliverAfterMs;
    this.current = args.target;
    this.local = this.isLocal(args.target);
    this.recovering = args.durable;
  }

  private isLocal(target: ActorRef): boolean {
    return !this.args.durable && target.participant === this.self.participant && target.incarnation === this.self.incarnation;
  }

  get target(): ActorRef {
    return this.current;
  }

  get producerId(): string {
    return this.args.producerId;
  }

  /** Messages accepted and not yet acknowledged. */
  get pending(): number {
    return this.next - this.acked + this.waiting.length;
  }

  /** The target is gone: what is held, and what comes, goes to dead letters (sent as plain tells to the gone actor); nothing is pending any more. */
  close(): void {
    this.closed = true;
    while (this.buffer.length > 0) tellAs(this.current, this.buffer.shift(), this.replyTo);
    for (const message of this.waiting.splice(0)) tellAs(this.current, message, this.replyTo);
    this.acked = this.sent = this.next;
    if (this.args.durable && this.stored > this.deleted) this.queue?.deleteTo((this.deleted = this.stored));
  }

  /**
   * The producer actor stopped (the actor that made the ref stopped or restarted, or the system
   * shut down): the ref is dead. A durable producer's unacknowledged messages stay in the
   * journal, for the next producer with its id.
   */
  producerStopped(cause: unknown = null): void {
    // (Stopped because its target is gone: tells stay dead letters, as to any gone actor.)
    if (this.stopped || (this.closed && cause === null)) return;
    this.stopCause = cause;
    if (!this.args.durable && !this.closed) this.close();
    this.stopped = true;
    const error = this.stoppedError();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private stoppedError(): BactorError {
    return new BactorError(
      ErrorCode.ACTOR_STOPPED,
      `${this.args.producerId}: this ReliableRef's producer stopped (${this.stopCause === null ? 'the actor that made it stopped or restarted, or the system shut down' : `its journal failed: ${(this.stopCause as Error)?.message ?? String(this.stopCause)}`})`,
      this.stopCause === null ? undefined : { cause: this.stopCause },
    );
  }

  send(message: unknown): void {
    if (this.stopped) throw this.stoppedError();
    if (this.local || this.closed) {
      tellAs(this.current, message, this.replyTo);
      return;
    }
    if (this.recovering) this.waiting.push(message);
    else this.accept(message);
  }

  private accept(message: unknown): void {
    const seq = ++this.next;
    this.buffer.push(message);
    if (this.queue === null) {
      this.stored = seq;
      this.pump();
    } else
      this.queue.store(seq, message).catch((error: unknown) => {
        // The actor fails with it through its supervisor (and stops: see DurableReliableProducer).
        this.producerStopped(error);
      });
    if (!this.armed) this.armTimer();
  }

  /** Resolves once every message told so far is stored (at once unless durable); rejects if the producer stopped first. */
  whenStored(): Promise<void> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const seq = this.next + this.waiting.length;
    if (seq <= this.stored) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** Durable: message `seq` read back by the recovery, or stored (live). */
  onStored(seq: number, message: unknown): void {
    if (this.recovering) {
      if (this.buffer.length === 0) this.acked = seq - 1;
      this.buffer.push(message);
      this.next = seq;
      return;
    }
    this.stored = seq;
    while (this.waiters.length > 0 && this.waiters[0]!.seq <= seq) this.waiters.shift()!.resolve();
    this.pump();
  }

  /** Durable: the recovery is over, `last` the journal's last seq: what it held goes first, then what was told meanwhile. */
  recovered(last: number): void {
    this.recovering = false;
    if (this.buffer.length === 0) this.acked = this.next = last;
    this.sent = this.deleted = this.acked;
    this.stored = this.next;
    for (const message of this.waiting.splice(0)) this.accept(message);
    this.pump();
    if (this.next > this.acked && !this.armed) this.armTimer();
  }

  /** Sends what is stored and fits in the window. */
  private pump(): void {
    if (this.paused) return;
    const limit = Math.min(this.stored, this.acked + this.args.window);
    // The buffer holds acked+1 … next: the next to send is at index sent − acked.
    while (this.sent < limit) this.emit(this.sent + 1, this.buffer.at(this.sent++ - this.acked));
  }

  /**
   * The redelivery timer runs only while something is unacknowledged (an idle producer costs no
   * wake-ups): armed by a send, re-armed by a tick that finds messages still unacknowledged.
   */
  private armed = false;
  /** Set by the producer actor: a tick `ms` from now. */
  schedule: ((ms: number) => void) | null = null;

  private armTimer(): void {
    if (this.schedule === null) return;
    this.armed = true;
    this.schedule(Math.max(1, Math.floor(this.args.redeliverAfterMs / 2)));
  }

  private emit(seq: number, message: unknown): void {
    tellReliable(this.current, seq, this.acked + 1, message, this.self, this.args.durable ? this.args.producerId : null);
  }

  ack(seq: number): void {
    if (seq <= this.acked || seq > this.sent) return;
    for (let n = seq - this.acked; n > 0; n--) this.buffer.shift();
    this.acked = seq;
    this.progressAt = performance.now();
    this.backoff = this.args.redeliverAfterMs;
    if (this.queue !== null && this.acked - this.deleted >= DELETE_EVERY) this.queue.deleteTo((this.deleted = this.acked));
    this.pump();
  }

  /** The redelivery timer: everything unacknowledged goes again, oldest first, once no ack came for the backoff. */
  tick(): void {
    this.armed = false;
    const now = performance.now();
    if (this.queue !== null && this.acked > this.deleted) this.queue.deleteTo((this.deleted = this.acked));
    if (this.acked === this.next) {
      this.progressAt = now;
      return;
    }
    this.armTimer();
    if (this.paused || this.acked === this.sent || now - this.progressAt < this.backoff) return;
    this.progressAt = now;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    for (let seq = this.acked + 1; seq <= this.sent; seq++) this.emit(seq, this.buffer.at(seq - this.acked - 1));
  }

  /** The target's node was lost or restarted, and the target can be looked up again: sending waits for it. */
  lost(): void {
    this.paused = true;
  }

  /** The target found again (another incarnation of its node): everything unacknowledged goes to it, oldest first. */
  retarget(target: ActorRef): void {
    this.current = target;
    this.local = this.isLocal(target);
    this.paused = false;
    this.sent = this.acked;
    this.progressAt = performance.now();
    this.backoff = this.args.redeliverAfterMs;
    this.pump();
  }

  get isPaused(): boolean {
    return this.paused;
  }
}
