import { ASK_SLOT_ID_BIT, type ActorRef, MAX_LOCAL_ID } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { type ErrorInfo, errorFromInfo } from '../errors/error-info.js';
import { describeMessageType } from '../util/message-type.js';
import type { TimerEntry, TimerQueue, TimerTask } from './timer-queue.js';

/** Local ids with ASK_SLOT_ID_BIT are ask slots (the reply address of one ask), the others actors. */
export const isAskSlot = (id: number): boolean => (id & ASK_SLOT_ID_BIT) !== 0;

/** The dead-letter reason of a message to a ref of an earlier actor system. */
export const STALE_REF = 'earlier-system';

/** One waiting ask: its promise's settlers, and its own timeout task (no closure per ask). */
class Slot implements TimerTask {
  resolve: (value: unknown) => void = noop;
  reject: (error: unknown) => void = noop;
  timer: TimerEntry | null = null;

  constructor(
    private readonly owner: AskSlots,
    readonly id: number,
    readonly target: ActorRef,
    readonly message: unknown,
    readonly timeoutMs: number,
  ) {}

  fire(): void {
    this.owner.timedOut(this);
  }
}

function noop(): void {}

/** Sends an ask's question with the slot's ref as its sender (one function per thread, not one per ask). */
export type SendQuestion = (from: ActorRef, target: ActorRef, message: unknown) => void;

/**
 * The asks one thread waits on. Each ask takes a slot: a local id with ASK_SLOT_ID_BIT, which
 * the question carries as its sender, so the reply is an ordinary tell to it. A slot ends at the
 * first of: the reply, the timeout, or a failure report (the question could not be delivered,
 * or its handler failed); what comes for it later finds nothing and is a dead letter.
 */
export class AskSlots {
  private readonly slots = new Map<number, Slot>();
  private nextSlot = ASK_SLOT_ID_BIT;

  constructor(
    private readonly timers: TimerQueue,
    /** Makes the ref of a slot (the sender the question carries). */
    private readonly slotRef: (id: number) => ActorRef,
  ) {}

  /** Asks waiting for their reply. */
  get size(): number {
    return this.slots.size;
  }

  /**
   * Opens a slot for `message` to `target` and sends it with `send(slot ref, target, message)`;
   * the promise settles with the reply, or rejects with ERR_ASK_TIMEOUT after `timeoutMs`, or
   * with what `send` throws (the slot is then closed).
   */
  open(target: ActorRef, message: unknown, timeoutMs: number, send: SendQuestion): Promise<unknown> {
    if (!(timeoutMs > 0))
      return Promise.reject(new BactorError(ErrorCode.INVALID_OPTION, `ask timeout=${timeoutMs} must be a positive number of ms`));
    const id = this.allocate();
    const slot = new Slot(this, id, target, message, timeoutMs);
    const answer = new Promise<unknown>((resolve, reject) => {
      slot.resolve = resolve;
      slot.reject = reject;
    });
    slot.timer = this.timers.scheduleTask(timeoutMs, slot);
    this.slots.set(id, slot);
    try {
      send(this.slotRef(id), target, message);
    } catch (error) {
      this.close(slot);
      slot.reject(error);
    }
    return answer;
  }

  /** The ask of `slot` ran out of time. */
  timedOut(slot: Slot): void {
    this.slots.delete(slot.id);
    slot.reject(
      new BactorError(
        ErrorCode.ASK_TIMEOUT,
        `${slot.target} did not answer ${describeMessageType(slot.message)} within ${slot.timeoutMs} ms`,
      ),
    );
  }

  /** Ends a slot: its timeout cancelled, its id free. */
  private close(slot: Slot): void {
    if (slot.timer !== null) this.timers.cancelTimer(slot.timer);
    this.slots.delete(slot.id);
  }

  /** A reply reached slot `id`: settles its ask; false if none waits there. */
  answer(id: number, message: unknown): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.close(slot);
    slot.resolve(message);
    return true;
  }

  /**
   * The ask of slot `id` cannot be answered: its question reached no actor (`reason`: 'stopped',
   * 'unknown', 'mailbox-full', STALE_REF), or its handler failed (`error`: ERR_ACTOR_FAILED with
   * the handler's error, rebuilt with its stack, as cause).
   */
  fail(id: number, target: ActorRef | string, reason: string, error?: ErrorInfo): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.close(slot);
    slot.reject(error !== undefined ? handlerFailed(target, reason, error) : unanswerable(target, reason));
  }

  /** Rejects every waiting ask with `error` (shutdown). */
  failAll(error: unknown): void {
    for (const slot of [...this.slots.values()]) {
      this.close(slot);
      slot.reject(error);
    }
  }

  private allocate(): number {
    do {
      this.nextSlot = this.nextSlot >= MAX_LOCAL_ID ? ASK_SLOT_ID_BIT : this.nextSlot + 1;
    } while (this.slots.has(this.nextSlot));
    return this.nextSlot;
  }
}

/** The handler's error, rebuilt with its code, stack and causes, is the cause. */
function handlerFailed(target: ActorRef | string, reason: string, error: ErrorInfo): BactorError {
  return new BactorError(ErrorCode.ACTOR_FAILED, `${target} ${reason}: ${error.message}`, { cause: errorFromInfo(error) });
}

function unanswerable(target: ActorRef | string, reason: string): BactorError {
  if (reason === 'mailbox-full') return new BactorError(ErrorCode.MAILBOX_FULL, `mailbox of ${target} is full: the ask was refused`);
  return new BactorError(
    ErrorCode.ACTOR_NOT_FOUND,
    reason === STALE_REF
      ? `${target} belongs to an actor system that has shut down (refs do not carry over to a new system): the ask cannot be answered`
      : `${target} is ${reason === 'stopped' ? 'stopped' : 'unknown'}: the ask cannot be answered`,
  );
}
