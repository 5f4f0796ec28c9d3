import { ActorRef, localIdOf, participantOf } from '../actor/actor-ref.js';

/** How many senders' refs are kept before the cache starts again. */
const MAX_SENDERS = 4096;

/**
 * The refs of senders on other threads, from their packed form in a record's header. Senders
 * repeat (a stream from one actor), so the last refs are kept: no allocation per message in the
 * common case.
 */
export class SenderRefs {
  private readonly refs = new Map<number, ActorRef>();

  get(packed: number): ActorRef {
    let ref = this.refs.get(packed);
    if (ref === undefined) {
      if (this.refs.size >= MAX_SENDERS) this.refs.clear();
      ref = new ActorRef(participantOf(packed), localIdOf(packed));
      this.refs.set(packed, ref);
    }
    return ref;
  }
}
