import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { ActorLog } from '../observability/actor-log.js';
import { PairDeque } from '../mailbox/deque.js';
import type { PersistentCell } from '../persistence/persistent-cell.js';
import { type ReliableChannel, type ReliableOptions, producerDefinition, reliableArgs } from '../reliable/reliable-producer.js';
import { ReliableRef } from '../reliable/reliable-ref.js';
import type { ProducerProgress } from '../reliable/reliable-inbox.js';
import type { ReliableEnvelope } from '../reliable/reliable-messages.js';
import { describe, invalidOption, isInteger, isNonNegative, isPositive, requireNumber } from '../util/option-bag.js';
import type { ActorContext, Cancellable } from './actor-context.js';
import type { ActorDefinition } from './actor-definition.js';
import { ActorRef, type AskOptions, refKey } from './actor-ref.js';
import type { CellHost } from './cell-host.js';
import { CellLifecycle } from './cell-lifecycle.js';
import { type Receive, STOPPED } from './cell-state.js';
import { askTimeout, checkRef, refError } from './ref-checks.js';
import type { SpawnOptions } from './spawn-options.js';

export type { CellHost, FlowSignal, SystemOp } from './cell-host.js';
export { DEFAULT_HIGH_WATER } from './cell-limits.js';

/**
 * One actor: state, mailbox (cell-mailbox.ts), turns (cell-turns.ts), life and supervision
 * (cell-lifecycle.ts). This class is the context handed to its handlers — no allocation per
 * message — and holds the ActorContext API. Only its runtime's thread touches it.
 */
export class ActorCell extends CellLifecycle implements ActorContext<unknown, unknown> {
  /** The runtime of its thread, as this layer sees it (cell-host.ts). */
  declare readonly host: CellHost;

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

  get log(): ActorLog {
    return this.host.logs.forActor(this.self);
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
    (this.w().watching ??= new Set()).add(refKey(target));
    this.host.sendSystem(target, { k: 'watch', watcher: this.self });
  }

  unwatch(target: ActorRef): void {
    checkRef(target, 'ctx.unwatch', 'target');
    this.x.watching?.delete(refKey(target));
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
      if (this.status === STOPPED) return;
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

  reliable<TM>(target: ActorRef<TM>, options?: ReliableOptions): ReliableRef<TM> {
    checkRef(target, 'ctx.reliable', 'target');
    const args = reliableArgs(target as ActorRef, options, 'ctx.reliable');
    const producer = this.host.spawnChild(
      this,
      producerDefinition(args, 'ctx.reliable') as ActorDefinition<unknown, unknown, unknown>,
      args,
      undefined,
    );
    return new ReliableRef<TM>(producer.self, producer.state as ReliableChannel);
  }

  /** ReliableConsumer: what reliable delivery has put in this actor's mailbox and it has handled, per producer. */
  reliableProgress(): Map<number | string, ProducerProgress> {
    return (this.w().reliableProgress ??= new Map());
  }

  /** ReliableConsumer: the envelope goes in whole; the turn unwraps it (the general path: see CellTurns.run). */
  enqueueReliable(envelope: ReliableEnvelope): void {
    this.fifo = false;
    this.enqueue(envelope, envelope.from);
  }

  persist(eventsOrState: unknown): Promise<void> {
    return this.persistent('persist', false).persist(eventsOrState, true);
  }

  persistAsync(eventsOrState: unknown): Promise<void> {
    return this.persistent('persistAsync', false).persist(eventsOrState, false);
  }

  get lastSequenceNr(): number {
    return this.x.persistent?.seq ?? 0;
  }

  saveSnapshot(): Promise<void> {
    return this.persistent('saveSnapshot', true).saveSnapshot();
  }

  deleteEvents(toSeq: number): Promise<void> {
    requireNumber(toSeq, isInteger(0), 'ctx.deleteEvents', 'toSeq', 'an integer ≥ 0');
    return this.persistent('deleteEvents', true).deleteEvents(toSeq);
  }

  private persistent(what: string, eventSourced: boolean): PersistentCell {
    const persistent = this.x.persistent;
    if (persistent === null || (eventSourced && persistent.durable)) {
      const why =
        persistent !== null
          ? 'it keeps durable state (only event-sourced actors have snapshots and events to delete)'
          : this.definition.behavior.persistence === undefined
            ? 'its behaviour has no persistence option'
            : 'its state is not recovered yet (not from init)';
      throw new BactorError(ErrorCode.NOT_PERSISTENT, `ctx.${what}() on ${this.self}: ${why}`);
    }
    return persistent;
  }
}
