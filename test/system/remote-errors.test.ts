// Errors that cross threads keep their cause chain, their codes, and the stack of the thread
// where they happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { ChainedErrors } from '../fixtures/chained-errors.actor.js';

type Chained = Error & { code?: string; cause?: Error & { code?: string; cause?: Error & { code?: string } } };

test(
  'a spawn whose init throws on a worker: ERR_ACTOR_INIT_FAILED, the cause chain with its codes, and the worker’s stack',
  { timeout: 30_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    const error = (await system.spawn(ChainedErrors, true).catch((e: unknown) => e)) as Chained;
    assert.equal(error.code, 'ERR_ACTOR_INIT_FAILED');
    assert.equal(error.cause?.message, 'init: the wrapper');
    assert.equal(error.cause?.cause?.name, 'RangeError');
    assert.equal(error.cause?.cause?.code, 'E_ROOT');
    assert.match(error.stack ?? '', /--- on worker 1/, 'the stack shows where it failed');
    assert.match(error.cause?.stack ?? '', /chained-errors\.actor/, "the init error's own stack is the worker's");
  },
);

test(
  'an ask whose handler throws on a worker: ERR_ACTOR_FAILED with the handler error and its cause rebuilt',
  { timeout: 30_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    const ref = await system.spawn(ChainedErrors, false);
    const error = (await ref.ask('fail').catch((e: unknown) => e)) as Chained;
    assert.equal(error.code, 'ERR_ACTOR_FAILED');
    assert.equal(error.cause?.message, 'handler: the wrapper');
    assert.match(error.cause?.stack ?? '', /chained-errors\.actor/);
    assert.equal(error.cause?.cause?.name, 'RangeError');
    assert.equal(error.cause?.cause?.code, 'E_ROOT');
    assert.equal(await ref.ask('ok'), 'ok', 'restarted by its supervisor');
  },
);
