import { registerInternalClass } from '../codec/message-classes.js';
import type { ActorRef } from '../actor/actor-ref.js';

/**
 * A message sent with reliable delivery (see reliable-producer.ts): message `seq` of the producer
 * that sent it — the record's sender, which is also where the ack goes. `first` is the oldest
 * message the producer had not had acknowledged when it sent this one: a consumer that knows
 * nothing of the producer yet (new, or re-created after its worker died) starts there and
 * nowhere else, so it never skips messages lost before this one. `producerId` is set by a
 * durable producer (its stable id: its consumers keep their progress under it, across restarts
 * of either side). On the wire: [seq, first, message] or [seq, first, message, producerId].
 */
export class ReliableEnvelope {
  /** Set where it arrives: the producer (the record's sender). */
  from: ActorRef | null = null;

  constructor(
    readonly seq: number,
    readonly first: number,
    readonly message: unknown,
    readonly producerId: string | null = null,
  ) {}
}

/** The consumer has handled every message of this producer up to `seq` (cumulative). */
export class ReliableAck {
  constructor(readonly seq: number) {}
}

/** Both cross threads and nodes as bactor's own extension types (after ActorRef's 64). */
export const RELIABLE_ENVELOPE_TYPE = 65;
export const RELIABLE_ACK_TYPE = 66;
registerInternalClass({
  Class: ReliableEnvelope,
  type: RELIABLE_ENVELOPE_TYPE,
  encode: (e: ReliableEnvelope) => (e.producerId === null ? [e.seq, e.first, e.message] : [e.seq, e.first, e.message, e.producerId]),
  decode: ([seq, first, message, producerId]: [number, number, unknown, string?]) =>
    new ReliableEnvelope(seq, first, message, typeof producerId === 'string' ? producerId : null),
});
registerInternalClass({
  Class: ReliableAck,
  type: RELIABLE_ACK_TYPE,
  encode: (a: ReliableAck) => a.seq,
  decode: (seq: number) => new ReliableAck(seq),
});

/**
 * Stored in a persistent consumer's journal with the events its handler persisted for message
 * `seq` of durable producer `producerId` (in the same write): its recovery restores its
 * progress from these, so a message whose events are stored is never handled again.
 */
export class ReliableMark {
  constructor(
    readonly producerId: string,
    readonly seq: number,
  ) {}
}

/** A persistent consumer's snapshot when it has progress of durable producers: its state and that progress. */
export class ProgressSnapshot {
  constructor(
    readonly state: unknown,
    /** [producerId, last seq handled] pairs. */
    readonly progress: [string, number][],
  ) {}
}

export const RELIABLE_MARK_TYPE = 67;
export const PROGRESS_SNAPSHOT_TYPE = 68;
registerInternalClass({
  Class: ReliableMark,
  type: RELIABLE_MARK_TYPE,
  encode: (m: ReliableMark) => [m.producerId, m.seq],
  decode: ([producerId, seq]: [string, number]) => new ReliableMark(producerId, seq),
});
registerInternalClass({
  Class: ProgressSnapshot,
  type: PROGRESS_SNAPSHOT_TYPE,
  encode: (p: ProgressSnapshot) => [p.state, p.progress],
  decode: ([state, progress]: [unknown, [string, number][]]) => new ProgressSnapshot(state, progress),
});
