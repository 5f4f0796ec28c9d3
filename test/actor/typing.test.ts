// Type-level tests: `npm test` compiles this file with tsc first, and each @ts-expect-error
// fails the build if the line below it compiles. The runtime test keeps the file in the suite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorContext, type ActorRef, type ActorSystem, defineActor } from '../../src/index.js';
import { Counter } from '../fixtures/readme-counter.actor.js';

type CounterMsg = { type: 'add'; n: number } | { type: 'get' };

async function typeChecks(system: ActorSystem): Promise<void> {
  const counter = await system.spawn(Counter, 0);
  counter.tell({ type: 'add', n: 1 });
  const total: number = await counter.ask({ type: 'get' });
  void total;
  // @ts-expect-error: not a message Counter accepts
  counter.tell({ type: 'mul', n: 2 });
  // @ts-expect-error: n must be a number
  counter.tell({ type: 'add', n: '2' });
  // @ts-expect-error: the reply is a number, not a string
  const wrong: string = await counter.ask({ type: 'get' });
  void wrong;
  // @ts-expect-error: spawn arguments are checked (init takes a number)
  await system.spawn(Counter, 'zero');
  const anyRef: ActorRef<unknown> = counter; // any ref fits ActorRef<unknown>
  void anyRef;
}

/** `defineActor.typed<M, R>()`: the message and reply types stated once; state and arguments from init. */
async function typedForm(system: ActorSystem): Promise<void> {
  const Typed = defineActor.typed<CounterMsg, number>()(import.meta.url, 'Typed', {
    init: (start: number) => ({ total: start }),
    started(state, ctx) {
      ctx.self.tell({ type: 'add', n: state.total }); // ctx and self typed in hooks too
    },
    receive(state, msg, ctx) {
      if (msg.type === 'add') state.total += msg.n;
      else ctx.respond(state.total);
      // @ts-expect-error: the reply type is number
      ctx.respond('a string');
      // @ts-expect-error: msg is a CounterMsg, which has no 'mul'
      if (msg.type === 'mul') return;
      // @ts-expect-error: a message the actor does not take, to itself
      ctx.self.tell({ type: 'sub', n: 1 });
    },
  });
  const ref = await system.spawn(Typed, 1);
  const total: number = await ref.ask({ type: 'get' });
  void total;
  const same: ActorRef<CounterMsg, number> = ref;
  void same;
  // @ts-expect-error: not a message Typed accepts
  ref.tell({ type: 'mul', n: 2 });
  // @ts-expect-error: the reply is a number
  const wrong: string = await ref.ask({ type: 'get' });
  void wrong;
  // @ts-expect-error: init takes a number
  await system.spawn(Typed, 'one');

  // An annotation that contradicts the stated message type is an error.
  defineActor.typed<CounterMsg, number>()(import.meta.url, 'Contradicted', {
    init: () => null,
    // @ts-expect-error: receive must take every CounterMsg
    receive(_state, _msg: { type: 'other' }) {},
  });

  // Without a reply type, replies are unknown; without init arguments, spawn takes undefined.
  const NoReply = defineActor.typed<{ type: 'ping' }>()(import.meta.url, 'NoReply', {
    init: () => ({ pings: 0 }),
    receive(state, _msg, ctx) {
      state.pings++;
      ctx.respond(state.pings);
    },
  });
  const noReply = await system.spawn(NoReply, undefined);
  const answer: unknown = await noReply.ask({ type: 'ping' });
  void answer;
  // @ts-expect-error: the reply type is unknown, not number
  const asNumber: number = await noReply.ask({ type: 'ping' });
  void asNumber;
}

/** Plain `defineActor`: types from annotations; a `ctx` without one replies `unknown` (it used to be `never`). */
async function plainForm(system: ActorSystem): Promise<void> {
  const Unannotated = defineActor(import.meta.url, 'Unannotated', {
    init: (start: number) => ({ total: start }),
    receive(state, msg: CounterMsg, ctx) {
      if (msg.type === 'add') state.total += msg.n;
      else ctx.respond(state.total); // compiles: the reply type is unknown
    },
  });
  const unannotated = await system.spawn(Unannotated, 0);
  const reply: unknown = await unannotated.ask({ type: 'get' });
  void reply;
  // @ts-expect-error: nothing says the reply is a number
  const replyNumber: number = await unannotated.ask({ type: 'get' });
  void replyNumber;
  // @ts-expect-error: the message type still comes from the annotation on msg
  unannotated.tell({ type: 'mul' });

  const Annotated = defineActor(import.meta.url, 'Annotated', {
    init: (start: number) => ({ total: start }),
    receive(state, msg: CounterMsg, ctx: ActorContext<CounterMsg, number>) {
      if (msg.type === 'add') state.total += msg.n;
      else ctx.respond(state.total);
    },
  });
  const annotated = await system.spawn(Annotated, 0);
  const total: number = await annotated.ask({ type: 'get' });
  void total;
}

test('typed messages, replies and spawn arguments (checked by tsc at build time)', () => {
  assert.equal(typeof typeChecks, 'function');
  assert.equal(typeof typedForm, 'function');
  assert.equal(typeof plainForm, 'function');
});
