import { ASK_SLOT_ID_BIT, type ActorRef, MAX_LOCAL_ID } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { type ErrorInfo, errorFromInfo } from '../errors/error-info.js';
import { describeMessageType } from '../util/message-type.js';
import type { TimerQueue } from './timer-queue.js';

/** Local ids with ASK_SLOT_ID_BIT are ask slots (the reply address of one ask), the others actors. */
export const isAskSlot = (id: number): boolean => (id & ASK_SLOT_ID_BIT) !== 0;

/** The dead-letter reason of a message to a ref of an earlier actor system. */
export const STALE_REF = 'earlier-system';

interface Slot {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: { cancel(): void };
}

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
   * Opens a slot for `message` to `target` and sends it with `send(slot ref)`; the promise
   * settles with the reply, or rejects with ERR_ASK_TIMEOUT after `timeoutMs`, or with what
   * `send` throws (the slot is then closed).
   */
  open(target: ActorRef, message: unknown, timeoutMs: number, send: (from: ActorRef) => void): Promise<unknown> {
    if (!(timeoutMs > 0))
      return Promise.reject(new BactorError(ErrorCode.INVALID_OPTION, `ask timeout=${timeoutMs} must be a positive number of ms`));
    const id = this.allocate();
    return new Promise((resolve, reject) => {
      const timer = this.timers.schedule(timeoutMs, () => {
        this.slots.delete(id);
        reject(new BactorError(ErrorCode.ASK_TIMEOUT, `${target} did not answer ${describeMessageType(message)} within ${timeoutMs} ms`));
      });
      this.slots.set(id, { resolve, reject, timer });
      try {
        send(this.slotRef(id));
      } catch (error) {
        timer.cancel();
        this.slots.delete(id);
        reject(error);
      }
    });
  }

  /** A reply reached slot `id`: settles its ask; false if none waits there. */
  answer(id: number, message: unknown): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.slots.delete(id);
    slot.timer.cancel();
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
    this.slots.delete(id);
    slot.timer.cancel();
    slot.reject(error !== undefined ? handlerFailed(target, reason, error) : unanswerable(target, reason));
  }

  /** Rejects every waiting ask with `error` (shutdown). */
  failAll(error: unknown): void {
    for (const [id, slot] of this.slots) {
      slot.timer.cancel();
      slot.reject(error);
      this.slots.delete(id);
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
