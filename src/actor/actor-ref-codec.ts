import { registerInternalClass } from '../codec/message-classes.js';
import { ActorRef } from './actor-ref.js';

/**
 * Refs travel in messages as [participant, id, kind, incarnation] and arrive as refs on the other
 * thread (a ref of an earlier system stays one: it reaches nothing).
 */
export const ACTOR_REF_TYPE = 64;
registerInternalClass({
  Class: ActorRef,
  type: ACTOR_REF_TYPE,
  encode: (ref: ActorRef) => [ref.participant, ref.id, ref.kind, ref.incarnation],
  decode: ([participant, id, kind, incarnation]: [number, number, string, number]) => new ActorRef(participant, id, kind, incarnation),
});
