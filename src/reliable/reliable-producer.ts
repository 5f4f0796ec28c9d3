import { randomUUID } from 'node:crypto';
import type { ActorContext } from '../actor/actor-context.js';
import { defineActor } from '../actor/actor-definition.js';
import { type ActorRef, tellAs, tellReliable } from '../actor/actor-ref.js';
import { Deque } from '../mailbox/deque.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { checkBag, checkNumber, describe, invalidOption, isInteger } from '../util/option-bag.js';
import { ReliableAck } from './reliable-messages.js';

/** Options of `ctx.reliable` / `system.reliable`. */
export interface ReliableOptions {
  /** A name for the producer (in `ReliableRef.producerId` and its `toString`). Default: a random id. */
  producerId?: string;
  /** Messages sent and not yet acknowledged, at most; the rest wait in order. Default 4,096. */
  window?: number;
  /** With no ack for this long, the unacknowledged messages go again (then twice as long, up to 5 s). Default 200 ms. */
  redeliverAfterMs?: number;
}

const OPTION_KEYS = ['producerId', 'window', 'redeliverAfterMs'] as const;
const MAX_BACKOFF_MS = 5000;

export interface ProducerArgs {
  target: ActorRef;
  producerId: string;
  window: number;
  redeliverAfterMs: number;
}

/** Checks the options of ctx.reliable / system.reliable; the producer's arguments. */
export function reliableArgs(target: ActorRef, options: ReliableOptions | undefined, where: string): ProducerArgs {
  const bag = checkBag(options, OPTION_KEYS, where);
  if (bag?.producerId !== undefined && (typeof bag.producerId !== 'string' || bag.producerId === ''))
    throw invalidOption(where, `producerId must be a non-empty string, got ${describe(bag.producerId)}`);
  checkNumber(bag?.window, isInteger(1, 1 << 20), where, 'window', 'an integer from 1 to 1,048,576');
  checkNumber(bag?.redeliverAfterMs, isInteger(1, 60_000), where, 'redeliverAfterMs', 'an integer number of ms from 1 to 60,000');
  return {
    target,
    producerId: (bag?.producerId as string | undefined) ?? `p-${randomUUID()}`,
    window: (bag?.window as number | undefined) ?? 4096,
    redeliverAfterMs: (bag?.redeliverAfterMs as number | undefined) ?? 200,
  };
}

/**
 * The producer side of one reliable pair, the state of a ReliableProducer actor on the
 * producer's thread. `send` (called by the ReliableRef, on this thread) numbers a message, keeps
 * it until the consumer acknowledges it, and sends it within the window with the producer actor
 * as its sender (where the acks come back); unacknowledged messages go again when no ack comes
 * (go-back-N from the oldest, with backoff). A target on this thread gets plain tells: nothing
 * is lost between two actors of one thread (a worker's death takes both).
 */
export class ReliableChannel {
  /** The last seq given out, the last acknowledged, the last sent (those after it wait for the window). */
  private next = 0;
  private acked = 0;
  private sent = 0;
  /** The messages acked+1 … next, in order. */
  private readonly buffer = new Deque<unknown>();
  private progressAt = performance.now();
  private backoff: number;
  private readonly local: boolean;
  private closed = false;
  private stopped = false;

  constructor(
    private readonly args: ProducerArgs,
    /** The producer actor: the envelopes' sender. */
    private readonly self: ActorRef,
    /** Who the consumer's replies are forwarded to (the producing actor; null from the main thread). */
    readonly replyTo: ActorRef | null,
  ) {
    this.backoff = args.redeliverAfterMs;
    this.local = args.target.participant === self.participant && args.target.incarnation === self.incarnation;
  }

  get target(): ActorRef {
    return this.args.target;
  }

  /** The target is gone: what is held, and what comes, goes to dead letters (sent as plain tells to the gone actor); nothing is pending any more. */
  close(): void {
    this.closed = true;
    while (this.buffer.length > 0) tellAs(this.args.target, this.buffer.shift(), this.replyTo);
    this.acked = this.sent = this.next;
  }

  /** The producer actor stopped (the actor that made the ref stopped or restarted): the ref is dead. */
  producerStopped(): void {
    // (Stopped because its target is gone: tells stay dead letters, as to any gone actor.)
    if (this.closed) return;
    this.close();
    this.stopped = true;
  }

  get producerId(): string {
    return this.args.producerId;
  }

  /** Messages accepted and not yet acknowledged. */
  get pending(): number {
    return this.next - this.acked;
  }

  send(message: unknown): void {
    if (this.stopped)
      throw new BactorError(
        ErrorCode.ACTOR_STOPPED,
        `${this.args.producerId}: this ReliableRef's producer stopped (the actor that made it stopped or restarted, or the system shut down)`,
      );
    if (this.local || this.closed) {
      tellAs(this.args.target, message, this.replyTo);
      return;
    }
    this.next++;
    this.buffer.push(message);
    if (this.sent < this.acked + this.args.window) this.emit(++this.sent, message);
    if (!this.armed) this.armTimer();
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
    tellReliable(this.args.target, seq, this.acked + 1, message, this.self);
  }

  ack(seq: number): void {
    if (seq <= this.acked || seq > this.sent) return;
    for (let n = seq - this.acked; n > 0; n--) this.buffer.shift();
    this.acked = seq;
    this.progressAt = performance.now();
    this.backoff = this.args.redeliverAfterMs;
    // What waited for the window: the buffer holds acked+1 … next, the next to send at index sent − acked.
    const limit = Math.min(this.next, this.acked + this.args.window);
    while (this.sent < limit) this.emit(this.sent + 1, this.buffer.at(this.sent++ - this.acked));
  }

  /** The redelivery timer: everything unacknowledged goes again, oldest first, once no ack came for the backoff. */
  tick(): void {
    this.armed = false;
    const now = performance.now();
    if (this.acked === this.next) {
      this.progressAt = now;
      return;
    }
    this.armTimer();
    if (this.acked === this.sent || now - this.progressAt < this.backoff) return;
    this.progressAt = now;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    for (let seq = this.acked + 1; seq <= this.sent; seq++) this.emit(seq, this.buffer.at(seq - this.acked - 1));
  }
}

const TICK = Object.freeze({ k: 'tick' as const });

/** The actor of a ReliableChannel: acks and the redelivery timer reach it; the consumer's replies are passed on to the producing actor. */
export const ReliableProducer = defineActor(import.meta.url, 'bactor.ReliableProducer', {
  init: (args: ProducerArgs, ctx) => new ReliableChannel(args, ctx.self, ctx.parent?.kind === 'guardian' ? null : ctx.parent),
  started(channel, ctx) {
    // (The cell is the context: its timers may be set from the ReliableRef's calls too, on this thread.)
    channel.schedule = (ms) => void ctx.scheduleOnce(ms, TICK);
    ctx.watch(channel.target);
  },
  // The target is gone for good (stopped, or its node lost): nothing more to deliver. What is
  // told later goes to dead letters (a re-created target — its worker died — is not gone).
  terminated(channel, _ref, ctx) {
    channel.close();
    ctx.stop();
  },
  stopped(channel) {
    channel.producerStopped();
  },
  receive(channel, msg: unknown, ctx: ActorContext) {
    if (msg instanceof ReliableAck) channel.ack(msg.seq);
    else if (msg === TICK) channel.tick();
    // A reply of the consumer (its sender is this actor): passed on to the producing actor. A
    // main-thread producer has none: replies to it are dropped (use ask for answers).
    else if (channel.replyTo !== null) tellAs(channel.replyTo, msg, ctx.sender);
  },
});
