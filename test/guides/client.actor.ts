import { defineActor } from '../../src/index.js';

/** A CPU job: `iterations` rounds of an integer hash. */
export const Jobber = defineActor.typed<{ iterations: number; seed: number }, number>()(import.meta.url, 'Jobber', {
  init: () => null,
  receive(_state, msg, ctx) {
    let x = msg.seed | 0 || 1;
    for (let i = 0; i < msg.iterations; i++) x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
    ctx.respond(x >>> 0);
  },
});
