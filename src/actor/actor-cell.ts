import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { Deque, PairDeque } from '../mailbox/deque.js';
import { FifoQueue, type MailboxOptions, type MessageQueue, createQueue } from '../mailbox/mailbox.js';
import {
  DEFAULT_STRATEGY,
  type Directive,
  RestartWindow,
  type SupervisorStrategy,
  backoffDelay,
} from '../supervision/supervisor-strategy.js';
import { CURRENT, TYPE_CODE_SPAN } from '../../native-free-core/layout/stats-layout.js';
import type { TimerQueue } from '../runtime/timer-queue.js';
import { describeMessageType } from '../util/message-type.js';
import { type ActorContext, type Cancellable, RECEIVE_TIMEOUT } from './actor-context.js';
import type { ActorDefinition } from './actor-definition.js';
import { ActorRef, type AskOptions, localIdOf, participantOf } from './actor-ref.js';
import type { SpawnOptions } from './spawn-options.js';
import { askTimeout, checkRef, refError } from './ref-checks.js';
import { initFailure } from './spawn-failure.js';
import { describe, invalidOption, isNonNegative, isPositive, requireNumber } from '../util/option-bag.js';

/** Fields most actors never use (behaviour stack, stash, children, watches, timers, restarts). */
class CellExtras {
  becomeStack: Receive[] | null = null;
  stashed: PairDeque<unknown, ActorRef | null> | null = null;
  childCells: Set<ActorCell> | null = null;
  watchers: ActorRef[] | null = null;
  /** Packed refs this actor watches. */
  watching: Set<number> | null = null;
  timerHandles: Set<{ cancel(): void }> | null = null;
  receiveTimeoutMs = 0;
  receiveTimer: { cancel(): void } | null = null;
  restarts: RestartWindow | null = null;
  stopRequested = false;
  name: string | undefined = undefined;
  /** Local senders suspended by this full 'backpressure' mailbox. */
  pausedSenders: ActorCell[] | null = null;
  /** The actor moved to another worker: what reaches this cell is forwarded there. */
  movedTo: ActorRef | null = null;
  /** The options it was spawned with (a move re-creates it with them). */
  spawnOptions: SpawnOptions | undefined = undefined;
  /**
   * Flow control toward senders on other threads: 0 none, FLOW_CONGESTED (senders hold off),
   * FLOW_GRANTED (senders send within grants); see FlowSignal.
   */
  flow = 0;
  /** Messages enqueued since the last grant, and its size. */
  sinceGrant = 0;
  lastGrant = 0;
}

/** What a move carries to the actor's new worker. */
export interface MoveSnapshot {
  state: unknown;
  /** Queued user messages with their senders' packed refs (0: none), in order. */
  backlog: [unknown, number][];
  /** Packed refs and kinds of the actors watching it. */
  watchers: [number, string][];
}

interface CellLimits {
  readonly throughput: number;
  readonly capacity: number;
  readonly overflow: MailboxOptions['overflow'];
  /** Queued messages at which senders are held back (see `overHighWater`); NO_MARK: never. */
  readonly highWater: number;
}

/** No mark: a dropping or failing bounded mailbox, whose policy decides. */
const NO_MARK = 0x3fffffff;
/** Default high-water mark of a mailbox (see MailboxOptions.highWater). */
export const DEFAULT_HIGH_WATER = 32768;
const defaultLimits = new WeakMap<object, CellLimits>();
function limitsOf(definition: ActorDefinition<unknown, unknown, unknown>, options: SpawnOptions | undefined): CellLimits {
  const custom = options?.throughput !== undefined || options?.mailbox !== undefined;
  if (!custom) {
    const cached = defaultLimits.get(definition);
    if (cached !== undefined) return cached;
  }
  const mailbox = options?.mailbox ?? definition.behavior.mailbox;
  const capacity = mailbox?.capacity ?? Infinity;
  const overflow = mailbox?.overflow ?? 'fail';
  // Unbounded and 'backpressure' mailboxes hold their senders back; a dropping or failing one
  // keeps the bound it was given (unless a high-water mark is set).
  // NO_MARK, not Infinity: a small integer keeps the cell's mark field unboxed.
  const highWater = mailbox?.highWater ?? (capacity === Infinity ? DEFAULT_HIGH_WATER : overflow === 'backpressure' ? capacity : NO_MARK);
  const limits: CellLimits = {
    // 0: the thread's quantum, which the scheduler tunes.
    throughput: options?.throughput ?? 0,
    capacity,
    overflow,
    highWater,
  };
  if (!custom) defaultLimits.set(definition, limits);
  return limits;
}
function hasMovableOption(o: SpawnOptions): boolean {
  return o.name !== undefined || o.throughput !== undefined || o.mailbox !== undefined;
}

/** Shared by every actor that has not written an extra field yet; never written itself. */
const NO_EXTRAS: CellExtras = Object.freeze(new CellExtras()) as CellExtras;

/** A message of the actor's system queue: always handled before user messages. */
export type SystemOp =
  | { k: 'stop' }
  | { k: 'failed'; child: ActorCell; error: unknown }
  | { k: 'terminated'; ref: ActorRef }
  | { k: 'watch'; watcher: ActorRef }
  | { k: 'unwatch'; watcher: ActorRef };

/**
 * Per-actor flow control toward senders on other threads (see ARCHITECTURE.md, *Backpressure*):
 * 'congested' — the backlog reached its mark, hold off (amount: how many more code outside actors
 * may send); 'grant' — the backlog is low, each sending thread may send `amount` more, then waits
 * for the next grant; 'release' — no more flow control (the actor stopped or moved).
 */
export type FlowSignal = 'congested' | 'grant' | 'release';

/** A grant covers about this many ms of the consumer's measured handler time. */
const GRANT_MS = 20;
/** The congestion mark covers about this many ms of it (at most the mailbox's highWater). */
const MARK_MS = 100;
const MIN_GRANT = 16;
const UNMEASURED_MARK = 4096;
const MIN_MARK = 64;

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
  schedule(cell: ActorCell): void;
  spawnChild(
    parent: ActorCell,
    definition: ActorDefinition<unknown, unknown, unknown>,
    args: unknown,
    options: SpawnOptions | undefined,
  ): ActorCell;
  removeCell(cell: ActorCell): void;
  deadLetter(target: ActorRef, message: unknown, sender: ActorRef | null, reason: string): void;
  /** The handler `actor` was running for an ask failed: the asker learns it now (ERR_ACTOR_FAILED), not at its timeout. */
  failAsk(asker: ActorRef, actor: ActorRef, messageType: string, error: unknown): void;
  /**
   * This actor's backlog crossed its high-water mark (`on`, with the mark) or drained to its
   * low-water mark: every other thread is told, so their actors that send to it are held back.
   */
  congestion(cell: ActorCell, signal: FlowSignal, amount: number): void;
  /** Publishes a supervision decision nobody would see otherwise (a child stopped past its restart intensity). */
  reportFailure(actor: ActorRef, error: unknown, directive: string): void;
  /** The cell whose turn runs now on this thread, if any. */
  readonly currentCell: ActorCell | null;
  /** Delivers a system op to an actor on any thread. */
  sendSystem(
    target: ActorRef,
    op: { k: 'stop' } | { k: 'watch' | 'unwatch'; watcher: ActorRef } | { k: 'terminated'; ref: ActorRef },
  ): void;
  /** A top-level actor failed: the root guardian decides. */
  guardianFailure(cell: ActorCell, error: unknown): void;
  /** A handler promise started (+1) or settled (-1): the loop must let the event loop run. */
  asyncDelta(delta: number): void;
  runTask<T>(moduleUrl: string, exportName: string, input: unknown): Promise<T>;
  random(): number;
}

type Receive = (state: unknown, message: unknown, ctx: ActorContext<unknown, unknown>) => unknown;

const enum Status {
  Running,
  /** Failed, waiting for its supervisor's decision: system messages only. */
  Suspended,
  Stopped,
}

const RESTART_NOW = -1;
/** The watchdog's names for system messages (constant strings: no concatenation per message). */
const SYSTEM_TYPE_NAMES: Record<SystemOp['k'], string> = {
  stop: 'system:stop',
  failed: 'system:failed',
  terminated: 'system:terminated',
  watch: 'system:watch',
  unwatch: 'system:unwatch',
};
/** Most messages a quarter-of-the-backlog turn takes (a bound on a light turn's length). */
const MAX_BOOST = 16_384;
const HOLD_STATUS = 1;
const HOLD_BUSY = 2;
const HOLD_PAUSED = 4;
const HOLD_RING = 8;
/** The turn has sent its limit: it ends after the message being handled (cleared when it does). */
const HOLD_YIELD = 16;
/** It sent to an actor on another thread whose backlog is past its high-water mark (see Congestion). */
const HOLD_CONGESTED = 32;
const FLOW_CONGESTED = 1;
const FLOW_GRANTED = 2;

/**
 * One actor: its state, mailbox, behaviour stack, children and watchers. It is also the context
 * handed to its handlers (no allocation per message). Only its runtime's thread touches it.
 */
export class ActorCell implements ActorContext<unknown, unknown> {
  readonly self: ActorRef;
  readonly parent: ActorRef | null;
  readonly parentCell: ActorCell | null;
  readonly queue: MessageQueue;
  /** The queue is the default FIFO (the run loop takes from it without virtual calls). */
  private readonly fifo: boolean;
  /** Throughput and mailbox limits, shared by the actors of one definition and options. */
  private readonly limits: CellLimits;
  /** System messages, allocated on the first one. */
  private system: Deque<SystemOp> | null = null;
  /** The runtime's run queue holds this cell. */
  scheduled = false;
  /** Smoothed nanoseconds per message of its timed turns (0: none timed yet), an integer (no boxed double per actor). */
  private nsPerMessage = 0;
  /** Backlog at which senders are held back: the mailbox's highWater, lower for a slow actor (see retune). */
  private mark: number;
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
  private lastTypeKey: unknown = null;
  private stamp: number;

  /**
   * Why the cell takes no user message now, as bits (0: it can): the run loop tests one word
   * instead of status, busy and paused.
   */
  private hold = 0;
  private statusValue = Status.Running;
  private get status(): Status {
    return this.statusValue;
  }
  private set status(value: Status) {
    this.statusValue = value;
    this.hold = value === Status.Running ? this.hold & ~HOLD_STATUS : this.hold | HOLD_STATUS;
  }
  private receiveFn: Receive;
  /** Rarely used fields, allocated on first write: an idle actor stays small. */
  private x: CellExtras = NO_EXTRAS;

  private w(): CellExtras {
    if (this.x === NO_EXTRAS) this.x = new CellExtras();
    return this.x;
  }

  constructor(
    readonly host: CellHost,
    readonly id: number,
    readonly definition: ActorDefinition<unknown, unknown, unknown>,
    readonly args: unknown,
    parentCell: ActorCell | null,
    parentRef: ActorRef | null,
    options: SpawnOptions | undefined,
  ) {
    this.self = new ActorRef(host.participant, id, definition.name);
    this.stamp = id * TYPE_CODE_SPAN;
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

  /** Runs init and the started hook. If either throws, the spawn fails with ERR_ACTOR_INIT_FAILED. */
  start(): void {
    let hook: 'init' | 'started' = 'init';
    try {
      this.state = this.definition.behavior.init(this.args, this);
      hook = 'started';
      this.definition.behavior.started?.(this.state, this);
    } catch (error) {
      throw initFailure(String(this.self), hook, error);
    }
  }

  /** The name given at spawn, if any. */
  get name(): string | undefined {
    return this.x.name;
  }

  get isStopped(): boolean {
    return this.status === Status.Stopped;
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

  /**
   * What a move to another worker carries: the state, the queued messages, the watchers. Throws
   * (and changes nothing) if the actor is in a state that cannot move.
   */
  snapshotForMove(): MoveSnapshot {
    // Watch and unwatch change nothing but the watcher list, which moves too: apply them now
    // (a freshly spawned actor usually has its guardian's watch pending).
    while (this.system !== null && this.system.length > 0 && (this.system.peek()!.k === 'watch' || this.system.peek()!.k === 'unwatch')) {
      this.handleSystem(this.system.shift()!);
    }
    const why =
      this.status !== Status.Running
        ? 'it is not running'
        : this.busy
          ? 'a handler promise is pending'
          : this.x.childCells !== null && this.x.childCells.size > 0
            ? 'it has children'
            : this.system !== null && this.system.length > 0
              ? 'system messages are pending'
              : (this.x.stashed?.length ?? 0) > 0
                ? 'it has stashed messages'
                : (this.x.timerHandles?.size ?? 0) > 0 || this.x.receiveTimeoutMs > 0
                  ? 'it has timers'
                  : this.x.becomeStack !== null && this.x.becomeStack.length > 0
                    ? 'it switched behaviour (become)'
                    : !(this.queue instanceof FifoQueue)
                      ? 'its mailbox is not the default FIFO'
                      : null;
    if (why !== null) throw new BactorError(ErrorCode.INVALID_OPTION, `cannot move ${this.self}: ${why}`);
    const backlog: [unknown, number][] = [];
    const q = this.queue as FifoQueue;
    for (let i = 0, n = q.length; i < n; i++) {
      const message = q.take();
      const sender = q.taken ?? null;
      q.taken = undefined;
      backlog.push([message, sender === null ? 0 : sender.packed]);
      q.push(message, sender); // rotate: the queue is intact until the move commits
    }
    return { state: this.state, backlog, watchers: (this.x.watchers ?? []).map((w) => [w.packed, w.kind]) };
  }

  /** The options a top-level actor was spawned with. */
  get spawnOptions(): SpawnOptions | undefined {
    return this.x.spawnOptions;
  }

  /** The move went out: from now on this cell only forwards to `target`. */
  forwardTo(target: ActorRef): void {
    this.w().movedTo = target;
    (this.queue as FifoQueue).clear();
    this.x.watchers = null;
    this.status = Status.Stopped;
    if (this.x.flow !== 0) this.releaseFlow();
  }

  /** On the new worker: take over the moved actor's state (no init, no lifecycle hooks). */
  restoreFromMove(state: unknown, watchers: readonly ActorRef[]): void {
    this.state = state;
    if (watchers.length > 0) this.w().watchers = [...watchers];
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
  private holdFor(bit: number): boolean {
    if ((this.hold & bit) !== 0) return false;
    this.hold |= bit;
    return true;
  }

  /** Clears a hold bit and schedules the actor if it can run now. */
  private release(bit: number): void {
    this.hold &= ~bit;
    if (this.runnable && !this.scheduled) this.host.schedule(this);
  }

  /**
   * The backlog reached the high-water mark: senders on other threads are told (once, until it
   * drains), and a sender on this thread is suspended after its handler. The message is kept.
   */
  private overHighWater(sender: ActorRef | null): void {
    if (this.x.flow !== FLOW_CONGESTED) {
      this.w().flow = FLOW_CONGESTED;
      this.host.congestion(this, 'congested', this.limits.highWater);
    }
    const senderCell = sender?._cell as ActorCell | undefined;
    if (senderCell !== undefined && senderCell.host === this.host && senderCell !== this && !senderCell.paused) {
      senderCell.paused = true;
      (this.w().pausedSenders ??= []).push(senderCell);
    }
  }

  /**
   * After a turn, under flow control: once the backlog is down to half a grant, the senders get
   * a new grant (if they used at least half of the last one; otherwise they still have credit).
   */
  private flowTurn(): void {
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
  private releaseFlow(): void {
    this.w().flow = 0;
    this.host.congestion(this, 'release', 0);
  }

  /** Messages a grant allows: ~GRANT_MS of this actor's measured time per message. */
  private grantSize(): number {
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
  private retune(): void {
    const highWater = this.limits.highWater;
    if (highWater === NO_MARK) return;
    this.mark = Math.max(Math.min(MIN_MARK, highWater), Math.min(highWater, Math.floor(MARK_MS / this.msPerMessage)));
  }

  /** Releases the senders this mailbox suspended, once it is below capacity (or it stops). */
  private releaseSenders(stopping = false): void {
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

  get children(): readonly ActorRef[] {
    return this.x.childCells === null ? [] : [...this.x.childCells].map((c) => c.self);
  }

  /** Queues a user message (sender's thread or ring delivery). */
  enqueue(message: unknown, sender: ActorRef | null): void {
    const queue = this.queue;
    if (queue.length < this.limits.capacity && this.status !== Status.Stopped) {
      queue.push(message, sender);
      if (queue.length >= this.mark) this.overHighWater(sender);
      else if (this.x.flow !== 0) this.x.sinceGrant++;
      if (!this.scheduled) this.host.schedule(this);
      return;
    }
    this.enqueueSlow(message, sender);
  }

  /** A full mailbox, a stopped actor, or one that moved. */
  private enqueueSlow(message: unknown, sender: ActorRef | null): void {
    if (this.x.movedTo !== null) {
      this.host.tell(this.x.movedTo, message, sender);
      return;
    }
    if (this.status === Status.Stopped) {
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
          if (senderCell !== undefined && senderCell.host === this.host && senderCell !== this && !senderCell.paused) {
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
    if (this.status === Status.Stopped) return;
    (this.system ??= new Deque()).push(op);
    if (!this.scheduled) this.host.schedule(this);
  }

  /**
   * Handles up to the turn's limit of messages (see turnLimit), and at most `cap` if `cap` > 0
   * (one if `cap` is -1: a step of a heavy-mode turn);
   * returns how many (system messages included). The turn also ends, after the message being
   * handled, once its handlers have sent as many messages as the limit: a producer that re-tells
   * itself would otherwise run chunk after chunk in one turn and pile its output into a
   * consumer's mailbox (a deep mailbox's live messages make every young-generation collection
   * slower). `tell` counts the sends down and sets HOLD_YIELD, which the loop's hold check
   * already reads: no extra work per message. With `cap` (heavy mode) the caller sets the budget.
   */
  run(cap: number): number {
    let n = 0;
    const queue = this.queue;
    let throughput = this.turnLimit();
    // cap > 0: at most that many (what is left of the loop turn's budget); -1: one message of a
    // heavy-mode turn, whose send budget the caller set; below -1: a heavy-mode turn of an actor
    // known to be fast, -cap messages (a turn's worth of time) unless it has its own throughput.
    if (cap === -1) throughput = 1;
    else {
      if (cap < -1) throughput = this.limits.throughput || -cap;
      else if (cap > 0 && cap < throughput) throughput = cap;
      this.host.sendBudget = throughput;
    }
    // Kept small (system messages and the default mailbox's take in methods of their own): V8
    // inlines this loop into runActors, and every byte of it counts against the budget left for
    // inlining `invoke` and the handlers.
    while (n < throughput) {
      if (this.system !== null && this.system.length > 0) {
        this.runSystemOp();
        n++;
        continue;
      }
      if (this.hold !== 0 || queue.length === 0) break;
      if (this.fifo) this.invokeNextFifo();
      else {
        const message = queue.peekMessage();
        const sender = queue.peekSender();
        queue.shift();
        if (this.x.pausedSenders !== null) this.releaseSenders();
        this.invoke(message, sender);
      }
      n++;
    }
    this.hold &= ~HOLD_YIELD;
    if (this.x.flow !== 0) this.flowTurn();
    return n;
  }

  private runSystemOp(): void {
    const op = this.system!.shift()!;
    this.host.stats[CURRENT] = this.id * TYPE_CODE_SPAN + this.host.typeCode(SYSTEM_TYPE_NAMES[op.k]);
    this.handleSystem(op);
    this.host.stats[CURRENT] = this.stamp;
  }

  /** The next message of the default mailbox (a FifoQueue: take, no peek and shift). */
  private invokeNextFifo(): void {
    const queue = this.queue as FifoQueue;
    const message = queue.take();
    const sender = queue.taken ?? null;
    queue.taken = undefined;
    if (this.x.pausedSenders !== null) this.releaseSenders();
    this.invoke(message, sender);
  }

  /** The running turn has sent its limit (see run). */
  yieldTurn(): void {
    this.hold |= HOLD_YIELD;
  }

  /** The watchdog interrupted this turn's handler: what the end of `run` would have done. */
  turnInterrupted(): void {
    this.hold &= ~HOLD_YIELD;
  }

  /**
   * A turn in the runtime's heavy mode: one message at a time (as `run(1)`) until the turn's limit or the first message that ends past `deadline` (performance.now() ms).
   */
  runUntil(deadline: number): number {
    const limit = this.turnLimit();
    const host = this.host;
    host.sendBudget = limit;
    let n = 0;
    while (n < limit) {
      const k = this.run(-1);
      if (k === 0) break;
      n += k;
      if (host.sendBudget <= 0 || performance.now() >= deadline) break;
    }
    return n;
  }

  /**
   * Messages one turn may take (and send): the actor's own throughput, else the thread's quantum or a quarter
   * of the backlog if that is more (up to MAX_BOOST), so a flooded actor drains faster and its
   * mailbox (and the live messages in it) stays small.
   */
  private turnLimit(): number {
    return this.limits.throughput || Math.max(this.host.quantum, Math.min(this.queue.length >> 2, MAX_BOOST));
  }

  private invoke(message: unknown, sender: ActorRef | null): void {
    this.message = message;
    this.sender = sender;
    // The watchdog reads which actor is on which type of message: a compare per message, a store on a change.
    const key = message !== null && typeof message === 'object' ? (message as { type?: unknown }).type : typeof message;
    if (key !== this.lastTypeKey) this.retype(message, key);
    if (this.x.receiveTimer !== null) this.resetReceiveTimeout();
    let result: unknown;
    try {
      result = this.receiveFn(this.state, message, this);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.settle(result);
  }

  private retype(message: unknown, key: unknown): void {
    this.lastTypeKey = key;
    this.stamp = this.id * TYPE_CODE_SPAN + this.host.typeCode(describeMessageType(message));
    this.host.stats[CURRENT] = this.stamp;
  }

  /**
   * The watchdog's word for this actor: id × TYPE_CODE_SPAN + the code of its last message type.
   * The runtime writes it when a turn starts; a message of another type rewrites it.
   */
  get currentStamp(): number {
    return this.stamp;
  }

  /** Applies a handler's result: a new state, or a promise the actor waits for. */
  private settle(result: unknown): void {
    if (result === undefined) return;
    if (typeof (result as Promise<unknown>)?.then === 'function') {
      this.busy = true;
      this.host.asyncDelta(1);
      (result as Promise<unknown>).then(
        (value) => {
          this.host.asyncDelta(-1);
          this.busy = false;
          if (value !== undefined && this.status === Status.Running) this.state = value;
          if (this.x.stopRequested) this.stopSelf();
          else if (this.runnable && !this.scheduled) this.host.schedule(this);
        },
        (error: unknown) => {
          this.host.asyncDelta(-1);
          this.busy = false;
          this.fail(error);
        },
      );
      return;
    }
    this.state = result;
  }

  private handleSystem(op: SystemOp): void {
    switch (op.k) {
      case 'stop':
        this.stopSelf();
        return;
      case 'failed':
        this.superviseFailure(op.child, op.error);
        return;
      case 'terminated':
        this.x.childCells?.forEach((c) => c.self.equals(op.ref) && this.x.childCells!.delete(c));
        // After unwatch, no Terminated is delivered, even one already on its way.
        if (this.x.watching === null || !this.x.watching.delete(op.ref.packed)) return;
        if (this.definition.behavior.terminated !== undefined && this.status !== Status.Stopped) {
          this.message = op.ref;
          this.sender = null;
          try {
            this.settle(this.definition.behavior.terminated(this.state, op.ref, this));
          } catch (error) {
            this.fail(error);
          }
        }
        return;
      case 'watch':
        (this.w().watchers ??= []).push(op.watcher);
        return;
      case 'unwatch':
        if (this.x.watchers !== null) this.w().watchers = this.x.watchers.filter((w) => !w.equals(op.watcher));
        return;
    }
  }

  // ---- failure and supervision -------------------------------------------------------------

  /** This actor's handler failed: suspend and let the supervisor decide. */
  fail(error: unknown): void {
    if (this.status === Status.Stopped) return;
    this.status = Status.Suspended;
    this.cancelReceiveTimeout();
    // The message it failed on was an ask: the asker hears of it now, not at its timeout.
    const sender = this.sender;
    if (sender !== null && sender.isAskSlot) {
      this.sender = null;
      this.host.failAsk(sender, this.self, describeMessageType(this.message), error);
    }
    if (this.parentCell !== null) this.parentCell.enqueueSystem({ k: 'failed', child: this, error });
    else this.host.guardianFailure(this, error);
  }

  /** Supervisor side: decide about a failed child (runs in the supervisor's turn). */
  superviseFailure(child: ActorCell, error: unknown): void {
    const strategy = this.definition.behavior.supervisor ?? DEFAULT_STRATEGY;
    applyDirective(
      this.host,
      strategy,
      child,
      error,
      strategy.kind === 'all-for-one' && this.x.childCells ? [...this.x.childCells] : [child],
      (e) => this.fail(e),
    );
  }

  /** Stops taking user messages until a restart or resume (an all-for-one sibling). */
  suspend(): void {
    if (this.status === Status.Running) this.status = Status.Suspended;
  }

  /** Resumes after a failure, keeping the state. */
  resume(): void {
    if (this.status !== Status.Suspended) return;
    this.status = Status.Running;
    if (this.runnable && !this.scheduled) this.host.schedule(this);
  }

  /** Restarts: hooks, children stopped, fresh state from init; the mailbox is kept. */
  restart(error: unknown): void {
    if (this.status === Status.Stopped) return;
    try {
      this.definition.behavior.restarting?.(this.state, error, this);
    } catch {
      // a failing pre-restart hook does not prevent the restart
    }
    this.stopChildren();
    this.cancelTimers();
    if (this.x !== NO_EXTRAS) this.x.becomeStack = null;
    this.receiveFn = this.definition.behavior.receive as Receive;
    this.message = undefined;
    this.sender = null;
    try {
      this.state = this.definition.behavior.init(this.args, this);
      this.definition.behavior.restarted?.(this.state, error, this);
    } catch (initError) {
      this.status = Status.Suspended;
      this.fail(initError);
      return;
    }
    this.status = Status.Running;
    if (this.runnable && !this.scheduled) this.host.schedule(this);
  }

  /** The restart-intensity window of this cell as a child. */
  restartWindow(): RestartWindow {
    return (this.w().restarts ??= new RestartWindow());
  }

  // ---- stopping ----------------------------------------------------------------------------

  /** Stops this actor: stopping hook, children first, stopped hook, then watchers and parent. */
  stopSelf(): void {
    if (this.status === Status.Stopped) return;
    if (this.busy) {
      this.w().stopRequested = true; // after the running handler settles
      return;
    }
    try {
      this.definition.behavior.stopping?.(this.state, this);
    } catch {
      // hooks cannot prevent a stop
    }
    this.stopChildren();
    this.status = Status.Stopped;
    this.cancelTimers();
    this.cancelReceiveTimeout();
    try {
      this.definition.behavior.stopped?.(this.state, this);
    } catch {
      // ignored, as above
    }
    while (this.queue.length > 0) {
      const message = this.queue.peekMessage();
      const sender = this.queue.peekSender();
      this.queue.shift();
      this.host.deadLetter(this.self, message, sender, 'stopped');
    }
    this.releaseSenders(true);
    if (this.x.flow !== 0) this.releaseFlow();
    this.host.removeCell(this);
    if (this.parentCell !== null) this.parentCell.x.childCells?.delete(this);
    for (const watcher of this.x.watchers ?? []) this.host.sendSystem(watcher, { k: 'terminated', ref: this.self });
    // A top-level actor's parent is the root guardian of the main thread, which keeps its name
    // and placement: it hears of the stop without a watch (no record or watcher list per spawn).
    if (this.parentCell === null && this.parent !== null) this.host.sendSystem(this.parent, { k: 'terminated', ref: this.self });
    if (this.x !== NO_EXTRAS) this.x.watchers = null;
  }

  /** See Runtime.peerDied. */
  peerDied(worker: number, recreated: ReadonlySet<number>): void {
    const watching = this.x.watching;
    if (watching !== null) {
      for (const packed of [...watching]) {
        if (participantOf(packed) !== worker) continue;
        const ref = new ActorRef(worker, localIdOf(packed));
        if (recreated.has(ref.id)) this.host.sendSystem(ref, { k: 'watch', watcher: this.self });
        else this.enqueueSystem({ k: 'terminated', ref });
      }
    }
    const watchers = this.x.watchers;
    if (watchers !== null) this.x.watchers = watchers.filter((w) => w.participant !== worker || recreated.has(w.id));
  }

  private stopChildren(): void {
    if (this.x.childCells === null) return;
    for (const child of [...this.x.childCells]) child.stopSelf();
    this.x.childCells.clear();
  }

  addChild(child: ActorCell): void {
    (this.w().childCells ??= new Set()).add(child);
  }

  // ---- ActorContext --------------------------------------------------------------------------

  /**
   * respond, forward and stash act on the message being handled: only inside its handler (or
   * until the promise it returned settles). Later — from a timer or a callback — that message is
   * gone (another may be handled by then), so it is an error rather than a reply to the wrong one.
   */
  private assertInHandler(what: string): void {
    if (this.host.currentCell === this || this.busy) return;
    throw new BactorError(
      ErrorCode.OUTSIDE_HANDLER,
      `ctx.${what}() on ${this.self} was called after the handler returned (from a timer or callback?): the message it ` +
        `refers to is no longer being handled. Keep the sender in the handler (const replyTo = ctx.sender) and call ` +
        `replyTo.tell(reply) later (an ask's reply ref stays valid until the ask times out), or return a promise from the handler.`,
    );
  }

  respond(reply: unknown): void {
    this.assertInHandler('respond');
    if (this.sender === null) {
      this.host.deadLetter(new ActorRef(this.host.participant, 0, 'no-sender'), reply, this.self, 'no-sender');
      return;
    }
    this.host.tell(this.sender, reply, this.self);
  }

  forward(target: ActorRef): void {
    this.assertInHandler('forward');
    checkRef(target, 'ctx.forward', 'target');
    this.host.tell(target, this.message, this.sender);
  }

  spawn<CM, CR, CA>(definition: ActorDefinition<CM, CR, CA>, args: CA, options?: SpawnOptions): ActorRef<CM, CR> {
    const child = this.host.spawnChild(this, definition as ActorDefinition<unknown, unknown, unknown>, args, options);
    return child.self as ActorRef<CM, CR>;
  }

  ask<TM, TR>(target: ActorRef<TM, TR>, message: TM, options?: AskOptions): Promise<TR> {
    const timeout = target instanceof ActorRef ? askTimeout(options, 'ctx.ask') : refError(target, 'ctx.ask', 'target');
    if (typeof timeout !== 'number') return Promise.reject(timeout);
    return this.host.ask(target as ActorRef, message, timeout) as Promise<TR>;
  }

  stop(target?: ActorRef): void {
    if (target !== undefined) checkRef(target, 'ctx.stop', 'target');
    if (target === undefined || target.equals(this.self)) {
      this.enqueueSystem({ k: 'stop' });
      return;
    }
    this.host.sendSystem(target, { k: 'stop' });
  }

  watch(target: ActorRef): void {
    checkRef(target, 'ctx.watch', 'target');
    (this.w().watching ??= new Set()).add(target.packed);
    this.host.sendSystem(target, { k: 'watch', watcher: this.self });
  }

  unwatch(target: ActorRef): void {
    checkRef(target, 'ctx.unwatch', 'target');
    this.x.watching?.delete(target.packed);
    this.host.sendSystem(target, { k: 'unwatch', watcher: this.self });
  }

  become(receive: (state: never, message: unknown, ctx: ActorContext<unknown, unknown>) => unknown): void {
    if (typeof receive !== 'function') throw invalidOption('ctx.become', `receive must be a function, got ${describe(receive)}`);
    (this.w().becomeStack ??= []).push(this.receiveFn);
    this.receiveFn = receive as Receive;
  }

  unbecome(): void {
    const previous = this.x.becomeStack?.pop();
    if (previous !== undefined) this.receiveFn = previous;
  }

  stash(): void {
    this.assertInHandler('stash');
    (this.w().stashed ??= new PairDeque()).push(this.message, this.sender);
  }

  unstashAll(): void {
    const stashed = this.x.stashed;
    if (stashed === null || stashed.length === 0) return;
    // Put them back in front, in their original order.
    const items: [unknown, ActorRef | null][] = [];
    while (stashed.length > 0) {
      items.push([stashed.peekA(), stashed.peekB() ?? null]);
      stashed.shift();
    }
    for (let i = items.length - 1; i >= 0; i--) this.queue.unshift(items[i]![0], items[i]![1]);
    if (this.runnable && !this.scheduled) this.host.schedule(this);
  }

  scheduleOnce(delayMs: number, message: unknown): Cancellable {
    requireNumber(delayMs, isNonNegative, 'ctx.scheduleOnce', 'delayMs', 'a finite number of ms ≥ 0');
    const handles = (this.w().timerHandles ??= new Set());
    const handle = this.host.timers.schedule(delayMs, () => {
      handles.delete(handle);
      this.enqueue(message, this.self);
    });
    handles.add(handle);
    return { cancel: () => (handle.cancel(), handles.delete(handle)) };
  }

  scheduleRepeatedly(initialDelayMs: number, intervalMs: number, message: unknown): Cancellable {
    requireNumber(initialDelayMs, isNonNegative, 'ctx.scheduleRepeatedly', 'initialDelayMs', 'a finite number of ms ≥ 0');
    requireNumber(intervalMs, isPositive, 'ctx.scheduleRepeatedly', 'intervalMs', 'a positive finite number of ms');
    const handles = (this.w().timerHandles ??= new Set());
    let current: { cancel(): void };
    const tick = (): void => {
      handles.delete(current);
      if (this.status === Status.Stopped) return;
      current = this.host.timers.schedule(intervalMs, tick);
      handles.add(current);
      this.enqueue(message, this.self);
    };
    current = this.host.timers.schedule(initialDelayMs, tick);
    handles.add(current);
    return { cancel: () => (current.cancel(), handles.delete(current)) };
  }

  setReceiveTimeout(ms: number): void {
    requireNumber(ms, isNonNegative, 'ctx.setReceiveTimeout', 'ms', 'a finite number of ms ≥ 0 (0 turns it off)');
    this.w().receiveTimeoutMs = ms;
    this.resetReceiveTimeout();
  }

  runTask<T, A>(taskModuleUrl: string, exportName: string, input: A): Promise<T> {
    return this.host.runTask<T>(taskModuleUrl, exportName, input);
  }

  private resetReceiveTimeout(): void {
    this.cancelReceiveTimeout();
    if (this.x.receiveTimeoutMs > 0) {
      this.w().receiveTimer = this.host.timers.schedule(this.x.receiveTimeoutMs, () => {
        this.x.receiveTimer = null;
        this.enqueue(RECEIVE_TIMEOUT, null);
      });
    }
  }

  private cancelReceiveTimeout(): void {
    if (this.x === NO_EXTRAS) return;
    this.x.receiveTimer?.cancel();
    this.x.receiveTimer = null;
  }

  private cancelTimers(): void {
    if (this.x.timerHandles === null) return;
    for (const handle of this.x.timerHandles) handle.cancel();
    this.x.timerHandles.clear();
  }
}

/**
 * Applies a supervisor's decision to `targets` (the failed child, or all children for
 * all-for-one). `escalate` fails the supervisor itself with the same error. Returns what was
 * done: the directive, or why a restart became a stop.
 */
export function applyDirective(
  host: CellHost,
  strategy: SupervisorStrategy,
  failed: ActorCell,
  error: unknown,
  targets: ActorCell[],
  escalate: (error: unknown) => void,
): string {
  let directive: Directive;
  try {
    directive = strategy.decider(error);
  } catch {
    directive = 'escalate';
  }
  if (directive === 'escalate') {
    escalate(error);
    return directive;
  }
  let done: string = directive;
  if (directive === 'restart') {
    const window = failed.restartWindow();
    if (!window.allow(strategy, host.timers.clock.now())) {
      directive = 'stop';
      done = `stopped: more than ${strategy.maxRestarts} restarts within ${strategy.withinMs} ms`;
      // A child's supervisor is an actor: nobody would hear of it otherwise (the root guardian reports its own).
      if (failed.parentCell !== null) host.reportFailure(failed.self, error, done);
    } else {
      const delay = strategy.backoff ? backoffDelay(strategy.backoff, window.consecutive - 1, host.random()) : RESTART_NOW;
      for (const cell of targets) {
        if (delay === RESTART_NOW) cell.restart(error);
        else {
          if (cell !== failed) cell.suspend(); // siblings wait for the delayed restart too
          host.timers.schedule(delay, () => cell.restart(error));
        }
      }
      return directive;
    }
  }
  for (const cell of targets) {
    if (directive === 'resume') cell.resume();
    else cell.stopSelf();
  }
  return done;
}
