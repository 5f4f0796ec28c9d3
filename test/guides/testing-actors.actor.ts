import { type ActorRef, defineActor } from '../../src/index.js';

export type GreeterMsg = { type: 'greet'; name: string; replyTo: ActorRef<string> };

/** Greets whoever it is told to, at `replyTo`. */
export const Greeter = defineActor.typed<GreeterMsg, never>()(import.meta.url, 'Greeter', {
  init: () => null,
  receive(_state, msg) {
    msg.replyTo.tell(`hello, ${msg.name}`);
  },
});
