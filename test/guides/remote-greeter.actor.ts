import { type ActorContext, type ActorRef, defineActor } from '../../src/index.js';

export type GreeterMsg = { type: 'greet'; name: string } | { type: 'subscribe'; listener: ActorRef<string> };

export const Greeter = defineActor(import.meta.url, 'Greeter', {
  init: () => ({ greeted: 0 }),
  receive(state, msg: GreeterMsg, ctx: ActorContext<GreeterMsg, string>) {
    if (msg.type === 'greet') ctx.respond(`hello ${msg.name} (${++state.greeted})`);
    else msg.listener.tell(`subscribed to ${ctx.self.kind}`); // a ref from another node, told back
  },
});

export const Listener = defineActor(import.meta.url, 'Listener', {
  init: () => ({ heard: [] as string[] }),
  receive(state, msg: string | { type: 'heard' }, ctx: ActorContext<string | { type: 'heard' }, string[]>) {
    if (typeof msg === 'string') state.heard.push(msg);
    else ctx.respond(state.heard);
  },
});
