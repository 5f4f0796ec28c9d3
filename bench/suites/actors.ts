import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ActorSystem } from '../../src/index.js';
import { AsyncSink, Blaster, Pinger, Ponger, Restarter, Sink, Spawner, retainedHeap } from '../fixtures/bench-actors.js';
import { type BenchResult, type SuiteContext, latency, throughput } from '../harness.js';
import { postMessageOneway } from './transport.js';

const SUITE = 'actors';
const require = createRequire(import.meta.url);

interface Nact {
  start(): unknown;
  spawnStateless(parent: unknown, f: (msg: unknown, ctx: { self: unknown; sender: unknown }) => unknown, name?: string): unknown;
  dispatch(actor: unknown, msg: unknown, sender?: unknown): void;
  stop(actor: unknown): void;
}

/** Three warm-up runs (a worker's JIT needs about two million messages here), then `runs` timed ones. */
async function timeRuns(runs: number, once: () => Promise<number>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await once();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await once());
  return out;
}

/** nact ping-pong: two stateless actors bounce n round trips on the main thread. */
function nactPingPong(nact: Nact, n: number): Promise<number> {
  return new Promise((resolve) => {
    const system = nact.start();
    let remaining = n;
    let t0 = 0;
    const ponger = nact.spawnStateless(system, (_msg, ctx) => nact.dispatch(ctx.sender, 'pong', ctx.self));
    const pinger = nact.spawnStateless(system, (_msg, ctx) => {
      if (--remaining > 0) nact.dispatch(ponger, 'ping', ctx.self);
      else {
        const ms = performance.now() - t0;
        nact.stop(system);
        resolve(((2 * n) / ms) * 1000);
      }
    });
    t0 = performance.now();
    nact.dispatch(ponger, 'ping', pinger);
  });
}

/**
 * nact tell: one actor receives n messages dispatched by another, `chunk` per turn of the
 * source (it dispatches itself a message to go on, as bactor's Blaster does).
 */
function nactTell(nact: Nact, n: number, chunk: number, asyncSink = false): Promise<number> {
  return new Promise((resolve) => {
    const system = nact.start();
    let count = 0;
    let t0 = 0;
    const count1 = (): void => {
      if (++count === n) {
        const ms = performance.now() - t0;
        nact.stop(system);
        resolve((n / ms) * 1000);
      }
    };
    // nact waits for an async handler's promise before its next message, as bactor does.
    const sink = nact.spawnStateless(system, asyncSink ? async () => count1() : count1);
    let sent = 0;
    const source = nact.spawnStateless(system, (_msg: unknown, ctx: { self: unknown }) => {
      const end = Math.min(n, sent + chunk);
      for (; sent < end; sent++) nact.dispatch(sink, { type: 'inc', id: sent, value: 42 });
      if (sent < n) nact.dispatch(ctx.self, 'more');
    });
    t0 = performance.now();
    nact.dispatch(source, 'go');
  });
}

/** n nact actors spawned on the main thread: the time, and the heap they retain (as for bactor's Spawner). */
function nactSpawn(nact: Nact, n: number): { ms: number; heapBytes: number | null } {
  const system = nact.start();
  const heap0 = retainedHeap();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) nact.spawnStateless(system, () => {}, `a${i}`);
  const ms = performance.now() - t0;
  // Still alive: the system's child map holds them until it stops.
  const heap1 = retainedHeap();
  nact.stop(system);
  return { ms, heapBytes: heap0 === null || heap1 === null ? null : heap1 - heap0 };
}

/**
 * A bytes-per-actor result, or none (with the reason in the log) when it cannot be measured:
 * without a forced GC before both samples the difference says nothing, and a negative one
 * would be a measurement defect, never a figure.
 */
function bytesPerActor(ctx: SuiteContext, name: string, heapBytes: number | null, actors: number): BenchResult[] {
  if (heapBytes === null) {
    ctx.log(`${name}: not measured: retained heap needs a forced GC (run with node --expose-gc, as npm run bench does)`);
    return [];
  }
  if (heapBytes < 0) {
    ctx.log(`${name}: not measured: the heap shrank by ${-heapBytes} bytes across the spawns despite a forced GC`);
    return [];
  }
  return [{ suite: SUITE, name, unit: 'bytes/actor', value: heapBytes / actors, runs: 1, spread: 0 }];
}

interface ComedyActor {
  send(topic: string, message?: unknown): Promise<void>;
  sendAndReceive(topic: string, message?: unknown): Promise<unknown>;
}
interface Comedy {
  rootActor(): Promise<{ createChild(def: unknown, options: { mode: string }): Promise<ComedyActor> }>;
  destroy(): Promise<void>;
}

/** comedy's threaded actor (its own worker thread) fed from the main thread: tells/s and calls/s. */
async function comedyThreaded(n: number, calls: number, runs: number): Promise<{ tell: number[]; ask: Float64Array[] }> {
  const comedy = (require('comedy') as (options: object) => Comedy)({ log: { level: 0 } });
  try {
    const root = await comedy.rootActor();
    class ComedySink {
      n = 0;
      inc(): void {
        this.n++;
      }
      count(): number {
        return this.n;
      }
    }
    const child = await root.createChild(ComedySink, { mode: 'threaded' });
    const tell: number[] = [];
    const ask: Float64Array[] = [];
    for (let r = 0; r <= runs; r++) {
      const t0 = performance.now();
      const sends: Promise<void>[] = [];
      for (let i = 0; i < n; i++) sends.push(child.send('inc', { type: 'inc', id: i, value: 42 }));
      await Promise.all(sends);
      await child.sendAndReceive('count');
      if (r > 0) tell.push((n / (performance.now() - t0)) * 1000);
      const samples = new Float64Array(calls);
      for (let i = 0; i < calls; i++) {
        const t1 = performance.now();
        await child.sendAndReceive('count');
        samples[i] = (performance.now() - t1) * 1000;
      }
      if (r > 0) ask.push(samples);
    }
    return { tell, ask };
  } finally {
    await comedy.destroy();
  }
}

export async function actorsSuite(ctx: SuiteContext): Promise<void> {
  const q = ctx.quick;
  const runs = q ? 3 : 5;
  const PP = q ? 100_000 : 300_000;
  const TELL = q ? 500_000 : 2_000_000;
  const ASKS = q ? 5_000 : 20_000;
  const ASYNC_TELL = q ? 100_000 : 500_000;
  const SPAWN = 1_000_000;
  const nact = require('nact') as Nact;
  const step = async (name: string, text: string, body: () => Promise<BenchResult | BenchResult[]>): Promise<void> => {
    if (!ctx.enabled(name)) return;
    ctx.log(`${name}: ${text}`);
    const r = await body();
    for (const one of Array.isArray(r) ? r : [r]) ctx.report(one);
  };
  const system = await ActorSystem.start({ workers: 2 });
  try {
    const pingpong = async (worker: number): Promise<number[]> => {
      const pinger = await system.spawn(Pinger, undefined, { worker: 1 });
      const ponger = await system.spawn(Ponger, undefined, { worker });
      return timeRuns(runs, async () => {
        const t0 = performance.now();
        await pinger.ask({ type: 'start', peer: ponger, n: PP }, { timeout: 120_000 });
        return ((2 * PP) / (performance.now() - t0)) * 1000;
      });
    };
    // chunk 100 = the default throughput: the receiver keeps up (steady stream); chunk 1000: its
    // mailbox grows by 900 messages per round (a burst).
    const tell = async (worker: number, chunk = 100, sinkKind: typeof Sink | typeof AsyncSink = Sink, n = TELL): Promise<number[]> => {
      const blaster = await system.spawn(Blaster, undefined, { worker: 1 });
      const sink = await system.spawn(sinkKind, undefined, { worker });
      return timeRuns(runs, async () => {
        const t0 = performance.now();
        const done = sink.ask({ type: 'expect', n }, { timeout: 120_000 });
        blaster.tell({ type: 'blast', target: sink, n, chunk });
        const sum = await done;
        if (sum !== 42 * n) throw new Error(`sink sum ${sum}`);
        return (n / (performance.now() - t0)) * 1000;
      });
    };
    await step('local-pingpong', `${PP} round trips between two actors on one worker`, async () =>
      throughput(SUITE, 'local-pingpong', 'msgs/s', await pingpong(1)),
    );
    await step('nact-pingpong', `the same with nact (one thread)`, async () =>
      throughput(SUITE, 'nact-pingpong', 'msgs/s', await timeRuns(runs, () => nactPingPong(nact, PP))),
    );
    await step('local-tell', `${TELL} tells from one actor to another on one worker`, async () =>
      throughput(SUITE, 'local-tell', 'msgs/s', await tell(1)),
    );
    await step('nact-tell', `the same with nact`, async () =>
      throughput(SUITE, 'nact-tell', 'msgs/s', await timeRuns(runs, () => nactTell(nact, TELL, 100))),
    );
    await step('local-tell-burst', `${TELL} tells, 1,000 per turn of the sender: the receiver's mailbox grows`, async () =>
      throughput(SUITE, 'local-tell-burst', 'msgs/s', await tell(1, 1000)),
    );
    await step('nact-tell-burst', `the same with nact`, async () =>
      throughput(SUITE, 'nact-tell-burst', 'msgs/s', await timeRuns(runs, () => nactTell(nact, TELL, 1000))),
    );
    await step('async-tell', `${ASYNC_TELL} tells to an actor with an async handler on one worker (a promise per message)`, async () =>
      throughput(SUITE, 'async-tell', 'msgs/s', await tell(1, 100, AsyncSink, ASYNC_TELL)),
    );
    await step('nact-async-tell', `the same with nact`, async () =>
      throughput(SUITE, 'nact-async-tell', 'msgs/s', await timeRuns(runs, () => nactTell(nact, ASYNC_TELL, 100, true))),
    );
    await step('cross-pingpong', `${PP} round trips between actors on two workers`, async () =>
      throughput(SUITE, 'cross-pingpong', 'msgs/s', await pingpong(2)),
    );
    await step('cross-tell', `${TELL} tells from an actor on one worker to one on the other`, async () =>
      throughput(SUITE, 'cross-tell', 'msgs/s', await tell(2)),
    );
    await step('comedy-threaded', 'comedy threaded actor fed from the main thread: tells, then sequential asks', async () => {
      const r = await comedyThreaded(q ? 20_000 : 50_000, q ? 2_000 : 5_000, runs);
      return [throughput(SUITE, 'comedy-threaded-tell', 'msgs/s', r.tell), latency(SUITE, 'comedy-threaded-ask', r.ask)];
    });
    await step('postmessage-oneway', 'worker to worker postMessage, one message per call', async () => ({
      ...(await postMessageOneway(q ? 100_000 : 300_000, runs)),
      suite: SUITE,
    }));
    await step('ask-rtt', `${ASKS} sequential asks from the main thread to an actor on a worker`, async () => {
      const ponger = await system.spawn(Ponger, undefined, { worker: 1 });
      const samples: Float64Array[] = [];
      for (let r = 0; r <= runs; r++) {
        const s = new Float64Array(ASKS);
        for (let i = 0; i < ASKS; i++) {
          const t0 = performance.now();
          await ponger.ask({ type: 'ping' });
          s[i] = (performance.now() - t0) * 1000;
        }
        if (r > 0) samples.push(s);
      }
      return latency(SUITE, 'ask-rtt', samples);
    });
    await step('comlink-rtt', `${ASKS} sequential comlink calls to a worker`, async () => {
      const worker = new Worker(new URL('../workers/comlink-worker.js', import.meta.url));
      const api = Comlink.wrap<{ add(m: { type: string; id: number; value: number }): number }>(nodeEndpoint(worker));
      const samples: Float64Array[] = [];
      for (let r = 0; r <= runs; r++) {
        const s = new Float64Array(ASKS);
        for (let i = 0; i < ASKS; i++) {
          const t0 = performance.now();
          await api.add({ type: 'inc', id: i, value: 42 });
          s[i] = (performance.now() - t0) * 1000;
        }
        if (r > 0) samples.push(s);
      }
      api[Comlink.releaseProxy]();
      await worker.terminate();
      return latency(SUITE, 'comlink-rtt', samples);
    });
    await step('spawn', `${SPAWN} actors spawned by one actor on one worker`, async () => {
      const spawner = await system.spawn(Spawner, undefined, { worker: 2 });
      const report = await spawner.ask({ type: 'spawn', n: SPAWN }, { timeout: 120_000 });
      return [
        { suite: SUITE, name: 'spawn-time', unit: 'ms per 1M', value: report.ms, runs: 1, spread: 0 },
        ...bytesPerActor(ctx, 'spawn-bytes', report.heapBytes, SPAWN),
      ];
    });
    await step('nact-spawn', '100,000 nact actors', async () => {
      const r = nactSpawn(nact, 100_000);
      return [
        { suite: SUITE, name: 'nact-spawn-time', unit: 'ms per 100k', value: r.ms, runs: 1, spread: 0 },
        ...bytesPerActor(ctx, 'nact-spawn-bytes', r.heapBytes, 100_000),
      ];
    });
    await step('restart', 'failing handler to the restarted actor taking its next message', async () => {
      const restarter = await system.spawn(Restarter, undefined, { worker: 1 });
      const flaky = await restarter.ask({ type: 'child' });
      const perRun: Float64Array[] = [];
      for (let r = 0; r <= runs; r++) {
        for (let i = 0; i < 1000; i++) {
          flaky.tell({ type: 'fail' });
          flaky.tell({ type: 'probe' });
        }
        const samples = await flaky.ask({ type: 'report' }, { timeout: 60_000 });
        if (r > 0) perRun.push(Float64Array.from(samples));
      }
      return latency(SUITE, 'restart', perRun);
    });
  } finally {
    await system.shutdown();
  }
}
