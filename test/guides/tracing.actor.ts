import { type ActorRef, defineActor } from '../../src/index.js';

export type RelayMsg = { type: 'relay'; to: ActorRef<RelayMsg, string> | null };

/** Answers with its own name, or with what the actor it asks answers. */
export const Relay = defineActor.typed<RelayMsg, string>()(import.meta.url, 'Relay', {
  init: () => null,
  async receive(_state, msg, ctx) {
    if (msg.to === null) ctx.respond(String(ctx.self));
    else ctx.respond(await ctx.ask(msg.to, { type: 'relay', to: null }));
  },
});
