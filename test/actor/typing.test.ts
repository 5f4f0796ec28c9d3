// Type-level tests: `npm test` compiles this file with tsc first, and each @ts-expect-error
// fails the build if the line below it compiles. The runtime test keeps the file in the suite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActorRef, ActorSystem } from '../../src/index.js';
import { Counter } from '../fixtures/readme-counter.actor.js';

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

test('typed messages, replies and spawn arguments (checked by tsc at build time)', () => {
  assert.equal(typeof typeChecks, 'function');
});
