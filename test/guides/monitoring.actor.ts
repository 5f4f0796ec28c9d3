import { defineActor } from '../../src/index.js';

/** Takes orders; 'hold' keeps it busy for `ms` (its mailbox fills meanwhile). */
export const Orders = defineActor.typed<{ type: 'order'; id: number } | { type: 'hold'; ms: number }, never>()(import.meta.url, 'Orders', {
  init: () => ({ taken: 0 }),
  receive(state, msg) {
    if (msg.type === 'hold') return new Promise<void>((resolve) => setTimeout(resolve, msg.ms));
    state.taken++;
  },
});
