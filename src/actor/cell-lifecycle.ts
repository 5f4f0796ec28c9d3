import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { FifoQueue } from '../mailbox/mailbox.js';
import { applyDirective } from '../supervision/apply-directive.js';
import { DEFAULT_STRATEGY, RestartWindow } from '../supervision/supervisor-strategy.js';
import { describeMessageType } from '../util/message-type.js';
import { ActorRef, localIdOf, participantOf, refKey } from './actor-ref.js';
import type { LifecycleHost, MailboxHost, SystemOp, TurnHost } from './cell-host.js';
import { HOLD_PERSIST, type MoveSnapshot, NO_EXTRAS, type Receive, RUNNING, STOPPED, SUSPENDED } from './cell-state.js';
import { PersistentCell, type PersistentActor } from '../persistence/persistent-cell.js';
import { persistenceIdOf } from '../persistence/persistence-options.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import { ReliableEnvelope } from '../reliable/reliable-messages.js';
import { type ReliableConsumer, producerKey } from '../reliable/reliable-inbox.js';
import { CellTurns } from './cell-turns.js';
import { initFailure } from './spawn-failure.js';
import { FAILURES, RESTARTS } from '../../native-free-core/layout/metrics-layout.js';
import type { SpawnOptions } from './spawn-options.js';

/**
 * An actor's life: start, system messages (stop, a child's failure, Terminated, watch), failure
 * and its supervision (suspend, resume, restart), stopping with its children, watchers and
 * parent told, the death of another worker, and the snapshot a move carries.
 */
export abstract class CellLifecycle extends CellTurns implements PersistentActor {
  /** The runtime of its thread, as this layer sees it (cell-host.ts). */
  declare readonly host: MailboxHost & TurnHost & LifecycleHost;

  /**
   * Runs init and the started hook. If either throws, the spawn fails with ERR_ACTOR_INIT_FAILED.
   * A persistent actor recovers between them: it takes no user message until its state is
   * back, then runs the started hook (a failure there goes to its supervisor).
   */
  start(): void {
    let hook: 'init' | 'started' | 'persistence.id' = 'init';
    const behavior = this.definition.behavior;
    try {
      this.state = behavior.init(this.args, this.context);
      if (behavior.persistence !== undefined) {
        hook = 'persistence.id';
        this.recover(() => this.afterRecovery('started', null));
        return;
      }
      hook = 'started';
      behavior.started?.(this.state, this.context);
    } catch (error) {
      throw initFailure(String(this.self), hook, error);
    }
  }

  /** Starts a recovery of this incarnation's state (its persistence id from the spawn arguments); `then` runs once it is applied. */
  private recover(then: () => void): void {
    const options = this.definition.behavior.persistence!;
    const id = persistenceIdOf(options, this.args, String(this.self));
    const persistent = new PersistentCell(this, this.host.journal, id, options, then);
    this.w().persistent = persistent;
    persistent.recover();
  }

  /** A persistent actor's started or restarted hook, once its state is recovered. */
  private afterRecovery(hook: 'started' | 'restarted', cause: unknown): void {
    const behavior = this.definition.behavior;
    try {
      if (hook === 'started') behavior.started?.(this.state, this.context);
      else behavior.restarted?.(this.state, cause, this.context);
    } catch (error) {
      this.fail(initFailure(String(this.self), hook, error));
    }
  }

  /** PersistentActor: no user message while recovering or until persisted events are stored. */
  holdForJournal(on: boolean): void {
    if (on) this.hold |= HOLD_PERSIST;
    else {
      this.hold &= ~HOLD_PERSIST;
      if (this.runnable && !this.scheduled) this.host.schedule(this);
    }
  }

  publish(event: RuntimeEvent): void {
    this.host.publish(event);
  }

  /** PersistentActor: the reliable message whose handler is running (its events carry its mark). */
  currentReliable(): ReliableEnvelope | null {
    return this.x.reliableCurrent;
  }

  /** PersistentActor: what the handler of `envelope` persisted is stored: it is acknowledged. */
  acknowledge(envelope: ReliableEnvelope): void {
    this.host.reliableHandled(this as unknown as ReliableConsumer, envelope);
  }

  /** PersistentActor: a recovered mark — message `seq` of durable producer `producerId` was handled. */
  restoreProgress(producerId: string, seq: number): void {
    const all = (this.w().reliableProgress ??= new Map());
    const key = producerKey(this.self, producerId, 0);
    const progress = all.get(key);
    if (progress === undefined) all.set(key, { seen: seq, handled: seq });
    else if (seq > progress.handled) {
      progress.handled = seq;
      if (seq > progress.seen) progress.seen = seq;
    }
  }

  /** PersistentActor: the progress of durable producers, for a snapshot (null when there is none). */
  durableProgress(): [string, number][] | null {
    const all = this.x.reliableProgress;
    if (all === null) return null;
    let out: [string, number][] | null = null;
    for (const [key, progress] of all)
      if (typeof key === 'string' && key.startsWith('id:')) (out ??= []).push([key.slice(3), progress.handled]);
    return out;
  }

  protected handleSystem(op: SystemOp): void {
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
        if (this.x.watching === null || !this.x.watching.delete(refKey(op.ref))) return;
        if (this.definition.behavior.terminated !== undefined && this.status !== STOPPED) {
          this.message = op.ref;
          this.sender = null;
          try {
            this.settle(this.definition.behavior.terminated(this.state, op.ref, this.context));
          } catch (error) {
            this.fail(error);
          }
        }
        return;
      case 'watch':
        // A watch queued behind a stop (both in the system queue when the turn began) finds the
        // actor stopped: Terminated now, as for a watch of an actor that is gone.
        if (this.status === STOPPED) this.host.sendSystem(op.watcher, { k: 'terminated', ref: this.self });
        else (this.w().watchers ??= []).push(op.watcher);
        return;
      case 'unwatch':
        if (this.x.watchers !== null) this.w().watchers = this.x.watchers.filter((w) => !w.equals(op.watcher));
        return;
    }
  }

  /** This actor's handler failed: suspend and let the supervisor decide. */
  fail(error: unknown): void {
    if (this.status === STOPPED) return;
    // A failed persist failed the actor already; the handler that awaited it rejects with the same error.
    if (this.status === SUSPENDED && error === this.x.persistent?.failure) return;
    this.status = SUSPENDED;
    this.w().failures++;
    if (this.metricsBase >= 0) this.host.metrics!.count(this.metricsBase, FAILURES);
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
  superviseFailure(child: CellLifecycle, error: unknown): void {
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
    if (this.status === RUNNING) this.status = SUSPENDED;
  }

  /** Resumes after a failure, keeping the state. */
  resume(): void {
    if (this.status !== SUSPENDED) return;
    this.status = RUNNING;
    if (this.runnable && !this.scheduled) this.host.schedule(this);
  }

  /** Restarts: hooks, children stopped, fresh state from init; the mailbox is kept. */
  restart(error: unknown): void {
    if (this.status === STOPPED) return;
    if (this.metricsBase >= 0) this.host.metrics!.count(this.metricsBase, RESTARTS);
    try {
      this.definition.behavior.restarting?.(this.state, error, this.context);
    } catch {
      // a failing pre-restart hook does not prevent the restart
    }
    this.stopChildren();
    this.cancelTimers();
    if (this.x !== NO_EXTRAS) this.x.becomeStack = null;
    this.receiveFn = this.definition.behavior.receive as Receive;
    this.message = undefined;
    this.sender = null;
    this.x.persistent?.close();
    try {
      this.state = this.definition.behavior.init(this.args, this.context);
      // A persistent actor recovers its state again (its hook runs after), holding user messages meanwhile.
      if (this.definition.behavior.persistence !== undefined) this.recover(() => this.afterRecovery('restarted', error));
      else this.definition.behavior.restarted?.(this.state, error, this.context);
    } catch (initError) {
      this.status = SUSPENDED;
      this.fail(initError);
      return;
    }
    this.status = RUNNING;
    if (this.runnable && !this.scheduled) this.host.schedule(this);
  }

  /** The restart-intensity window of this cell as a child. */
  restartWindow(): RestartWindow {
    return (this.w().restarts ??= new RestartWindow());
  }

  /** Stops this actor: stopping hook, children first, stopped hook, then watchers and parent. */
  stopSelf(): void {
    if (this.status === STOPPED) return;
    if (this.busy) {
      this.w().stopRequested = true; // after the running handler settles
      return;
    }
    try {
      this.definition.behavior.stopping?.(this.state, this.context);
    } catch {
      // hooks cannot prevent a stop
    }
    this.stopChildren();
    this.status = STOPPED;
    this.x.persistent?.close();
    this.cancelTimers();
    this.cancelReceiveTimeout();
    try {
      this.definition.behavior.stopped?.(this.state, this.context);
    } catch {
      // ignored, as above
    }
    while (this.queue.length > 0) {
      const message = this.queue.peekMessage();
      const sender = this.queue.peekSender();
      this.queue.shift();
      this.host.deadLetter(this.self, message instanceof ReliableEnvelope ? message.message : message, sender, 'stopped');
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
        if (typeof packed !== 'number' || participantOf(packed) !== worker) continue;
        const ref = new ActorRef(worker, localIdOf(packed));
        if (recreated.has(ref.id)) this.host.sendSystem(ref, { k: 'watch', watcher: this.self });
        else this.enqueueSystem({ k: 'terminated', ref });
      }
    }
    const watchers = this.x.watchers;
    if (watchers !== null)
      this.x.watchers = watchers.filter((w) => w.participant !== worker || w.incarnation !== this.self.incarnation || recreated.has(w.id));
  }

  protected stopChildren(): void {
    if (this.x.childCells === null) return;
    for (const child of [...this.x.childCells]) child.stopSelf();
    this.x.childCells.clear();
  }

  addChild(child: CellLifecycle): void {
    (this.w().childCells ??= new Set()).add(child);
  }

  get children(): readonly ActorRef[] {
    return this.x.childCells === null ? [] : [...this.x.childCells].map((c) => c.self);
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
      this.status !== RUNNING
        ? 'it is not running'
        : this.busy
          ? 'a handler promise is pending'
          : (this.hold & HOLD_PERSIST) !== 0
            ? 'it is recovering or its events are being stored'
            : this.x.reliableProgress !== null
              ? 'it receives reliable deliveries (its progress per producer stays where it is)'
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
    if (why !== null) throw new BactorError(ErrorCode.CANNOT_MOVE, `cannot move ${this.self}: ${why}`);
    const backlog: [unknown, number][] = [];
    const q = this.queue as FifoQueue;
    // (Read in place: the queue is intact until the move commits.)
    for (let i = 0, n = q.length; i < n; i++) {
      const sender = q.atB(i) ?? null;
      backlog.push([q.at(i), sender === null ? 0 : sender.packed]);
    }
    return {
      state: this.state,
      ...(this.x.persistent !== null ? { seq: this.x.persistent.seq } : {}),
      backlog,
      watchers: (this.x.watchers ?? []).map((w) =>
        w.incarnation === this.self.incarnation ? [w.packed, w.kind] : [w.packed, w.kind, w.incarnation],
      ),
    };
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
    this.status = STOPPED;
    if (this.x.flow !== 0) this.releaseFlow();
  }

  /** On the new worker: take over the moved actor's state (no init, no lifecycle hooks, no recovery). */
  restoreFromMove(state: unknown, watchers: readonly ActorRef[], seq: number | undefined): void {
    this.state = state;
    const options = this.definition.behavior.persistence;
    if (options !== undefined) {
      const id = persistenceIdOf(options, this.args, String(this.self));
      const persistent = new PersistentCell(this, this.host.journal, id, options, () => undefined);
      persistent.resumeAt(seq ?? 0);
      this.w().persistent = persistent;
    }
    if (watchers.length > 0) this.w().watchers = [...watchers];
  }

  protected cancelTimers(): void {
    if (this.x.timerHandles === null) return;
    for (const handle of this.x.timerHandles) handle.cancel();
    this.x.timerHandles.clear();
  }
}
