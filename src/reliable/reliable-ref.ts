import type { ActorRef } from '../actor/actor-ref.js';
import { inspectMessage } from '../codec/inspect-message.js';
import type { ReliableChannel } from './reliable-producer.js';

/**
 * A ref with reliable delivery to one actor (`ctx.reliable(target)`, `system.reliable(target)`):
 * what it is told reaches the target once and in order, across threads and nodes, through lost
 * messages, broken connections and the death of the target's worker (see ReliableChannel and
 * ReliableInbox); with `durable`, through the death of the producer's process too. Use it on the thread that made it. `tell` checks the message at once
 * (ERR_UNSERIALIZABLE_MESSAGE, nothing sent). The target sees the producer actor as the sender:
 * its replies are passed on to the actor that made the ref.
 */
export class ReliableRef<M = unknown> {
  constructor(
    /** The producer actor that numbers, keeps and resends (a child of the caller, or inline on the main thread). */
    readonly producer: ActorRef,
    private readonly channel: ReliableChannel,
  ) {}

  /** The actor the messages go to (a target looked up by name: its latest incarnation found). */
  get target(): ActorRef<M> {
    return this.channel.target as ActorRef<M>;
  }

  /**
   * Resolves once everything told so far is accepted: for a durable producer, stored in the
   * journal (it survives this process from then on); at once otherwise. Rejects with
   * ERR_ACTOR_STOPPED when the producer stopped first (its journal failed: the cause is attached).
   */
  whenStored(): Promise<void> {
    return this.channel.whenStored();
  }

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
