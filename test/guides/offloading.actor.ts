import { defineActor } from '../../src/index.js';

const TASKS = new URL('./tasks.js', import.meta.url).href;

type PrimesMsg = { type: 'count'; below: number } | { type: 'ping' };

// Hands the CPU work to the task pool: the other actors of its worker keep running meanwhile.
export const Primes = defineActor.typed<PrimesMsg, number | string>()(import.meta.url, 'Primes', {
  init: () => null,
  async receive(_state, msg, ctx) {
    if (msg.type === 'ping') ctx.respond('pong');
    else ctx.respond(await ctx.runTask<number, number>(TASKS, 'countPrimes', msg.below));
  },
});
