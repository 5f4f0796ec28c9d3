import type { ActorRef } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { BinaryHeap } from '../util/binary-heap.js';
import { checkBag, checkFunction, checkNumber, checkOneOf, isInteger } from '../util/option-bag.js';
import { PairDeque } from './deque.js';
import { taken } from './taken-slot.js';

/** What a bounded mailbox does with a message that arrives when it is full. */
export type OverflowPolicy =
  /** Drop the arriving message (to dead letters). */
  | 'drop-newest'
  /** Drop the oldest queued message (to dead letters) and queue the arriving one. */
  | 'drop-oldest'
  /** Refuse it: a local sender's `tell` throws ERR_MAILBOX_FULL; an ask fails with it. */
  | 'fail'
  /**
   * Accept it and suspend the sending actor (on the same thread) until this mailbox is below its
   * capacity again: nothing is lost, and a fast local producer runs at its consumer's pace.
   * Senders on other threads are not suspended by the mailbox (the ring carries their pressure).
   */
  | 'backpressure';

/** A user-message queue. Implement it for a custom mailbox. */
export interface MessageQueue {
  readonly length: number;
  push(message: unknown, sender: ActorRef | null): void;
  /** Puts a message back at the front (used by unstash). */
  unshift(message: unknown, sender: ActorRef | null): void;
  /** The front message and its sender; `shift` removes them. */
  peekMessage(): unknown;
  peekSender(): ActorRef | null;
  shift(): void;
}

export interface MailboxOptions {
  /** Bounded when set: at most this many user messages queued. */
  capacity?: number;
  /** What to do when a bounded mailbox is full. Default 'fail'. */
  overflow?: OverflowPolicy;
  /** Priority mailbox: higher numbers first, FIFO within a priority. */
  priority?: (message: unknown) => number;
  /** A custom queue (bounded and priority options still apply around it). */
  queue?: () => MessageQueue;
  /**
   * Queued messages at which senders are held back, on every thread: actors that send to it are
   * suspended after their handler, code outside actors sees `ref.backpressured` (and
   * `ERR_BACKPRESSURE` past as many more sends), until the backlog drains to a quarter of it.
   * Messages are never dropped for it. Default 4,096 for an unbounded mailbox, the capacity for a
   * 'backpressure' one, none for the other bounded ones (their overflow policy decides).
   */
  highWater?: number;
}

/**
 * The default mailbox: a FIFO that is itself the deque (one object per actor, not two). On a
 * worker it keeps beside each message from another thread its slot in the thread's ledger of
 * taken messages (taken-slot.ts), so what it holds outlives a crash of the thread: the slot
 * runs and is freed with the handler (cell-turns.ts), or is freed here when the message is
 * dropped without being handled.
 */
export class FifoQueue extends PairDeque<unknown, ActorRef | null> implements MessageQueue {
  override shift(): void {
    super.shift();
    const tag = this.takenTag;
    if (tag >= 0) {
      this.takenTag = -1;
      taken.ledger!.done(tag);
    }
  }

  peekMessage(): unknown {
    return this.peekA();
  }
  peekSender(): ActorRef | null {
    return this.peekB() ?? null;
  }
}

interface PriorityEntry {
  priority: number;
  seq: number;
  message: unknown;
  sender: ActorRef | null;
}

/** Highest priority first, then arrival order (unstashed messages first within a priority). */
export class PriorityQueue implements MessageQueue {
  private readonly heap = new BinaryHeap<PriorityEntry>((a, b) => (a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq));
  private seq = 0;
  private front = Number.MAX_SAFE_INTEGER;
  constructor(private readonly priorityOf: (message: unknown) => number) {}
  get length(): number {
    return this.heap.length;
  }
  push(message: unknown, sender: ActorRef | null): void {
    this.heap.push({ priority: this.priorityOf(message), seq: this.seq++, message, sender });
  }
  unshift(message: unknown, sender: ActorRef | null): void {
    this.heap.push({ priority: this.priorityOf(message), seq: -this.front--, message, sender });
  }
  peekMessage(): unknown {
    return this.heap.peek()?.message;
  }
  peekSender(): ActorRef | null {
    return this.heap.peek()?.sender ?? null;
  }
  shift(): void {
    this.heap.pop();
  }
}

/** Checks mailbox options at spawn, so a bad one fails there with a clear error. */
export function validateMailboxOptions(options: MailboxOptions | undefined, where: string): void {
  const bag = checkBag(options, ['capacity', 'overflow', 'priority', 'queue', 'highWater'], where, 'mailbox');
  if (bag === undefined) return;
  const { capacity, overflow, priority, queue, highWater } = bag;
  checkNumber(capacity, isInteger(1), where, 'mailbox.capacity', 'a positive integer');
  checkNumber(highWater, isInteger(1), where, 'mailbox.highWater', 'a positive integer');
  checkOneOf(overflow, ['drop-newest', 'drop-oldest', 'fail', 'backpressure'], where, 'mailbox.overflow');
  if (overflow !== undefined && capacity === undefined) {
    throw new BactorError(ErrorCode.INVALID_OPTION, `${where}: mailbox.overflow needs mailbox.capacity`);
  }
  checkFunction(priority, where, 'mailbox.priority');
  checkFunction(queue, where, 'mailbox.queue (a factory of queues)');
}

export function createQueue(options: MailboxOptions | undefined): MessageQueue {
  if (options?.queue) return options.queue();
  if (options?.priority) return new PriorityQueue(options.priority);
  return new FifoQueue();
}
