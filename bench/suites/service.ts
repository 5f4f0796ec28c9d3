/**
 * A service under HTTP load (issue 15): a `node:http` server on the main thread whose handler
 * runs a CPU job of about 50 µs, 200 µs or 1 ms, three ways in one run — `bactor` (an ask to a
 * pool of actors on the workers, least outstanding asks first), `piscina` (`pool.run` per request, as many threads) and `main`
 * (the job on the main thread, the server's own thread). The load comes from autocannon in a
 * process of its own at a fixed number of connections (1, 16, 256): requests/s and latency
 * p50/p99 (ms) per arm. Two cores here: the load generator, the server and the pool share them.
 */
import { spawn } from 'node:child_process';
import { type Server, createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Piscina } from 'piscina';
import { ActorSystem } from '../../src/index.js';
import { type JobMsg, Jobber } from '../fixtures/bench-actors.js';
import { crunch } from '../fixtures/fanout-task.js';
import type { BenchResult, SuiteContext } from '../harness.js';
import { calibrate } from './fanout.js';

const SUITE = 'service';
const TASK_URL = new URL('../fixtures/fanout-task.js', import.meta.url);
const require = createRequire(import.meta.url);
const THREADS = 2;

interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Runs autocannon in its own process against `url`; its JSON result. */
function cannon(url: string, connections: number, seconds: number): Promise<CannonResult> {
  const bin = require.resolve('autocannon/autocannon.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '-j', '-c', String(connections), '-d', String(seconds), url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`autocannon exited with ${code}: ${err.slice(-500)}`));
      else {
        try {
          resolve(JSON.parse(out) as CannonResult);
        } catch (error) {
          reject(new Error(`autocannon printed no JSON: ${out.slice(0, 300)}${err.slice(-300)}`, { cause: error }));
        }
      }
    });
  });
}

/** A server whose handler answers the job's result; resolves once it listens on 127.0.0.1. */
async function serve(job: () => Promise<number> | number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    Promise.resolve()
      .then(job)
      .then(
        (result) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(String(result));
        },
        (error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        },
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

export async function serviceSuite(ctx: SuiteContext): Promise<void> {
  const seconds = ctx.quick ? 2 : 5;
  const jobs = [
    { name: '50us', us: 50 },
    { name: '200us', us: 200 },
    { name: '1ms', us: 1000 },
  ];
  const concurrencies = [1, 16, 256];
  const system = await ActorSystem.start({ workers: THREADS });
  const piscina = new Piscina({ filename: TASK_URL.href, minThreads: THREADS, maxThreads: THREADS, idleTimeout: 60_000 });
  try {
    const pool = await system.spawnPool(Jobber, undefined, { size: THREADS, strategy: { kind: 'least-outstanding' } });
    for (const job of jobs) {
      const { iterations, taskMs } = calibrate(job.us);
      let seed = 1;
      const arms: { name: string; run: () => Promise<number> | number }[] = [
        { name: 'bactor', run: () => pool.ask({ iterations, seed: seed++ } satisfies JobMsg) },
        { name: 'piscina', run: () => piscina.run({ iterations, seed: seed++ }) as Promise<number> },
        { name: 'main', run: () => crunch(iterations, seed++) },
      ];
      for (const c of concurrencies) {
        const names = arms.map((a) => `service-${job.name}-c${c}-${a.name}`);
        if (!names.some((n) => ctx.enabled(n))) continue;
        ctx.log(`service-${job.name}-c${c}: jobs of ${(taskMs * 1000).toFixed(0)} µs, ${c} connections, ${seconds} s per arm`);
        for (const arm of arms) {
          const name = `service-${job.name}-c${c}-${arm.name}`;
          if (!ctx.enabled(name)) continue;
          const { server, url } = await serve(arm.run);
          try {
            await cannon(url, c, 1); // warm-up
            const r = await cannon(url, c, seconds);
            const failed = r.non2xx + r.errors + r.timeouts;
            if (failed > 0) ctx.log(`${name}: ${failed} requests failed (non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})`);
            const result: BenchResult = {
              suite: SUITE,
              name,
              unit: 'req/s',
              value: r.requests.average,
              p50: r.latency.p50,
              p99: r.latency.p99,
              runs: 1,
              spread: 0,
            };
            ctx.report(result);
            ctx.log(`${name}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`);
          } finally {
            await new Promise((resolve) => server.close(resolve));
          }
        }
      }
    }
  } finally {
    await piscina.destroy();
    await system.shutdown();
  }
}
