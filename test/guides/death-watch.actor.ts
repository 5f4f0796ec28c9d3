import { type ActorRef, defineActor } from '../../src/index.js';

type MonitorMsg = { type: 'watch'; target: ActorRef } | { type: 'unwatch'; target: ActorRef } | { type: 'gone' };

// Keeps a list of the watched actors that have stopped.
export const Monitor = defineActor.typed<MonitorMsg, ActorRef[]>()(import.meta.url, 'Monitor', {
  init: () => ({ gone: [] as ActorRef[] }),
  receive(state, msg, ctx) {
    if (msg.type === 'watch') ctx.watch(msg.target);
    else if (msg.type === 'unwatch') ctx.unwatch(msg.target);
    else ctx.respond(state.gone);
  },
  // Once per watched actor that stops, on any thread: stopped, failed for good, or lost with its worker.
  terminated(state, ref) {
    state.gone.push(ref);
  },
});

// Does nothing until it is stopped.
export const Idle = defineActor(import.meta.url, 'Idle', { init: () => null, receive() {} });
