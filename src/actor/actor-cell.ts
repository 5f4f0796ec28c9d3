import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { Deque, PairDeque } from '../mailbox/deque.js';
import { type MailboxOptions, type MessageQueue, createQueue } from '../mailbox/mailbox.js';
import {
  DEFAULT_STRATEGY,
  type Directive,
  RestartWindow,
  type SupervisorStrategy,
  backoffDelay,
} from '../supervision/supervisor-strategy.js';
import type { TimerQueue } from '../runtime/timer-queue.js';
import { type ActorContext, type Cancellable, RECEIVE_TIMEOUT } from './actor-context.js';
import type { ActorBehavior, ActorDefinition } from './actor-definition.js';
import { ActorRef, type AskOptions } from './actor-ref.js';
import type { SpawnOptions } from './spawn-options.js';

/** A message of the actor's system queue: always handled before user messages. */
export type SystemOp =
  | { k: 'stop' }
  | { k: 'failed'; child: ActorCell; error: unknown }
  | { k: 'terminated'; ref: ActorRef }
  | { k: 'watch'; watcher: ActorRef }
  | { k: 'unwatch'; watcher: ActorRef };

/** What a cell needs from the runtime of its thread. */
export interface CellHost {
  readonly participant: number;
  readonly timers: TimerQueue;
  tell(target: ActorRef, message: unknown, sender: ActorRef | null): void;
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

/**
 * One actor: its state, mailbox, behaviour stack, children and watchers. It is also the context
 * handed to its handlers (no allocation per message). Only its runtime's thread touches it.
 */
export class ActorCell implements ActorContext<unknown, unknown> {
  readonly self: ActorRef;
  readonly parent: ActorRef | null;
  readonly parentCell: ActorCell | null;
  readonly behavior: ActorBehavior<unknown, unknown, unknown, unknown>;
  readonly throughput: number;
  readonly queue: MessageQueue;
  readonly capacity: number;
  readonly overflow: MailboxOptions['overflow'];
  readonly system = new Deque<SystemOp>();
  /** The runtime's run queue holds this cell. */
  scheduled = false;
  /** A handler's promise has not settled yet. */
  busy = false;
  state: unknown = undefined;
  /** The message being handled and its sender. */
  message: unknown = undefined;
  sender: ActorRef | null = null;
  name: string | undefined;

  private status = Status.Running;
  private receiveFn: Receive;
  private becomeStack: Receive[] | null = null;
  private stashed: PairDeque<unknown, ActorRef | null> | null = null;
  private childCells: Set<ActorCell> | null = null;
  private watchers: ActorRef[] | null = null;
  /** Packed refs this actor watches. */
  private watching: Set<number> | null = null;
  private timerHandles: Set<{ cancel(): void }> | null = null;
  private receiveTimeoutMs = 0;
  private receiveTimer: { cancel(): void } | null = null;
  private restarts: RestartWindow | null = null;
  private stopRequested = false;

  constructor(
    readonly host: CellHost,
    readonly id: number,
    readonly definition: ActorDefinition<unknown, unknown, unknown>,
    readonly args: unknown,
    parentCell: ActorCell | null,
    parentRef: ActorRef | null,
    options: SpawnOptions | undefined,
  ) {
    this.behavior = definition.behavior;
    this.self = new ActorRef(host.participant, id, definition.name);
    this.parentCell = parentCell;
    this.parent = parentCell?.self ?? parentRef;
    this.throughput = options?.throughput ?? 100;
    const mailbox = options?.mailbox ?? this.behavior.mailbox;
    this.queue = createQueue(mailbox);
    this.capacity = mailbox?.capacity ?? Infinity;
    this.overflow = mailbox?.overflow ?? 'fail';
    this.name = options?.name;
    this.receiveFn = this.behavior.receive as Receive;
  }

  /** Runs init and the started hook. Throws what init throws (spawn fails). */
  start(): void {
    this.state = this.behavior.init(this.args, this);
    this.behavior.started?.(this.state, this);
  }

  get isStopped(): boolean {
    return this.status === Status.Stopped;
  }

  /** True when the runtime should run this cell now. */
  get runnable(): boolean {
    if (this.system.length > 0) return true;
    return this.status === Status.Running && !this.busy && this.queue.length > 0;
  }

  get children(): readonly ActorRef[] {
    return this.childCells === null ? [] : [...this.childCells].map((c) => c.self);
  }

  /** Queues a user message (sender's thread or ring delivery). */
  enqueue(message: unknown, sender: ActorRef | null): void {
    if (this.status === Status.Stopped) {
      this.host.deadLetter(this.self, message, sender, 'stopped');
      return;
    }
    if (this.queue.length >= this.capacity) {
      switch (this.overflow) {
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
        default:
          this.host.deadLetter(this.self, message, sender, 'mailbox-full');
          throw new BactorError(ErrorCode.MAILBOX_FULL, `mailbox of ${this.self} is full (capacity=${this.capacity}): message refused`);
      }
    }
    this.queue.push(message, sender);
    if (!this.scheduled) this.host.schedule(this);
  }

  enqueueSystem(op: SystemOp): void {
    if (this.status === Status.Stopped) return;
    this.system.push(op);
    if (!this.scheduled) this.host.schedule(this);
  }

  /** Handles up to `throughput` messages; returns how many (system messages included). */
  run(): number {
    let n = 0;
    while (n < this.throughput) {
      const op = this.system.shift();
      if (op !== undefined) {
        this.handleSystem(op);
        n++;
        continue;
      }
      if (this.status !== Status.Running || this.busy || this.queue.length === 0) break;
      const message = this.queue.peekMessage();
      const sender = this.queue.peekSender();
      this.queue.shift();
      this.invoke(message, sender);
      n++;
    }
    return n;
  }

  private invoke(message: unknown, sender: ActorRef | null): void {
    this.message = message;
    this.sender = sender;
    if (this.receiveTimer !== null) this.resetReceiveTimeout();
    let result: unknown;
    try {
      result = this.receiveFn(this.state, message, this);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.settle(result);
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
          if (this.stopRequested) this.stopSelf();
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
        this.childCells?.forEach((c) => c.self.equals(op.ref) && this.childCells!.delete(c));
        // After unwatch, no Terminated is delivered, even one already on its way.
        if (this.watching === null || !this.watching.delete(op.ref.packed)) return;
        if (this.behavior.terminated !== undefined && this.status !== Status.Stopped) {
          this.message = op.ref;
          this.sender = null;
          try {
            this.settle(this.behavior.terminated(this.state, op.ref, this));
          } catch (error) {
            this.fail(error);
          }
        }
        return;
      case 'watch':
        (this.watchers ??= []).push(op.watcher);
        return;
      case 'unwatch':
        if (this.watchers !== null) this.watchers = this.watchers.filter((w) => !w.equals(op.watcher));
        return;
    }
  }

  // ---- failure and supervision -------------------------------------------------------------

  /** This actor's handler failed: suspend and let the supervisor decide. */
  fail(error: unknown): void {
    if (this.status === Status.Stopped) return;
    this.status = Status.Suspended;
    this.cancelReceiveTimeout();
    if (this.parentCell !== null) this.parentCell.enqueueSystem({ k: 'failed', child: this, error });
    else this.host.guardianFailure(this, error);
  }

  /** Supervisor side: decide about a failed child (runs in the supervisor's turn). */
  superviseFailure(child: ActorCell, error: unknown): void {
    const strategy = this.behavior.supervisor ?? DEFAULT_STRATEGY;
    applyDirective(
      this.host,
      strategy,
      child,
      error,
      strategy.kind === 'all-for-one' && this.childCells ? [...this.childCells] : [child],
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
      this.behavior.restarting?.(this.state, error, this);
    } catch {
      // a failing pre-restart hook does not prevent the restart
    }
    this.stopChildren();
    this.cancelTimers();
    this.becomeStack = null;
    this.receiveFn = this.behavior.receive as Receive;
    this.message = undefined;
    this.sender = null;
    try {
      this.state = this.behavior.init(this.args, this);
      this.behavior.restarted?.(this.state, error, this);
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
    return (this.restarts ??= new RestartWindow());
  }

  // ---- stopping ----------------------------------------------------------------------------

  /** Stops this actor: stopping hook, children first, stopped hook, then watchers and parent. */
  stopSelf(): void {
    if (this.status === Status.Stopped) return;
    if (this.busy) {
      this.stopRequested = true; // after the running handler settles
      return;
    }
    try {
      this.behavior.stopping?.(this.state, this);
    } catch {
      // hooks cannot prevent a stop
    }
    this.stopChildren();
    this.status = Status.Stopped;
    this.cancelTimers();
    this.cancelReceiveTimeout();
    try {
      this.behavior.stopped?.(this.state, this);
    } catch {
      // ignored, as above
    }
    while (this.queue.length > 0) {
      const message = this.queue.peekMessage();
      const sender = this.queue.peekSender();
      this.queue.shift();
      this.host.deadLetter(this.self, message, sender, 'stopped');
    }
    this.host.removeCell(this);
    if (this.parentCell !== null) this.parentCell.childCells?.delete(this);
    for (const watcher of this.watchers ?? []) this.host.sendSystem(watcher, { k: 'terminated', ref: this.self });
    this.watchers = null;
  }

  private stopChildren(): void {
    if (this.childCells === null) return;
    for (const child of [...this.childCells]) child.stopSelf();
    this.childCells.clear();
  }

  addChild(child: ActorCell): void {
    (this.childCells ??= new Set()).add(child);
  }

  // ---- ActorContext --------------------------------------------------------------------------

  respond(reply: unknown): void {
    if (this.sender === null) {
      this.host.deadLetter(new ActorRef(this.host.participant, 0, 'no-sender'), reply, this.self, 'no-sender');
      return;
    }
    this.host.tell(this.sender, reply, this.self);
  }

  forward(target: ActorRef): void {
    this.host.tell(target, this.message, this.sender);
  }

  spawn<CM, CR, CA>(definition: ActorDefinition<CM, CR, CA>, args: CA, options?: SpawnOptions): ActorRef<CM, CR> {
    const child = this.host.spawnChild(this, definition as ActorDefinition<unknown, unknown, unknown>, args, options);
    return child.self as ActorRef<CM, CR>;
  }

  ask<TM, TR>(target: ActorRef<TM, TR>, message: TM, options?: AskOptions): Promise<TR> {
    return this.host.ask(target as ActorRef, message, options?.timeout ?? 5000) as Promise<TR>;
  }

  stop(target?: ActorRef): void {
    if (target === undefined || target.equals(this.self)) {
      this.enqueueSystem({ k: 'stop' });
      return;
    }
    this.host.sendSystem(target, { k: 'stop' });
  }

  watch(target: ActorRef): void {
    (this.watching ??= new Set()).add(target.packed);
    this.host.sendSystem(target, { k: 'watch', watcher: this.self });
  }

  unwatch(target: ActorRef): void {
    this.watching?.delete(target.packed);
    this.host.sendSystem(target, { k: 'unwatch', watcher: this.self });
  }

  become(receive: (state: never, message: unknown, ctx: ActorContext<unknown, unknown>) => unknown): void {
    (this.becomeStack ??= []).push(this.receiveFn);
    this.receiveFn = receive as Receive;
  }

  unbecome(): void {
    const previous = this.becomeStack?.pop();
    if (previous !== undefined) this.receiveFn = previous;
  }

  stash(): void {
    (this.stashed ??= new PairDeque()).push(this.message, this.sender);
  }

  unstashAll(): void {
    const stashed = this.stashed;
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
    const handles = (this.timerHandles ??= new Set());
    const handle = this.host.timers.schedule(delayMs, () => {
      handles.delete(handle);
      this.enqueue(message, this.self);
    });
    handles.add(handle);
    return { cancel: () => (handle.cancel(), handles.delete(handle)) };
  }

  scheduleRepeatedly(initialDelayMs: number, intervalMs: number, message: unknown): Cancellable {
    if (!(intervalMs > 0)) throw new BactorError(ErrorCode.INVALID_OPTION, `scheduleRepeatedly: intervalMs=${intervalMs} must be positive`);
    const handles = (this.timerHandles ??= new Set());
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
    if (!(ms >= 0)) throw new BactorError(ErrorCode.INVALID_OPTION, `setReceiveTimeout: ms=${ms} must be >= 0`);
    this.receiveTimeoutMs = ms;
    this.resetReceiveTimeout();
  }

  runTask<T, A>(taskModuleUrl: string, exportName: string, input: A): Promise<T> {
    return this.host.runTask<T>(taskModuleUrl, exportName, input);
  }

  private resetReceiveTimeout(): void {
    this.cancelReceiveTimeout();
    if (this.receiveTimeoutMs > 0) {
      this.receiveTimer = this.host.timers.schedule(this.receiveTimeoutMs, () => {
        this.receiveTimer = null;
        this.enqueue(RECEIVE_TIMEOUT, null);
      });
    }
  }

  private cancelReceiveTimeout(): void {
    this.receiveTimer?.cancel();
    this.receiveTimer = null;
  }

  private cancelTimers(): void {
    if (this.timerHandles === null) return;
    for (const handle of this.timerHandles) handle.cancel();
    this.timerHandles.clear();
  }
}

/**
 * Applies a supervisor's decision to `targets` (the failed child, or all children for
 * all-for-one). `escalate` fails the supervisor itself with the same error.
 */
export function applyDirective(
  host: CellHost,
  strategy: SupervisorStrategy,
  failed: ActorCell,
  error: unknown,
  targets: ActorCell[],
  escalate: (error: unknown) => void,
): Directive {
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
  if (directive === 'restart') {
    const window = failed.restartWindow();
    if (!window.allow(strategy, host.timers.clock.now())) directive = 'stop';
    else {
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
  return directive;
}
