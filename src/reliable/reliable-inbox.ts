import type { ActorRef } from '../actor/actor-ref.js';
import { ReliableAck, type ReliableEnvelope } from './reliable-messages.js';

/** What a consumer has of one producer: the last seq put in its mailbox, the last handled. */
export interface ProducerProgress {
  seen: number;
  handled: number;
}

/** What the inbox needs of a consumer: its mailbox, and its progress per producer. */
export interface ReliableConsumer {
  /** Puts an envelope in the mailbox (its handler gets the message inside; see CellTurns). */
  enqueueReliable(envelope: ReliableEnvelope): void;
  /** Per producer, by producerKey (kept with the actor: a re-created one starts empty). */
  reliableProgress(): Map<number | string, ProducerProgress>;
  /** An envelope was dropped: its sender's flow-control credit is accounted for anyway. */
  reliableDropped(): void;
}

/**
 * A producer's key in its consumers' progress: a durable producer's id (stable across restarts
 * of either side; prefixed so it never meets a ref's key); else its packed ref, with its node's
 * incarnation when another node's.
 */
export function producerKey(producer: ActorRef, producerId: string | null, localIncarnation: number): number | string {
  if (producerId !== null) return `id:${producerId}`;
  return producer.incarnation === localIncarnation ? producer.packed : `${producer.packed}@${producer.incarnation}`;
}

/**
 * The consumer side of reliable delivery, one per thread (runtime.ts hands it every envelope
 * that arrives from another thread or node, with its sender: the producer): each message goes
 * into its actor's mailbox once and in the producer's order — a copy already there is dropped,
 * one after a gap waits for the redelivery of what is missing — and is acknowledged once its
 * handler has run (its promise settled), cumulatively, one ack per producer per loop turn
 * (`flush`). A worker or process that dies with messages not yet handled leaves them
 * unacknowledged: the producer sends them again.
 */
export class ReliableInbox {
  private readonly owed = new Map<number | string, { to: ActorRef; seq: number }>();

  constructor(
    private readonly send: (to: ActorRef, ack: ReliableAck) => void,
    private readonly incarnation: number,
  ) {}

  receive(consumer: ReliableConsumer, envelope: ReliableEnvelope, producer: ActorRef): void {
    const key = producerKey(producer, envelope.producerId, this.incarnation);
    const all = consumer.reliableProgress();
    const progress = all.get(key);
    const seq = envelope.seq;
    // The next one, or the producer's oldest unacknowledged when that is further on: what came
    // before it was acknowledged, so handled (by this actor before a restart that lost its
    // progress, or by an earlier incarnation of it).
    if (progress === undefined ? seq === envelope.first : seq === progress.seen + 1 || (seq === envelope.first && seq > progress.seen)) {
      if (progress === undefined) all.set(key, { seen: seq, handled: seq - 1 });
      else {
        // Jumped to the producer's oldest unacknowledged: what precedes it counts as handled.
        if (seq > progress.seen + 1) progress.handled = seq - 1;
        progress.seen = seq;
      }
      envelope.from = producer;
      consumer.enqueueReliable(envelope);
      return;
    }
    // A copy (a redelivery that crossed an ack, or a lost ack): dropped, and what was handled acknowledged again.
    if (progress !== undefined && seq <= progress.seen && progress.handled > 0) this.owe(key, producer, progress.handled);
    // Else a gap (something before it was lost): dropped; the producer goes back to its oldest unacknowledged.
    consumer.reliableDropped();
  }

  /** The handler of `envelope`'s message has run. */
  handled(consumer: ReliableConsumer, envelope: ReliableEnvelope): void {
    const producer = envelope.from!;
    const key = producerKey(producer, envelope.producerId, this.incarnation);
    const progress = consumer.reliableProgress().get(key);
    if (progress !== undefined && envelope.seq > progress.handled) progress.handled = envelope.seq;
    this.owe(key, producer, envelope.seq);
  }

  private owe(key: number | string, to: ActorRef, seq: number): void {
    const owed = this.owed.get(key);
    if (owed === undefined) this.owed.set(key, { to, seq });
    else if (seq > owed.seq) owed.seq = seq;
  }

  get pending(): boolean {
    return this.owed.size > 0;
  }

  /** Sends the acks owed (end of the loop turn). */
  flush(): void {
    for (const { to, seq } of this.owed.values()) this.send(to, new ReliableAck(seq));
    this.owed.clear();
  }
}
