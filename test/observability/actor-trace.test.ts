import { inspect } from 'node:util';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ActorRef, ActorSystem, ErrorCode } from '../../src/index.js';
import type { ActorTraceEntry } from '../../src/system/actor-traces.js';
import { Doubler, Sink } from '../fixtures/traced.actor.js';
import { poll } from '../helpers/poll.js';

/** The first `n` entries of a trace, read with for await (at most 10 s). */
async function take(trace: AsyncIterable<ActorTraceEntry>, n: number): Promise<ActorTraceEntry[]> {
  const out: ActorTraceEntry[] = [];
  const timer = setTimeout(() => assert.fail(`only ${out.length} of ${n} entries within 10 s`), 10_000);
  try {
    for await (const entry of trace) {
      out.push(entry);
      if (out.length === n) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

describe('system.traceActor: one actor’s messages, in and out', () => {
  let system: ActorSystem;
  before(async () => {
    system = await ActorSystem.start({ workers: 2 });
  });
  after(() => system.shutdown());

  it('on a worker: each message taken and each one sent while the handler runs, in order, then nothing after stop()', async () => {
    const sink = await system.spawn(Sink, undefined, { worker: 2 });
    const doubler = await system.spawn(Doubler, sink as ActorRef, { worker: 1 });
    const trace = await system.traceActor(doubler);
    doubler.tell({ type: 'n', n: 1 });
    doubler.tell({ type: 'quiet' });
    doubler.tell({ type: 'n', n: 21 });
    const entries = await take(trace, 5);
    assert.deepEqual(
      entries.map((e) => [e.direction, e.messageType, e.message, e.peer]),
      [
        ['in', 'n', '{"type":"n","n":1}', null],
        ['out', 'doubled', '{"type":"doubled","n":2}', String(sink)],
        ['in', 'quiet', '{"type":"quiet"}', null],
        ['in', 'n', '{"type":"n","n":21}', null],
        ['out', 'doubled', '{"type":"doubled","n":42}', String(sink)],
      ],
    );
    assert.ok(entries.every((e) => e.actor === String(doubler) && e.last === false && e.at > Date.now() - 10_000));
    // console.log shows the actor, the state and the entries, not the trace's plumbing.
    const shown = inspect(trace);
    assert.match(shown, /^ActorTrace \{/);
    assert.ok(shown.includes(String(doubler)) && shown.includes('done: false') && shown.includes('"type":"doubled","n":42'), shown);
    assert.ok(!/readers|untap|unsubscribe/.test(shown), shown);
    assert.equal(inspect({ trace }, { depth: 0 }), `{ trace: ActorTrace(${String(doubler)}, 5 entries) }`);
    trace.stop();
    assert.equal(trace.done, true);
    doubler.tell({ type: 'n', n: 5 });
    assert.equal(
      await poll(
        () => sink.ask('count'),
        (c) => c === 3,
      ),
      3,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(trace.entries.length, 5, 'no entry after stop()');
    // Traced again: a new trace starts.
    const again = await system.traceActor(doubler, { max: 2 });
    doubler.tell({ type: 'n', n: 7 });
    assert.deepEqual(
      (await take(again, 2)).map((e) => [e.direction, e.message, e.last]),
      [
        ['in', '{"type":"n","n":7}', false],
        ['out', '{"type":"doubled","n":14}', true],
      ],
    );
    assert.equal(again.done, true, 'ended by itself at max');
  });

  it('an actor of the main thread, its sender shown; previews cut at 200 characters; a second trace of it refused', async () => {
    const sink = await system.spawn(Sink, undefined, { dispatcher: 'inline' });
    const doubler = await system.spawn(Doubler, sink as ActorRef, { worker: 1 });
    const trace = await system.traceActor(sink, { max: 3 });
    await assert.rejects(system.traceActor(sink), { code: ErrorCode.ACTOR_TRACED, message: /traced already/ });
    doubler.tell({ type: 'n', n: 3 });
    const [first] = await take(trace, 1);
    assert.equal(first!.direction, 'in');
    // (A sender on another thread comes as its address: its kind does not travel with the record.)
    assert.equal(first!.peer!.slice(first!.peer!.indexOf('#')), String(doubler).slice(String(doubler).indexOf('#')));
    sink.tell({ type: 'long', text: 'x'.repeat(500) });
    const second = (await take(trace, 2))[1];
    assert.equal(second!.peer, null);
    assert.equal(second!.message.length, 200);
    assert.ok(second!.message.endsWith('…'));
    trace.stop();
  });

  it('a trace ends when its actor stops, on a worker and on the main thread; refs in messages show as refs, Maps as objects', async () => {
    for (const options of [{ worker: 2 }, { dispatcher: 'inline' as const }]) {
      const sink = await system.spawn(Sink, undefined, options);
      const trace = await system.traceActor(sink);
      sink.tell({ type: 'with', to: sink, map: new Map([['a', 1]]) });
      const reading = take(trace, 100);
      await poll(
        async () => trace.entries.length,
        (n) => n === 1,
      );
      assert.equal(trace.entries[0]!.message, `{"type":"with","to":"${String(sink)}","map":{"a":1}}`);
      await system.stop(sink);
      assert.equal((await reading).length, 1, 'the iteration ends with the actor');
      assert.equal(trace.done, true);
    }
  });

  it('refuses what it cannot trace: a stopped actor, a ref of another system, wrong options', async () => {
    const sink = await system.spawn(Sink, undefined, { worker: 1 });
    await system.stop(sink);
    await assert.rejects(system.traceActor(sink), { code: ErrorCode.ACTOR_NOT_FOUND });
    await assert.rejects(system.traceActor('Sink' as never), { code: ErrorCode.INVALID_OPTION });
    const live = await system.spawn(Sink, undefined, { worker: 1 });
    await assert.rejects(system.traceActor(live, { max: 0 }), { code: ErrorCode.INVALID_OPTION });
    await assert.rejects(system.traceActor(live, { limit: 5 } as never), { code: ErrorCode.INVALID_OPTION });
  });
});

describe('system.traceActor at shutdown', () => {
  it('a trace still running ends at shutdown: its iterators finish', async () => {
    const own = await ActorSystem.start({ workers: 1 });
    const sink = await own.spawn(Sink, undefined);
    const trace = await own.traceActor(sink);
    const reading = take(trace, 100);
    sink.tell('a');
    await poll(
      async () => trace.entries.length,
      (n) => n === 1,
    );
    await own.shutdown();
    assert.equal((await reading).length, 1);
    assert.equal(trace.done, true);
  });
});
