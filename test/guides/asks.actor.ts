import { defineActor } from '../../src/index.js';

type HalverMsg = { type: 'halve'; n: number } | { type: 'ignore' };

export const Halver = defineActor.typed<HalverMsg, number>()(import.meta.url, 'Halver', {
  init: () => null,
  receive(_state, msg, ctx) {
    if (msg.type === 'ignore') return; // no reply: the ask times out
    if (msg.n % 2 !== 0) throw new RangeError(`${msg.n} is odd`); // the ask fails at once
    ctx.respond(msg.n / 2);
  },
});
