import { type ActorRef, defineActor, oneForOne } from '../../src/index.js';

type SumMsg = { type: 'add'; json: string } | { type: 'sum' };

// Adds up the numbers it is sent as JSON text.
export const Summer = defineActor.typed<SumMsg, number>()(import.meta.url, 'Summer', {
  init: () => ({ sum: 0 }),
  receive(state, msg, ctx) {
    if (msg.type === 'sum') {
      ctx.respond(state.sum);
      return;
    }
    const value: unknown = JSON.parse(msg.json); // bad JSON: a SyntaxError
    if (typeof value !== 'number') throw new TypeError(`not a number: ${msg.json}`);
    state.sum += value;
  },
});

// Spawns a Summer child in init and supervises it.
export const Accountant = defineActor.typed<{ type: 'summer' }, ActorRef<SumMsg, number>>()(import.meta.url, 'Accountant', {
  init: (_args: void, ctx) => ({ summer: ctx.spawn(Summer, undefined) }),
  supervisor: oneForOne({
    // Bad input: skip the message, keep the state. Anything else: a fresh state from init.
    decider: (error) => ((error as Error).name === 'SyntaxError' ? 'resume' : 'restart'),
    maxRestarts: 2, // a failure after 2 restarts within 60 s stops the child instead
    withinMs: 60_000,
    backoff: { minMs: 50, maxMs: 5_000 }, // restart after 50 ms, 100 ms, 200 ms, … (plus up to 20% jitter)
  }),
  receive(state, _msg, ctx) {
    ctx.respond(state.summer);
  },
});
