import { performance } from 'node:perf_hooks';
import { CURRENT, TYPE_CODE_SPAN } from '../../native-free-core/layout/stats-layout.js';
import { describeMessageType } from '../util/message-type.js';
import { type ActorContext, RECEIVE_TIMEOUT } from './actor-context.js';
import type { ActorRef } from './actor-ref.js';
import type { MailboxHost, SystemOp, TurnHost } from './cell-host.js';
import { CellMailbox } from './cell-mailbox.js';
import { HOLD_YIELD, NO_EXTRAS, RUNNING } from './cell-state.js';
import type { FifoQueue } from '../mailbox/mailbox.js';
import { taken } from '../mailbox/taken-slot.js';
import type { ReliableConsumer } from '../reliable/reliable-inbox.js';
import { ReliableEnvelope } from '../reliable/reliable-messages.js';
import { TracedMessage, tracingOn } from '../observability/tracing/trace-context.js';
import { type ActorTap, tapsOn } from '../runtime/actor-taps.js';

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

/**
 * An actor's turns: `run` (light mode: up to its throughput) and `runUntil` (heavy mode: bounded
 * in time), the handler call with the watchdog's stamp, and a handler's promise (the actor takes
 * no message until it settles). What a system message does is the lifecycle's (cell-lifecycle.ts).
 */
export abstract class CellTurns extends CellMailbox {
  /** The runtime of its thread, as this layer sees it (cell-host.ts). */
  declare readonly host: MailboxHost & TurnHost;

  /** Handles one system message (stop, a child's failure, Terminated, watch, unwatch). */
  protected abstract handleSystem(op: SystemOp): void;
  /** The handler failed: suspend and let the supervisor decide. */
  abstract fail(error: unknown): void;
  abstract stopSelf(): void;

  /** This cell as its handlers' context (ActorCell, the concrete class, implements ActorContext). */
  protected get context(): ActorContext<unknown, unknown> {
    return this as unknown as ActorContext<unknown, unknown>;
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
        if (message instanceof ReliableEnvelope) this.invokeReliable(message);
        else this.invoke(message, sender);
      }
      n++;
    }
    this.hold &= ~HOLD_YIELD;
    if (this.x.flow !== 0) this.flowTurn();
    return n;
  }

  protected runSystemOp(): void {
    const op = this.system!.shift()!;
    this.host.stats[CURRENT] = this.id * TYPE_CODE_SPAN + this.host.typeCode(SYSTEM_TYPE_NAMES[op.k]);
    this.handleSystem(op);
    this.host.stats[CURRENT] = this.stamp;
  }

  /** The next message of the default mailbox (a FifoQueue: take, no peek and shift). */
  protected invokeNextFifo(): void {
    const queue = this.queue as FifoQueue;
    const message = queue.take();
    const sender = queue.taken ?? null;
    queue.taken = undefined;
    const slot = queue.takenTag;
    if (this.x.pausedSenders !== null) this.releaseSenders();
    if (slot < 0) this.invoke(message, sender);
    else {
      queue.takenTag = -1;
      taken.ledger!.run(slot);
      this.invoke(message, sender);
      this.handledKept(slot);
    }
  }

  /**
   * A message with reliable delivery: handled as any, then acknowledged — once its promise
   * settles, for an async handler, and once what it persisted is stored, for a persistent actor.
   */
  private invokeReliable(envelope: ReliableEnvelope): void {
    if (this.x.persistent !== null) this.x.reliableCurrent = envelope;
    this.invoke(envelope.message, envelope.from);
    if (this.busy) this.w().reliablePending = envelope;
    else this.reliableDone(envelope);
  }

  private reliableDone(envelope: ReliableEnvelope): void {
    const persistent = this.x.persistent;
    if (persistent !== null) {
      this.x.reliableCurrent = null;
      if (persistent.acknowledgeWhenStored(envelope)) return;
    }
    this.host.reliableHandled(this as unknown as ReliableConsumer, envelope);
  }

  /** A message kept in the thread's ledger was handled: its slot is free, or, while its promise is pending, still running. */
  protected handledKept(slot: number): void {
    const ledger = taken.ledger!;
    if (this.busy) {
      this.w().asyncSlot = slot;
      ledger.running = -1;
    } else ledger.done(slot);
  }

  /** The promise of a handler of a kept message settled. */
  protected settledKept(): void {
    taken.ledger?.done(this.x.asyncSlot);
    this.x.asyncSlot = -1;
  }

  private settledReliable(): void {
    const envelope = this.x.reliablePending!;
    this.x.reliablePending = null;
    this.reliableDone(envelope);
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
  protected turnLimit(): number {
    return this.limits.throughput || Math.max(this.host.quantum, Math.min(this.queue.length >> 2, MAX_BOOST));
  }

  protected invoke(message: unknown, sender: ActorRef | null): void {
    if (tapsOn && this.x.tap !== null) {
      this.invokeTapped(this.x.tap, message, sender);
      return;
    }
    if (tracingOn && message instanceof TracedMessage) {
      this.invokeTraced(message, sender);
      return;
    }
    this.message = message;
    this.sender = sender;
    // The watchdog reads which actor is on which type of message: a compare per message, a store on a change.
    const key = message !== null && typeof message === 'object' ? (message as { type?: unknown }).type : typeof message;
    if (key !== this.lastTypeKey) this.retype(message, key);
    if (this.x.receiveTimer !== null) this.resetReceiveTimeout();
    let result: unknown;
    try {
      result = this.receiveFn(this.state, message, this.context);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.settle(result);
  }

  /** The actor is traced (system.traceActor): the message and what the handler sends while it runs are entries. */
  private invokeTapped(tap: ActorTap, message: unknown, sender: ActorRef | null): void {
    tap.received(tracingOn && message instanceof TracedMessage ? message.message : message, sender);
    const host = this.host;
    const x = this.x;
    // Untapped while it runs (invoke again, without the tap), restored unless it ended.
    x.tap = null;
    host.tapping = tap;
    try {
      this.invoke(message, sender);
    } finally {
      host.tapping = null;
      if (!tap.done && this.x === x) x.tap = tap;
    }
  }

  /** Its tap (system.traceActor), set and cleared by the thread's ActorTaps. */
  get tap(): ActorTap | null {
    return this.x.tap;
  }
  set tap(tap: ActorTap | null) {
    if (tap !== null || this.x.tap !== null) this.w().tap = tap;
  }

  /** A sampled message: its handler runs in a consumer span, and its sends are the span's children. */
  private invokeTraced(traced: TracedMessage, sender: ActorRef | null): void {
    const tracer = this.host.tracer;
    // No tracer (a traced message reached a thread without tracing), or one span open already.
    if (tracer === null || tracer.active) {
      this.invoke(traced.message, sender);
      return;
    }
    const start = tracer.now();
    tracer.begin(traced);
    const before = this.x.failures;
    try {
      this.invoke(traced.message, sender);
    } finally {
      // A handler that threw was failed by invoke (its supervisor may have restarted it already).
      tracer.end(traced, start, this.self, traced.message, this.x.failures !== before);
    }
  }

  protected retype(message: unknown, key: unknown): void {
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
  protected settle(result: unknown): void {
    if (result === undefined) return;
    if (typeof (result as Promise<unknown>)?.then === 'function') {
      this.busy = true;
      this.host.asyncDelta(1);
      (result as Promise<unknown>).then(
        (value) => {
          this.host.asyncDelta(-1);
          this.busy = false;
          if (this.x.asyncSlot >= 0) this.settledKept();
          if (this.x.reliablePending !== null) this.settledReliable();
          if (value !== undefined && this.status === RUNNING) this.state = value;
          if (this.x.stopRequested) this.stopSelf();
          else if (this.runnable && !this.scheduled) this.host.schedule(this);
        },
        (error: unknown) => {
          this.host.asyncDelta(-1);
          this.busy = false;
          if (this.x.asyncSlot >= 0) this.settledKept();
          if (this.x.reliablePending !== null) this.settledReliable();
          this.fail(error);
        },
      );
      return;
    }
    this.state = result;
  }

  protected resetReceiveTimeout(): void {
    this.cancelReceiveTimeout();
    if (this.x.receiveTimeoutMs > 0) {
      this.w().receiveTimer = this.host.timers.schedule(this.x.receiveTimeoutMs, () => {
        this.x.receiveTimer = null;
        this.enqueue(RECEIVE_TIMEOUT, null);
      });
    }
  }

  protected cancelReceiveTimeout(): void {
    if (this.x === NO_EXTRAS) return;
    this.x.receiveTimer?.cancel();
    this.x.receiveTimer = null;
  }
}
