import { type ActorRef, defineActor } from '../../src/index.js';

export type AccountMsg = { type: 'get'; replyTo: ActorRef } | { type: 'set'; value: number } | { type: 'read' };

/** An account that only gets and sets: two clients that read, then write, can lose an update. */
export const Account = defineActor.typed<AccountMsg, number>()(import.meta.url, 'Account', {
  init: (balance: number) => ({ balance }),
  receive(state, msg, ctx) {
    if (msg.type === 'get') msg.replyTo.tell({ type: 'balance', value: state.balance });
    else if (msg.type === 'set') state.balance = msg.value;
    else ctx.respond(state.balance);
  },
});

type WithdrawerMsg = { type: 'go' } | { type: 'balance'; value: number };

/** Withdraws `amount`: reads the balance, sets it less the amount, tells `done`. The race under test. */
export const Withdrawer = defineActor.typed<WithdrawerMsg, never>()(import.meta.url, 'Withdrawer', {
  init: (args: { account: ActorRef<AccountMsg>; done: ActorRef; amount: number }) => args,
  receive(state, msg, ctx) {
    if (msg.type === 'go') state.account.tell({ type: 'get', replyTo: ctx.self });
    else {
      state.account.tell({ type: 'set', value: msg.value - state.amount });
      state.done.tell('done');
    }
  },
});
