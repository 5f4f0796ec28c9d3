import type { ActorRef } from '../actor/actor-ref.js';
import { inspectMessage } from '../codec/inspect-message.js';
import type { ReliableChannel } from './reliable-producer.js';

/**
 * A ref with reliable delivery to one actor (`ctx.reliable(target)`, `system.reliable(target)`):
 * what it is told reaches the target once and in order, across threads and nodes, through lost
 * messages, broken connections and the death of the target's worker (see ReliableChannel and
 * ReliableInbox). Use it on the thread that made it. `tell` checks the message at once
 * (ERR_UNSERIALIZABLE_MESSAGE, nothing sent). The target sees the producer actor as the sender:
 * its replies are passed on to the actor that made the ref.
 */
export class ReliableRef<M = unknown> {
  constructor(
    /** The actor the messages go to. */
    readonly target: ActorRef<M>,
    /** The producer actor that numbers, keeps and resends (a child of the caller, or inline on the main thread). */
    readonly producer: ActorRef,
    private readonly channel: ReliableChannel,
  ) {}

  get producerId(): string {
    return this.channel.producerId;
  }

  /** Messages told and not yet acknowledged by the target. */
  get pending(): number {
    return this.channel.pending;
  }

  tell(message: M): void {
    inspectMessage(message);
    this.channel.send(message);
  }

  toString(): string {
    return `ReliableRef(${this.producerId} → ${String(this.target)})`;
  }
}
