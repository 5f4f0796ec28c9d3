import { TYPE_CODE_SPAN } from '../../native-free-core/layout/stats-layout.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { Deque } from '../mailbox/deque.js';
import { FifoQueue, type MessageQueue, createQueue } from '../mailbox/mailbox.js';
import type { ActorCell } from './actor-cell.js';
import type { ActorDefinition } from './actor-definition.js';
import { ActorRef } from './actor-ref.js';
import type { CellHost, MailboxHost, SystemOp } from './cell-host.js';
import { type CellLimits, NO_MARK, hasMovableOption, limitsOf } from './cell-limits.js';
import {
  CellExtras,
  FLOW_CONGESTED,
  FLOW_GRANTED,
  HOLD_BUSY,
  HOLD_CONGESTED,
  HOLD_PAUSED,
  HOLD_RING,
  HOLD_STATUS,
  NO_EXTRAS,
  type Receive,
  RUNNING,
  STOPPED,
} from './cell-state.js';
import type { SpawnOptions } from './spawn-options.js';
import { TracedMessage, tracingOn } from '../observability/tracing/trace-context.js';

/** A grant covers about this many ms of the consumer's measured handler time. */
const GRANT_MS = 20;
/** The congestion mark covers about this many ms of it (at most the mailbox's highWater). */
const MARK_MS = 100;
const MIN_GRANT = 16;
const UNMEASURED_MARK = 4096;
const MIN_MARK = 64;

/**
 * An actor's mailbox side (ActorCell is the whole actor; see cell-turns.ts, cell-lifecycle.ts):
 * its fields, the hold bits that keep it from taking messages, `enqueue` with the bounded
 * mailbox's overflow policies, and per-actor flow control toward senders — the congestion mark,
 * grants, and the local senders it paused.
 */
export abstract class CellMailbox {
  readonly self: ActorRef;
  readonly parent: ActorRef | null;
  readonly parentCell: ActorCell | null;
  readonly queue: MessageQueue;
  /** The queue is the default FIFO (the run loop takes from it without virtual calls). */
  /** False also once reliable deliveries come (their envelopes are unwrapped on the general path, see CellTurns.run). */
  protected fifo: boolean;
  /** Throughput and mailbox limits, shared by the actors of one definition and options. */
  protected readonly limits: CellLimits;
  /** System messages, allocated on the first one. */
  protected system: Deque<SystemOp> | null = null;
  /** The runtime's run queue holds this cell. */
  scheduled = false;
  /** Its kind's slot in the thread's metrics region (-1 without monitoring: nothing is counted). */
  readonly metricsBase: number;
  /** Smoothed nanoseconds per message of its timed turns (0: none timed yet), an integer (no boxed double per actor). */
  protected nsPerMessage = 0;
  /** Backlog at which senders are held back: the mailbox's highWater, lower for a slow actor (see retune). */
  protected mark: number;
  /** A handler's promise has not settled yet. */
  get busy(): boolean {
    return (this.hold & HOLD_BUSY) !== 0;
  }
  set busy(value: boolean) {
    this.hold = value ? this.hold | HOLD_BUSY : this.hold & ~HOLD_BUSY;
  }
  state: unknown = undefined;
  /** The message being handled and its sender. */
  message: unknown = undefined;
  sender: ActorRef | null = null;
  /** The last message's type key (its `type`, or its typeof) and the stamp it gave: one compare per message. */
  protected lastTypeKey: unknown = null;
  protected stamp: number;

  /**
   * Why the cell takes no user message now, as bits (0: it can): the run loop tests one word
   * instead of status, busy and paused.
   */
  protected hold = 0;
  protected statusValue = RUNNING;
  protected get status(): number {
    return this.statusValue;
  }
  protected set status(value: number) {
    this.statusValue = value;
    this.hold = value === RUNNING ? this.hold & ~HOLD_STATUS : this.hold | HOLD_STATUS;
  }
  protected receiveFn: Receive;
  /** Rarely used fields, allocated on first write: an idle actor stays small. */
  protected x: CellExtras = NO_EXTRAS;

  protected w(): CellExtras {
    if (this.x === NO_EXTRAS) this.x = new CellExtras();
    return this.x;
  }

  /** The runtime of its thread, as the mailbox sees it (each layer sees its part: cell-host.ts). */
  readonly host: MailboxHost;

  constructor(
    host: CellHost,
    readonly id: number,
    readonly definition: ActorDefinition<unknown, unknown, unknown>,
    readonly args: unknown,
    parentCell: ActorCell | null,
    parentRef: ActorRef | null,
    options: SpawnOptions | undefined,
  ) {
    this.host = host;
    this.self = new ActorRef(host.participant, id, definition.name);
    this.stamp = id * TYPE_CODE_SPAN;
    this.metricsBase = host.metrics === null ? -1 : host.metrics.base(definition.name);
    this.self._cell = this;
    this.parentCell = parentCell;
    this.parent = parentCell?.self ?? parentRef;
    const mailbox = options?.mailbox ?? definition.behavior.mailbox;
    this.queue = createQueue(mailbox);
    this.fifo = this.queue instanceof FifoQueue;
    this.limits = limitsOf(definition, options);
    // Until its time per message is measured (retune), a mark of UNMEASURED_MARK: a slow actor
    // must not take a whole high-water mark of backlog before anyone knows it is slow.
    this.mark = Math.min(this.limits.highWater, UNMEASURED_MARK);
    if (options?.name !== undefined) this.w().name = options.name;
    // Kept for a move (placement options stay behind); none given, nothing kept: most actors stay small.
    if (options !== undefined && parentCell === null && hasMovableOption(options)) this.w().spawnOptions = options;
    this.receiveFn = definition.behavior.receive as Receive;
  }

  /** The name given at spawn, if any. */
  get name(): string | undefined {
    return this.x.name;
  }

  get isStopped(): boolean {
    return this.status === STOPPED;
  }

  /** True when the runtime should run this cell now. */
  get runnable(): boolean {
    if (this.system !== null && this.system.length > 0) return true;
    return this.hold === 0 && this.queue.length > 0;
  }

  /** Suspended by a full 'backpressure' mailbox it sent to: takes no user message until released. */
  get paused(): boolean {
    return (this.hold & HOLD_PAUSED) !== 0;
  }
  set paused(value: boolean) {
    this.hold = value ? this.hold | HOLD_PAUSED : this.hold & ~HOLD_PAUSED;
  }

  /** Takes no user message now (stopped, restarting, busy with a promise, suspended). */
  get held(): boolean {
    return this.hold !== 0;
  }

  /** Suspends the actor after its handler: a ring it sent into is full. False if it already was. */
  holdForRing(): boolean {
    return this.holdFor(HOLD_RING);
  }

  /** The ring took what waited: the actor takes messages again. */
  releaseRing(): void {
    this.release(HOLD_RING);
  }

  /** Suspends the actor after its handler: it sent to a congested actor on another thread. */
  holdForCongestion(): boolean {
    return this.holdFor(HOLD_CONGESTED);
  }

  releaseCongestion(): void {
    this.release(HOLD_CONGESTED);
  }

  /** Sets a hold bit (it takes no user message while any is set); false if it was set already. */
  protected holdFor(bit: number): boolean {
    if ((this.hold & bit) !== 0) return false;
    this.hold |= bit;
    return true;
  }

  /** Clears a hold bit and schedules the actor if it can run now. */
  protected release(bit: number): void {
    this.hold &= ~bit;
    if (this.runnable && !this.scheduled) this.host.schedule(this);
  }

  /**
   * The backlog reached the high-water mark: senders on other threads are told (the first time
   * only: from then on they send within grants, which bound them already; a notice at every
   * crossing cost a local producer's worker ~1,000 control records a second, and those records
   * made the scheduler's latency rule shrink its batch), and a sender on this thread is
   * suspended after its handler. The message is kept.
   */
  protected overHighWater(sender: ActorRef | null): void {
    if (this.x.flow === 0) {
      this.w().flow = FLOW_CONGESTED;
      this.host.congestion(this, 'congested', this.limits.highWater);
    }
    const senderCell = sender?._cell as ActorCell | undefined;
    if (senderCell !== undefined && senderCell.host === this.host && (senderCell as CellMailbox) !== this && !senderCell.paused) {
      senderCell.paused = true;
      (this.w().pausedSenders ??= []).push(senderCell);
    }
  }

  /**
   * After a turn, under flow control: once the backlog is down to half a grant, the senders get
   * a new grant (if they used at least half of the last one; otherwise they still have credit).
   */
  protected flowTurn(): void {
    const grant = this.grantSize();
    if (this.queue.length > grant >> 1) return;
    // Measured against the grant they got (the size follows the measured handler time): a
    // producer that spent it all always gets the next one.
    const x = this.w();
    if (x.flow === FLOW_GRANTED && x.sinceGrant < x.lastGrant >> 1) return;
    x.flow = FLOW_GRANTED;
    x.sinceGrant = 0;
    x.lastGrant = grant;
    this.host.congestion(this, 'grant', grant);
  }

  /** The actor stopped or moved: senders are let go for good. */
  protected releaseFlow(): void {
    this.w().flow = 0;
    this.host.congestion(this, 'release', 0);
  }

  /** Messages a grant allows: ~GRANT_MS of this actor's measured time per message. */
  protected grantSize(): number {
    const est = this.msPerMessage;
    const most = Math.max(MIN_GRANT, this.mark);
    return est > 0 ? Math.max(MIN_GRANT, Math.min(most, Math.floor(GRANT_MS / est))) : most;
  }

  /** Smoothed milliseconds per message of its timed turns (0: none timed yet); see Runtime.timedRun. */
  get msPerMessage(): number {
    return this.nsPerMessage / 1e6;
  }

  /** A timed turn took `ms` for `n` messages: the estimate follows (a quarter of the way), and the mark with it. */
  noteTurn(ms: number, n: number): void {
    const ns = Math.min(NO_MARK, Math.max(1, Math.round((ms * 1e6) / n)));
    this.nsPerMessage = this.nsPerMessage === 0 ? ns : Math.round(this.nsPerMessage * 0.75 + ns * 0.25);
    this.retune();
  }

  /** Its time per message was measured again (Runtime.timedRun): the mark follows, ~MARK_MS of backlog. */
  protected retune(): void {
    const highWater = this.limits.highWater;
    if (highWater === NO_MARK) return;
    this.mark = Math.max(Math.min(MIN_MARK, highWater), Math.min(highWater, Math.floor(MARK_MS / this.msPerMessage)));
  }

  /** Releases the senders this mailbox suspended, once it is below capacity (or it stops). */
  protected releaseSenders(stopping = false): void {
    const senders = this.x.pausedSenders;
    if (senders === null) return;
    // A full 'backpressure' mailbox lets its senders go below its capacity; a congested one at its low-water mark.
    if (!stopping && (this.queue.length >= this.limits.capacity || (this.x.flow !== 0 && this.queue.length > this.grantSize() >> 1)))
      return;
    this.x.pausedSenders = null;
    for (const cell of senders) {
      cell.paused = false;
      if (cell.runnable && !cell.scheduled) this.host.schedule(cell);
    }
  }

  /** Queues a user message (sender's thread or ring delivery). */
  enqueue(message: unknown, sender: ActorRef | null): void {
    const queue = this.queue;
    // A priority or custom queue looks at messages: a sampled one goes in unwrapped (its trace ends here).
    if (tracingOn && message instanceof TracedMessage && !(queue instanceof FifoQueue)) message = message.message;
    if (queue.length < this.limits.capacity && this.status !== STOPPED) {
      queue.push(message, sender);
      // Every message from another thread counts toward the next grant, above the mark too: a
      // producer that spent its grant there would otherwise wait for a grant that never comes.
      if (this.x.flow !== 0 && (sender?._cell as ActorCell | undefined)?.host !== this.host) this.x.sinceGrant++;
      if (queue.length >= this.mark) this.overHighWater(sender);
      if (!this.scheduled) this.host.schedule(this);
      return;
    }
    this.enqueueSlow(message, sender);
  }

  /**
   * A message from another thread or node that reliable delivery dropped (a copy, or one after a
   * gap): under flow control it counts toward the next grant as if handled — its sender spent
   * credit on it — and a turn gives that grant if it is due.
   */
  reliableDropped(): void {
    if (this.x.flow === 0) return;
    this.x.sinceGrant++;
    if (!this.scheduled) this.host.schedule(this);
  }

  /** A full mailbox, a stopped actor, or one that moved. */
  protected enqueueSlow(message: unknown, sender: ActorRef | null): void {
    if (this.x.movedTo !== null) {
      this.host.tell(this.x.movedTo, message, sender);
      return;
    }
    if (this.status === STOPPED) {
      this.host.deadLetter(this.self, message, sender, 'stopped');
      return;
    }
    if (this.queue.length >= this.limits.capacity) {
      switch (this.limits.overflow) {
        case 'drop-newest':
          this.host.deadLetter(this.self, message, sender, 'mailbox-full');
          return;
        case 'drop-oldest': {
          const oldMessage = this.queue.peekMessage();
          const oldSender = this.queue.peekSender();
          this.queue.shift();
          this.host.deadLetter(this.self, oldMessage, oldSender, 'mailbox-full');
          break;
        }
        case 'backpressure': {
          const senderCell = sender?._cell as ActorCell | undefined;
          if (senderCell !== undefined && senderCell.host === this.host && (senderCell as CellMailbox) !== this && !senderCell.paused) {
            senderCell.paused = true;
            (this.w().pausedSenders ??= []).push(senderCell);
          }
          break;
        }
        default:
          this.host.deadLetter(this.self, message, sender, 'mailbox-full');
          throw new BactorError(
            ErrorCode.MAILBOX_FULL,
            `mailbox of ${this.self} is full (capacity=${this.limits.capacity}): message refused`,
          );
      }
    }
    this.queue.push(message, sender);
    if (!this.scheduled) this.host.schedule(this);
  }

  enqueueSystem(op: SystemOp): void {
    if (this.status === STOPPED) return;
    (this.system ??= new Deque()).push(op);
    if (!this.scheduled) this.host.schedule(this);
  }
}
