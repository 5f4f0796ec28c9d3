// The README's persistence guide: an event-sourced account (test/guides/readme-guides.test.ts keeps the README's copy in step).
import { type ActorContext, defineActor } from '../../src/index.js';

type Deposited = { type: 'deposited'; amount: number };
type AccountMsg = { type: 'deposit'; amount: number } | { type: 'balance' };

export const Account = defineActor(import.meta.url, 'Account', {
  init: (id: string) => ({ id, balance: 0 }),
  persistence: {
    id: (id) => `account-${id}`, // one live actor per persistence id
    apply(state: { balance: number }, event: Deposited) {
      state.balance += event.amount; // once the event is stored, and again at every recovery
    },
    snapshotEvery: 1000, // recovery starts from the latest snapshot
  },
  async receive(state, msg: AccountMsg, ctx: ActorContext<AccountMsg, number>) {
    if (msg.type === 'deposit') await ctx.persist({ type: 'deposited', amount: msg.amount }); // stored, then applied
    ctx.respond(state.balance);
  },
});
