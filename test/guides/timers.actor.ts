import { type ActorRef, type Cancellable, RECEIVE_TIMEOUT, type ReceiveTimeout, defineActor } from '../../src/index.js';

type SessionMsg =
  | { type: 'wait'; ms: number } // asked: answered `ms` later
  | { type: 'wake'; replyTo: ActorRef }
  | { type: 'tick' }
  | { type: 'stats' }
  | ReceiveTimeout;

// Beats 3 times, answers asks late, and ends itself once idle for idleMs.
export const Session = defineActor.typed<SessionMsg, string | { ticks: number; samples: number }>()(import.meta.url, 'Session', {
  init: (idleMs: number) => ({
    idleMs,
    ticks: 0,
    samples: 0,
    heartbeat: null as Cancellable | null,
    sampler: undefined as NodeJS.Timeout | undefined,
  }),
  started(state, ctx) {
    state.heartbeat = ctx.scheduleRepeatedly(10, 10, { type: 'tick' }); // a message to itself every 10 ms
    ctx.setReceiveTimeout(state.idleMs); // RECEIVE_TIMEOUT once idleMs pass without any message
    state.sampler = setInterval(() => state.samples++, 10); // a plain Node.js timer: bactor does not cancel it
  },
  receive(state, msg, ctx) {
    switch (msg.type) {
      case 'wait': // ctx.respond works only in this handler: keep the sender to answer later
        ctx.scheduleOnce(msg.ms, { type: 'wake', replyTo: ctx.sender! });
        return;
      case 'wake':
        msg.replyTo.tell('done');
        return;
      case 'tick':
        if (++state.ticks === 3) state.heartbeat?.cancel();
        return;
      case 'stats':
        ctx.respond({ ticks: state.ticks, samples: state.samples });
        return;
      case RECEIVE_TIMEOUT.type:
        ctx.stop();
        return;
    }
  },
  stopped(state) {
    clearInterval(state.sampler);
  },
});
