/**
 * The main thread as a client of actors (issue 15): what a request handler on the main thread
 * pays to ask, tell and spawn. Each workload runs three ways in one run, interleaved round by
 * round: `main` (the actors on a worker, the driver on the main thread), `inline` (the actors on
 * the main thread too) and `nact` (the in-process reference: every actor in the calling thread).
 * The service workloads (an HTTP server asking a pool) are in service.ts.
 */
import { createRequire } from 'node:module';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Ponger, Sink } from '../fixtures/bench-actors.js';
import { type SuiteContext, latency, median, throughput } from '../harness.js';

const SUITE = 'client';
const require = createRequire(import.meta.url);

interface NactRef {
  readonly __nact?: never;
}
interface Nact {
  start(): NactRef;
  spawnStateless(parent: NactRef, f: (msg: unknown, ctx: { self: NactRef; sender: NactRef }) => unknown, name?: string): NactRef;
  dispatch(actor: NactRef, msg: unknown, sender?: NactRef): void;
  query(actor: NactRef, message: (temp: NactRef) => unknown, timeoutMs: number): Promise<unknown>;
  stop(actor: NactRef): void;
}

type PongMsg = { type: 'ping' };
type SinkMsg = { type: 'expect'; n: number } | { type: 'inc'; id: number; value: number };

/** One arm of a workload: `once` measures one run (a rate, and per-operation samples in µs if any). */
interface Arm {
  name: string;
  once(): Promise<{ rate: number; samples?: Float64Array }>;
}

/**
 * Runs the arms of one workload round by round (the order rotated each round, after a warm-up
 * run each), and reports each arm's rate (median over rounds) and, if it sampled, its latency.
 */
async function interleaved(ctx: SuiteContext, workload: string, unit: string, arms: Arm[], rounds: number): Promise<void> {
  arms = arms.filter((a) => ctx.enabled(`${a.name}-${workload}`));
  if (arms.length === 0) return;
  ctx.log(`${workload}: ${arms.map((a) => a.name).join(', ')}, ${rounds} rounds`);
  for (let w = 0; w < 2; w++) for (const arm of arms) await arm.once();
  const rates: number[][] = arms.map(() => []);
  const samples: Float64Array[][] = arms.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < arms.length; j++) {
      const k = (j + r) % arms.length;
      const one = await arms[k]!.once();
      rates[k]!.push(one.rate);
      if (one.samples !== undefined) samples[k]!.push(one.samples);
    }
  }
  arms.forEach((arm, k) => {
    ctx.report(throughput(SUITE, `${arm.name}-${workload}`, unit, rates[k]!));
    if (samples[k]!.length > 0) ctx.report(latency(SUITE, `${arm.name}-${workload}:latency`, samples[k]!));
    ctx.log(`${arm.name}-${workload}: ${(median(rates[k]!) / 1000).toFixed(1)}k ${unit}`);
  });
}

/** `n` sequential asks, each timed. */
async function askSeq(n: number, ask: () => Promise<unknown>): Promise<{ rate: number; samples: Float64Array }> {
  const samples = new Float64Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await ask();
    samples[i] = (performance.now() - s) * 1000;
  }
  return { rate: (n / (performance.now() - t0)) * 1000, samples };
}

/** Batches of `batch` tells into one actor, each confirmed (the actor saw them all) before the next; at least `total` messages. */
async function tellBatches(sink: ActorRef<SinkMsg, number>, batch: number, total: number): Promise<{ rate: number }> {
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const done = sink.ask({ type: 'expect', n: batch }, { timeout: 60_000 });
    for (let i = 0; i < batch; i++) sink.tell({ type: 'inc', id: i, value: 42 });
    await done;
    sent += batch;
  }
  return { rate: (sent / (performance.now() - t0)) * 1000 };
}

/** nact: the same batches into a nact actor that resolves the batch's promise at its last message. */
async function nactTellBatches(nact: Nact, batch: number, total: number): Promise<{ rate: number }> {
  const system = nact.start();
  let count = 0;
  let resolveBatch: () => void = () => {};
  const sink = nact.spawnStateless(system, () => {
    if (++count === batch) resolveBatch();
  });
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    count = 0;
    const done = new Promise<void>((r) => (resolveBatch = r));
    for (let i = 0; i < batch; i++) nact.dispatch(sink, { type: 'inc', id: i, value: 42 });
    await done;
    sent += batch;
  }
  const rate = (sent / (performance.now() - t0)) * 1000;
  nact.stop(system);
  return { rate };
}

export async function clientSuite(ctx: SuiteContext): Promise<void> {
  const q = ctx.quick;
  const rounds = Number(ctx.option?.('rounds') ?? (q ? 3 : 7));
  const ASKS = q ? 5_000 : 20_000;
  const TELLS = q ? 100_000 : 400_000;
  const SPAWNS = q ? 2_000 : 10_000;
  const nact = require('nact') as Nact;
  const system = await ActorSystem.start({ workers: 2 });
  try {
    // Sequential asks.
    const onWorker = await system.spawn(Ponger, undefined, { worker: 1 });
    const inline = await system.spawn(Ponger, undefined, { dispatcher: 'inline' });
    const nactSystem = nact.start();
    const nactPonger = nact.spawnStateless(nactSystem, (msg) => nact.dispatch((msg as { sender: NactRef }).sender, { type: 'pong' }));
    const ping: PongMsg = { type: 'ping' };
    await interleaved(
      ctx,
      'ask-seq',
      'asks/s',
      [
        { name: 'main', once: () => askSeq(ASKS, () => onWorker.ask(ping)) },
        { name: 'inline', once: () => askSeq(ASKS, () => inline.ask(ping)) },
        { name: 'nact', once: () => askSeq(ASKS, () => nact.query(nactPonger, (sender) => ({ type: 'ping', sender }), 10_000)) },
      ],
      rounds,
    );
    nact.stop(nactSystem);
    system.stop(onWorker);
    system.stop(inline);

    // Tells into one actor, in confirmed batches.
    const sinkOnWorker = (await system.spawn(Sink, undefined, { worker: 1 })) as ActorRef<SinkMsg, number>;
    const sinkInline = (await system.spawn(Sink, undefined, { dispatcher: 'inline' })) as ActorRef<SinkMsg, number>;
    for (const batch of [1_000, 10_000]) {
      const label = `tell-${batch / 1000}k`;
      await interleaved(
        ctx,
        label,
        'msgs/s',
        [
          { name: 'main', once: () => tellBatches(sinkOnWorker, batch, TELLS) },
          { name: 'inline', once: () => tellBatches(sinkInline, batch, TELLS) },
          { name: 'nact', once: () => nactTellBatches(nact, batch, TELLS) },
        ],
        rounds,
      );
    }
    system.stop(sinkOnWorker);
    system.stop(sinkInline);

    // Spawn 100, confirmed started; stop them, confirmed stopped.
    const spawnBatches = async (options: { worker?: number; dispatcher?: 'inline' }): Promise<{ rate: number }> => {
      const args = new Array<undefined>(100).fill(undefined);
      const t0 = performance.now();
      for (let done = 0; done < SPAWNS; done += 100) {
        const refs = await system.spawnMany(Ponger, args, options);
        await Promise.all(refs.map((r) => system.stop(r)));
      }
      return { rate: (SPAWNS / (performance.now() - t0)) * 1000 };
    };
    // nact: spawn and stop are synchronous (an actor exists when spawn returns, and is gone when stop returns).
    const nactSpawnBatches = async (): Promise<{ rate: number }> => {
      const nactRoot = nact.start();
      const t0 = performance.now();
      for (let done = 0; done < SPAWNS; done += 100) {
        const refs: NactRef[] = [];
        for (let i = 0; i < 100; i++) refs.push(nact.spawnStateless(nactRoot, () => {}));
        await null;
        for (const r of refs) nact.stop(r);
        await null;
      }
      const rate = (SPAWNS / (performance.now() - t0)) * 1000;
      nact.stop(nactRoot);
      return { rate };
    };
    await interleaved(
      ctx,
      'spawn-100',
      'actors/s',
      [
        { name: 'main', once: () => spawnBatches({ worker: 1 }) },
        { name: 'inline', once: () => spawnBatches({ dispatcher: 'inline' }) },
        { name: 'nact', once: nactSpawnBatches },
      ],
      rounds,
    );
  } finally {
    await system.shutdown();
  }
}
