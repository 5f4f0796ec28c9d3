import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { type ActorRef, ActorSystem, ErrorCode } from '../../src/index.js';
import { type CountMsg, type CountReport, Counting, Feeder, Recorder, Relay } from '../fixtures/reliable.actor.js';
import { startNode, stopNode } from '../helpers/remote-nodes.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/** Polls `get` until `done` holds of what it returns (`ms` at most, then fails saying `what`). */
async function poll<T>(
  get: () => Promise<T>,
  done: (value: T) => boolean,
  ms: number,
  what: () => string,
  show: (value: T) => string = (value) => JSON.stringify(value).slice(0, 200),
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what()}: ${show(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Asks for the report until `done` holds (20 s at most; an ask that times out is asked again). */
async function reportWhen(ref: ActorRef<CountMsg, CountReport>, done: (r: CountReport) => boolean, what: string): Promise<CountReport> {
  const report = await poll(
    () => ref.ask({ type: 'report' }, { timeout: 1000 }).catch(() => undefined),
    (r) => r !== undefined && done(r),
    20_000,
    () => what,
  );
  return report!;
}

test(
  'reliable delivery between threads: everything once and in order, within a small window; from the main thread too',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2 });
    t.after(() => system.shutdown());
    const counting = await system.spawn(Counting, undefined, { worker: 2 });
    const feeder = await system.spawn(Feeder, undefined, { worker: 1 });
    const N = 30_000;
    for (let from = 0; from < N; from += 5_000)
      await feeder.ask({ type: 'feed', target: counting, from, count: 5_000, reliable: true, window: 64 });
    const report = await reportWhen(counting, (r) => r.count >= N, 'all of them');
    assert.deepEqual(report, { count: N, last: N - 1, errors: [] });
    const fromMain = await system.reliable(counting, { producerId: 'main-1' });
    assert.equal(fromMain.producerId, 'main-1');
    for (let n = N; n < N + 1000; n++) fromMain.tell({ type: 'n', n });
    assert.deepEqual(await reportWhen(counting, (r) => r.count >= N + 1000, 'the main thread’s'), {
      count: N + 1000,
      last: N + 999,
      errors: [],
    });
    // Bad input at the call, nothing sent.
    assert.throws(() => fromMain.tell({ type: 'n', n: 1, f: () => 1 } as never), { code: ErrorCode.UNSERIALIZABLE_MESSAGE });
    await assert.rejects(system.reliable(counting, { window: 0 }), { code: ErrorCode.INVALID_OPTION, message: /window=0 must be/ });
    await assert.rejects(system.reliable(counting, { windw: 5 } as never), {
      code: ErrorCode.INVALID_OPTION,
      message: /did you mean 'window'/,
    });
    await assert.rejects(system.reliable('counting' as never), { message: /target must be an ActorRef/ });
    // The target stops: its producer stops too (no endless redelivery); what is told later is a dead letter.
    const dead: string[] = [];
    system.events.subscribe((e) => e.type === 'dead-letter' && dead.push(e.messageType));
    await system.stop(counting);
    await poll(
      () => system.stats(),
      (s) => !s.main.kinds.some((k) => k.kind === 'bactor.ReliableProducer' && k.actors > 0),
      10_000,
      () => 'the main-thread producers stopped with their target',
    );
    assert.equal(fromMain.pending, 0, 'what it held went to dead letters: nothing pending');
    fromMain.tell({ type: 'n', n: -1 });
    await poll(
      async () => dead,
      (d) => d.length > 0,
      5000,
      () => 'a dead letter for the message told after the stop',
    );
    // A ref whose producer stopped (its maker stopped, or the system shut down) refuses to tell.
    const other = await system.spawn(Counting, undefined, { worker: 2 });
    const orphan = await system.reliable(other);
    await system.stop(orphan.producer);
    assert.throws(() => orphan.tell({ type: 'n', n: 0 }), { code: ErrorCode.ACTOR_STOPPED });
  },
);

for (const how of ['terminate', 'exit in its handler'] as const)
  test(
    `reliable delivery when the consumer’s worker dies mid-stream (${how}): nothing is lost; a message is handled twice at most, only around the death`,
    { timeout: 90_000 },
    async (t) => {
      const system = await ActorSystem.start({ workers: 2 });
      t.after(() => system.shutdown());
      const marker = join(mkdtempSync(join(tmpdir(), 'bactor-reliable-')), 'exited');
      t.after(() => rmSync(dirname(marker), { recursive: true, force: true }));
      const recorder = await system.spawn(Recorder, undefined, { worker: 1 });
      const relay = await system.spawn(Relay, how === 'terminate' ? { recorder } : { recorder, exitAt: 8_000, marker }, { worker: 2 });
      const feeder = await system.spawn(Feeder, undefined, { worker: 1 });
      const N = 40_000;
      const feeding = (async () => {
        for (let from = 0; from < N; from += 2_000) {
          await feeder.ask({ type: 'feed', target: relay as ActorRef<CountMsg>, from, count: 2_000, reliable: true });
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await poll(
        () => recorder.ask('get'),
        (got) => got.length > 5_000,
        20_000,
        () => 'the stream under way',
      );
      if (how === 'terminate') await system.terminateWorker(2);
      await feeding;
      await poll(
        async () => system.replacements,
        (n) => n === 1,
        20_000,
        () => 'the replacement of worker 2',
      );
      const got = await poll(
        () => recorder.ask('get'),
        (all) => new Set(all).size === N,
        60_000,
        () => `all ${N} numbers at the recorder`,
        (all) => {
          const have = new Set(all);
          const missing: number[] = [];
          for (let n = 0; n < N && missing.length < 5; n++) if (!have.has(n)) missing.push(n);
          return `${have.size} distinct of ${all.length}, missing from ${missing.join(', ')}`;
        },
      );
      const seen = new Map<number, number>();
      for (const n of got) seen.set(n, (seen.get(n) ?? 0) + 1);
      const twice = [...seen].filter(([, c]) => c > 1).map(([n]) => n);
      assert.ok(
        [...seen.values()].every((c) => c <= 2),
        'none more than twice',
      );
      // Two runs at most, each consecutive: 0, 1, … up to the death, then the re-created actor's,
      // from the oldest message not acknowledged (never past a number it lacks) on to the end.
      const breaks: number[] = [];
      for (let i = 1; i < got.length; i++) if (got[i] !== got[i - 1]! + 1) breaks.push(i);
      assert.ok(
        breaks.length <= 1,
        `one restart at most, found ${breaks.length}: ${breaks
          .slice(0, 5)
          .map((i) => `${got[i - 1]} → ${got[i]}`)
          .join(', ')}`,
      );
      assert.equal(got[0], 0);
      assert.equal(got.at(-1), N - 1);
      if (breaks.length === 1)
        assert.ok(
          got[breaks[0]!]! <= got[breaks[0]! - 1]!,
          `the re-created actor starts at or before where the dead one stopped (${got[breaks[0]! - 1]} → ${got[breaks[0]!]})`,
        );
      t.diagnostic(`${twice.length} numbers handled twice (by the dead worker and by the re-created actor)`);
    },
  );

test('reliable delivery across nodes through a dropped connection: everything once and in order', { timeout: 90_000 }, async (t) => {
  const b = await startNode();
  t.after(() => stopNode(b.child));
  const proxy = new TcpProxy(b.address);
  await proxy.start();
  t.after(() => proxy.close());
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: 'cluster-secret', lostAfterMs: 20_000 } });
  t.after(() => system.shutdown());
  const counting = (await system.lookupRemote<CountMsg, CountReport>(proxy.address, 'counting'))!;
  const feeder = await system.spawn(Feeder, undefined);
  const N = 20_000;
  let cut = false;
  for (let from = 0; from < N; from += 1_000) {
    await feeder.ask({ type: 'feed', target: counting, from, count: 1_000, reliable: true });
    // Cut in the middle of the stream (what is in flight is lost with the connection), restore a second later.
    if (from === 8_000) {
      proxy.cut();
      cut = true;
      setTimeout(() => proxy.restore(), 1000);
    }
  }
  assert.ok(cut);
  const report = await reportWhen(counting, (r) => r.count >= N, 'all of them across the nodes');
  assert.deepEqual(report, { count: N, last: N - 1, errors: [] });
});
