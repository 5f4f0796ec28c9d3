// The README's reliable-delivery guide (test/guides/readme-guides.test.ts keeps the README's copy in step).
import { type ActorContext, type ActorRef, type ReliableRef, defineActor } from '../../src/index.js';

export type Order = { type: 'order'; id: number };

export const Orders = defineActor(import.meta.url, 'Orders', {
  init: () => ({ received: [] as number[] }),
  receive(state, msg: Order | { type: 'list' }, ctx: ActorContext<unknown, number[]>) {
    if (msg.type === 'order') state.received.push(msg.id);
    else ctx.respond(state.received);
  },
});

export const Shop = defineActor(import.meta.url, 'Shop', {
  init: (orders: ActorRef<Order>) => ({ orders, out: null as ReliableRef<Order> | null }),
  receive(state, msg: { type: 'sell'; id: number }, ctx) {
    state.out ??= ctx.reliable(state.orders); // a producer of its own, a child of this actor
    state.out.tell({ type: 'order', id: msg.id }); // once, in order: numbered, acknowledged, sent again if lost
  },
});
