import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRingBuffer } from '../../native-free-core/ring/ring-buffer.js';
import { createDoorbellBuffer } from '../../native-free-core/sync/doorbell.js';
import { TransportEndpoint, createTransport, transferListOf } from '../../src/transport/transport.js';
import { type BenchResult, type SuiteContext, latency, throughput } from '../harness.js';
import type { Role, WorkerConfig } from '../workers/transport-worker.js';

const WORKER = new URL('../workers/transport-worker.js', import.meta.url);
const SUITE = 'transport';

interface Pair {
  a: Worker;
  b: Worker;
}

function spawn(config: WorkerConfig, transfer: MessagePort[]): Worker {
  return new Worker(WORKER, { workerData: config, transferList: transfer });
}

function command(w: Worker, run: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { run: number; result?: unknown; error?: string }): void => {
      if (m.run !== run) return;
      w.off('message', onMessage);
      if (m.error) reject(new Error(m.error));
      else resolve(m.result);
    };
    w.on('message', onMessage);
    w.once('error', reject);
    w.postMessage({ run });
  });
}

/** Runs `runs` measured runs (after one warm-up) of a producer/consumer pair; returns per-run results of `a`. */
async function measure<T>(pair: Pair, runs: number): Promise<T[]> {
  const out: T[] = [];
  for (let run = 1; run <= runs + 1; run++) {
    const [result] = await Promise.all([command(pair.a, run), command(pair.b, run)]);
    if (run > 1) out.push(result as T);
  }
  await Promise.all([pair.a.terminate(), pair.b.terminate()]);
  return out;
}

function ringPair(producer: Role, consumer: Role, n: number, extra: Partial<WorkerConfig> = {}): Pair {
  const [i0, i1] = createTransport({ participants: 2, ringCapacity: 1 << 18 });
  const control = new SharedArrayBuffer(8);
  return {
    a: spawn({ role: producer, n, control, init: i0!, ...extra }, transferListOf(i0!)),
    b: spawn({ role: consumer, n, control, init: i1!, ...extra }, transferListOf(i1!)),
  };
}

function portPair(producer: Role, consumer: Role, n: number): Pair {
  const { port1, port2 } = new MessageChannel();
  const control = new SharedArrayBuffer(8);
  return { a: spawn({ role: producer, n, control, port: port1 }, [port1]), b: spawn({ role: consumer, n, control, port: port2 }, [port2]) };
}

function rawPair(n: number, copy = false): Pair {
  const ring = createRingBuffer(1 << 18);
  const bells = createDoorbellBuffer(2);
  const control = new SharedArrayBuffer(8);
  return {
    a: spawn({ role: 'raw-producer', n, control, ring, bells, copy }, []),
    b: spawn({ role: 'raw-consumer', n, control, ring, bells }, []),
  };
}

const rates = (n: number, ms: number[]): number[] => ms.map((t) => (n / t) * 1000);

/** Process CPU time over wall time while the main thread sleeps. */
async function processCpu(seconds: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / (performance.now() - t0);
}

/**
 * The share of one core a parked consumer worker costs: process CPU with the worker parked,
 * minus process CPU with no worker, measured back to back.
 */
async function parkedConsumerCpu(seconds: number): Promise<number> {
  const baseline = await processCpu(seconds);
  const [i0, i1] = createTransport({ participants: 2, ringCapacity: 1 << 16 });
  const control = new SharedArrayBuffer(8);
  const worker = spawn({ role: 'idle-consumer', n: 1, control, init: i1! }, transferListOf(i1!));
  const main = new TransportEndpoint(i0!);
  const done = command(worker, 1);
  while (Atomics.load(new Int32Array(control), 0) < 1) await sleep(5);
  await sleep(300); // let it spin out its budget and park
  const parked = await processCpu(seconds);
  main.send(1, 1, { type: 'stop' });
  main.flush();
  await done;
  main.close();
  await worker.terminate();
  return Math.max(0, parked - baseline);
}

/** Worker-to-worker postMessage, one message per call (the peer the actor suite compares with). */
export async function postMessageOneway(n: number, runs: number): Promise<BenchResult> {
  return throughput(
    SUITE,
    'postmessage-oneway',
    'msgs/s',
    rates(n, await measure<number>(portPair('pm-producer', 'pm-consumer', n), runs)),
  );
}

export async function transportSuite(ctx: SuiteContext): Promise<void> {
  const q = ctx.quick;
  const runs = 5;
  const N = q ? 1_000_000 : 2_000_000;
  const NPM = q ? 150_000 : 300_000;
  const RTT = q ? 10_000 : 20_000;
  const RAW = 10_000_000; // cheap (a third of a second per run), and short runs are noisy
  const RTT_PARKED = q ? 1_500 : 3_000;
  const results: BenchResult[] = [];
  const add = (r: BenchResult): void => {
    results.push(r);
    ctx.report(r);
  };

  const step = async (name: string, text: string, body: () => Promise<BenchResult>): Promise<void> => {
    if (!ctx.enabled(name)) return;
    ctx.log(`${name}: ${text}`);
    add(await body());
  };
  await step(
    'ring-oneway',
    `${N} messages {type:'inc', id, value:42}, a fresh object each, between two workers, codec included`,
    async () =>
      throughput(SUITE, 'ring-oneway', 'msgs/s', rates(N, await measure<number>(ringPair('ring-producer', 'ring-consumer', N), runs))),
  );
  await step('ring-raw-oneway', `${RAW} pre-encoded 16-byte records, written as Int32 words through tryClaim/commit`, async () =>
    throughput(SUITE, 'ring-raw-oneway', 'records/s', rates(RAW, await measure<number>(rawPair(RAW), runs))),
  );
  await step('ring-raw-copy-oneway', `${RAW} pre-encoded 16-byte records, copied byte by byte with tryWrite`, async () =>
    throughput(SUITE, 'ring-raw-copy-oneway', 'records/s', rates(RAW, await measure<number>(rawPair(RAW, true), runs))),
  );
  await step('postmessage-oneway', `${NPM} messages, one per postMessage call`, async () =>
    throughput(SUITE, 'postmessage-oneway', 'msgs/s', rates(NPM, await measure<number>(portPair('pm-producer', 'pm-consumer', NPM), runs))),
  );
  await step('postmessage-batch100-oneway', `${NPM * 2} messages, 100 per postMessage call`, async () =>
    throughput(
      SUITE,
      'postmessage-batch100-oneway',
      'msgs/s',
      rates(NPM * 2, await measure<number>(portPair('pm-batch-producer', 'pm-batch-consumer', NPM * 2), runs)),
    ),
  );
  await step('ring-rtt', `${RTT} ping/echo round trips, the echo side spins 50 µs then parks`, async () =>
    latency(SUITE, 'ring-rtt', await measure<Float64Array>(ringPair('rtt-pinger', 'rtt-echo', RTT), runs)),
  );
  await step('ring-rtt-parked', `${RTT_PARKED} round trips, the echo side parked (Atomics.wait) before each ping`, async () =>
    latency(SUITE, 'ring-rtt-parked', await measure<Float64Array>(ringPair('rtt-pinger', 'rtt-echo', RTT_PARKED, { parked: true }), runs)),
  );
  await step('postmessage-rtt', `${RTT} ping/echo round trips with postMessage`, async () =>
    latency(SUITE, 'postmessage-rtt', await measure<Float64Array>(portPair('pm-rtt-pinger', 'pm-rtt-echo', RTT), runs)),
  );
  await step('parked-consumer-cpu', 'CPU a parked consumer worker adds to an idle process', async () => {
    const cpu: number[] = [];
    for (let i = 0; i < (q ? 2 : 3); i++) cpu.push((await parkedConsumerCpu(q ? 1 : 2)) * 100);
    return throughput(SUITE, 'parked-consumer-cpu', '% of a core', cpu);
  });
}
