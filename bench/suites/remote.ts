/**
 * Remote (issue 12): actors on two nodes — this process (node A) and bench/remote-peer.ts
 * (node B), two processes on this machine — against plain @grpc/grpc-js bidirectional streams
 * between the same two processes, in the same run.
 *
 * - remote-oneway: msgs/s of a small message from an actor on A's worker to an actor on B.
 * - grpc-oneway-1, grpc-oneway-100: a grpc stream moving pre-encoded messages of the same size, 1 and 100 per frame.
 * - remote-ask-rtt: sequential asks from A's main thread to an actor on B (µs); grpc-pingpong-rtt: one frame echoed.
 * - remote-pingpong: round trips between an actor on A's worker and one on B (msgs/s, two per round trip).
 * - remote-slow-consumer-rss: an actor on A floods a 50 µs-per-message actor on B for 60 s (10 s
 *   quick): the larger RSS growth of the two processes (peak − at 3 s, MB); the log says whether
 *   every message arrived once and in order, and how often the producer was held back.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type * as Grpc from '@grpc/grpc-js';
import { pack } from 'msgpackr';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Pinger } from '../fixtures/bench-actors.js';
import { type CountMsg, RemoteBlaster, RemoteFlooder } from '../fixtures/remote-bench.actor.js';
import type { SinkMsg, SinkReport } from '../fixtures/slow-consumer.actor.js';
import { type SuiteContext, latency, median, throughput } from '../harness.js';
import { type BenchFrame, loadBenchService } from '../remote-peer.js';

const SUITE = 'remote';
const PEER = new URL('../remote-peer.js', import.meta.url).pathname;

/** Starts node B and waits (at most 30 s) for its addresses. */
async function startPeer(): Promise<{ stop(): Promise<void>; bactor: string; grpc: string }> {
  const child = spawn(process.execPath, [PEER, '50'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const [bactor, grpcAddress] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node B did not start within 30 s: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\S+) (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([m[1]!, m[2]!]);
      }
    });
    child.once('exit', (code) => reject(new Error(`node B exited with ${code}: ${out}`)));
  });
  return {
    bactor,
    grpc: grpcAddress,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function rounds<T>(n: number, warmup: number, once: () => Promise<T>): Promise<T[]> {
  for (let i = 0; i < warmup; i++) await once();
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await once());
  return out;
}

export async function remoteSuite(ctx: SuiteContext): Promise<void> {
  const q = ctx.quick;
  const ROUNDS = Number(ctx.option?.('rounds') ?? (q ? 3 : 5));
  const ONEWAY = q ? 200_000 : 1_000_000;
  const ONEWAY_1 = q ? 50_000 : 200_000;
  const ASKS = q ? 2_000 : 5_000;
  const PP = q ? 5_000 : 20_000;
  const SLOW_S = q ? 10 : 60;
  const peer = await startPeer();
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0' } });
  const Bench = loadBenchService();
  const client = new Bench(peer.grpc, (await import('@grpc/grpc-js')).credentials.createInsecure()) as unknown as Grpc.Client & {
    Oneway(): Grpc.ClientDuplexStream<BenchFrame, { items: number }>;
    Echo(): Grpc.ClientDuplexStream<BenchFrame, BenchFrame>;
  };
  try {
    const sink = (await system.lookupRemote<CountMsg, number>(peer.bactor, 'sink'))!;
    const ponger = (await system.lookupRemote<{ type: 'ping' }, { type: 'pong' }>(peer.bactor, 'ponger'))!;
    const item = pack({ type: 'inc', id: 123_456, value: 42 });

    // ---- one way (and with reliable delivery, issue 13: the same blaster through ctx.reliable, alternating) ----
    const oneway = [ctx.enabled('remote-oneway'), ctx.enabled('reliable-remote-oneway')];
    if (oneway[0] || oneway[1]) {
      const blaster = await system.spawn(RemoteBlaster, undefined, { worker: 1 });
      let total = 0;
      const plain: number[] = [];
      const reliable: number[] = [];
      for (let r = -1; r < ROUNDS; r++) {
        // (round -1: the warm-up of both, not counted)
        for (const useReliable of [false, true]) {
          if (!oneway[useReliable ? 1 : 0]) continue;
          total += ONEWAY;
          const t0 = performance.now();
          const done = sink.ask({ type: 'until', total }, { timeout: 300_000 });
          blaster.tell({ type: 'blast', target: sink, n: ONEWAY, chunk: 1000, reliable: useReliable });
          await done;
          if (r >= 0) (useReliable ? reliable : plain).push((ONEWAY / (performance.now() - t0)) * 1000);
        }
      }
      if (plain.length > 0) {
        ctx.report(throughput(SUITE, 'remote-oneway', 'msgs/s', plain));
        ctx.log(`remote-oneway: ${(median(plain) / 1e6).toFixed(2)}M msgs/s`);
      }
      if (reliable.length > 0) {
        ctx.report(throughput(SUITE, 'reliable-remote-oneway', 'msgs/s', reliable));
        ctx.log(
          `reliable-remote-oneway: ${(median(reliable) / 1e6).toFixed(2)}M msgs/s${plain.length > 0 ? ` (${(median(reliable) / median(plain)).toFixed(2)}× remote-oneway)` : ''}`,
        );
      }
    }
    for (const perFrame of [1, 100]) {
      const name = `grpc-oneway-${perFrame}`;
      if (!ctx.enabled(name)) continue;
      const n = perFrame === 1 ? ONEWAY_1 : ONEWAY;
      const call = client.Oneway();
      let total = 0;
      const frame: BenchFrame = { items: Array.from({ length: perFrame }, () => item), expect: 0 };
      const rates = await rounds(ROUNDS, 1, async () => {
        total += n;
        const t0 = performance.now();
        const counted = once(call, 'data');
        for (let sent = 0; sent < n; sent += perFrame) if (!call.write(frame)) await once(call, 'drain');
        call.write({ items: [], expect: total });
        await counted;
        return (n / (performance.now() - t0)) * 1000;
      });
      call.end();
      ctx.report(throughput(SUITE, name, 'msgs/s', rates));
      ctx.log(`${name}: ${(median(rates) / 1e6).toFixed(2)}M msgs/s`);
    }

    // ---- round trips ----
    if (ctx.enabled('remote-ask-rtt')) {
      const runs = await rounds(ROUNDS, 1, async () => {
        const samples = new Float64Array(ASKS);
        for (let i = 0; i < ASKS; i++) {
          const s = performance.now();
          await ponger.ask({ type: 'ping' });
          samples[i] = (performance.now() - s) * 1000;
        }
        return samples;
      });
      const r = latency(SUITE, 'remote-ask-rtt', runs);
      ctx.report(r);
      ctx.log(`remote-ask-rtt: p50 ${r.p50!.toFixed(0)} µs, p99 ${r.p99!.toFixed(0)} µs`);
    }
    if (ctx.enabled('grpc-pingpong-rtt')) {
      const call = client.Echo();
      const frame: BenchFrame = { items: [item], expect: 0 };
      const runs = await rounds(ROUNDS, 1, async () => {
        const samples = new Float64Array(ASKS);
        for (let i = 0; i < ASKS; i++) {
          const s = performance.now();
          const echoed = once(call, 'data');
          call.write(frame);
          await echoed;
          samples[i] = (performance.now() - s) * 1000;
        }
        return samples;
      });
      call.end();
      const r = latency(SUITE, 'grpc-pingpong-rtt', runs);
      ctx.report(r);
      ctx.log(`grpc-pingpong-rtt: p50 ${r.p50!.toFixed(0)} µs, p99 ${r.p99!.toFixed(0)} µs`);
    }
    if (ctx.enabled('remote-pingpong')) {
      const pinger = await system.spawn(Pinger, undefined, { worker: 1 });
      const rates = await rounds(ROUNDS, 1, async () => {
        const t0 = performance.now();
        await pinger.ask({ type: 'start', peer: ponger, n: PP }, { timeout: 300_000 });
        return ((2 * PP) / (performance.now() - t0)) * 1000;
      });
      ctx.report(throughput(SUITE, 'remote-pingpong', 'msgs/s', rates));
      ctx.log(`remote-pingpong: ${(median(rates) / 1000).toFixed(1)}k msgs/s`);
    }

    // ---- a slow consumer on the other node ----
    if (ctx.enabled('remote-slow-consumer-rss')) {
      const slow = (await system.lookupRemote<SinkMsg, SinkReport>(peer.bactor, 'slow'))!;
      const rssB = (await system.lookupRemote<{ type: 'rss' }, number>(peer.bactor, 'rss'))!;
      const flooder = await system.spawn(RemoteFlooder, undefined, { worker: 1 });
      const rssA = (): number => process.memoryUsage.rss() / 2 ** 20;
      flooder.tell({ type: 'go', target: slow as ActorRef<SinkMsg, SinkReport>, chunk: 100 });
      const t0 = performance.now();
      let baseA = 0;
      let baseB = 0;
      let peakA = 0;
      let peakB = 0;
      while (performance.now() - t0 < SLOW_S * 1000) {
        await new Promise((r) => setTimeout(r, 1000));
        const a = rssA();
        const b = await rssB.ask({ type: 'rss' }, { timeout: 30_000 });
        if (baseA === 0 && performance.now() - t0 >= 3000) [baseA, baseB] = [a, b];
        if (baseA !== 0) [peakA, peakB] = [Math.max(peakA, a), Math.max(peakB, b)];
      }
      flooder.tell({ type: 'stop' });
      const { sent, held } = await flooder.ask({ type: 'report' });
      let report = await slow.ask({ type: 'report' }, { timeout: 30_000 });
      for (let i = 0; i < 1200 && report.received < sent; i++) {
        await new Promise((r) => setTimeout(r, 100));
        report = await slow.ask({ type: 'report' }, { timeout: 30_000 });
      }
      const growth = Math.max(peakA - baseA, peakB - baseB);
      ctx.report({ suite: SUITE, name: 'remote-slow-consumer-rss', unit: 'MB', value: growth, runs: 1, spread: 0 });
      ctx.log(
        `remote-slow-consumer-rss: +${(peakA - baseA).toFixed(1)} MB on A, +${(peakB - baseB).toFixed(1)} MB on B over ${SLOW_S} s; ` +
          `${sent} sent, ${report.received} received${report.inOrder ? ' in order' : ' OUT OF ORDER'}${report.received === sent ? ', none lost' : `, ${sent - report.received} LOST`}; ` +
          `the producer was held back after ${held} of its turns`,
      );
    }
  } finally {
    client.close();
    await system.shutdown();
    await peer.stop();
  }
}
