import { registerInternalClass } from '../codec/message-classes.js';
import type { ActorRef } from '../actor/actor-ref.js';

/**
 * A message sent with reliable delivery (see reliable-producer.ts): message `seq` of the producer
 * that sent it — the record's sender, which is also where the ack goes. `first` is the oldest
 * message the producer had not had acknowledged when it sent this one: a consumer that knows
 * nothing of the producer yet (new, or re-created after its worker died) starts there and
 * nowhere else, so it never skips messages lost before this one. On the wire: [seq, first, message].
 */
export class ReliableEnvelope {
  /** Set where it arrives: the producer (the record's sender). */
  from: ActorRef | null = null;

  constructor(
    readonly seq: number,
    readonly first: number,
    readonly message: unknown,
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
  encode: (e: ReliableEnvelope) => [e.seq, e.first, e.message],
  decode: ([seq, first, message]: [number, number, unknown]) => new ReliableEnvelope(seq, first, message),
});
registerInternalClass({
  Class: ReliableAck,
  type: RELIABLE_ACK_TYPE,
  encode: (a: ReliableAck) => a.seq,
  decode: (seq: number) => new ReliableAck(seq),
});
