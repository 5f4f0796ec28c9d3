import { registerInternalClass } from '../codec/message-classes.js';
import { ActorRef } from './actor-ref.js';

/** Refs travel in messages as [participant, id, kind] and arrive as refs on the other thread. */
export const ACTOR_REF_TYPE = 64;
registerInternalClass({
  Class: ActorRef,
  type: ACTOR_REF_TYPE,
  encode: (ref: ActorRef) => [ref.participant, ref.id, ref.kind],
  decode: ([participant, id, kind]: [number, number, string]) => new ActorRef(participant, id, kind),
});
