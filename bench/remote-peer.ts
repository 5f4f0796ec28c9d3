/**
 * Node B of the `remote` benchmark suite, a process of its own: an actor system with a gateway
 * on 127.0.0.1 hosting the actors node A measures against (`sink`, `ponger`, `slow`, `rss`), and
 * a plain @grpc/grpc-js server (bench/fixtures/grpc-bench.proto) for the peers. Prints
 * `ready <bactor address> <grpc address>`; ends when its stdin closes, or after 30 minutes.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Grpc from '@grpc/grpc-js';
import { ActorSystem } from '../src/index.js';
import { Ponger } from './fixtures/bench-actors.js';
import { CountingSink, RssProbe } from './fixtures/remote-bench.actor.js';
import { SlowSink } from './fixtures/slow-consumer.actor.js';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof Grpc;
const loader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');

export interface BenchFrame {
  items: Uint8Array[];
  expect: number;
}

/** The Bench service of grpc-bench.proto. */
export function loadBenchService(): Grpc.ServiceClientConstructor {
  const file = fileURLToPath(new URL('../../bench/fixtures/grpc-bench.proto', import.meta.url));
  const definition = loader.loadSync(file, { keepCase: true, longs: Number, defaults: true });
  return (grpc.loadPackageDefinition(definition) as unknown as { bactor: { bench: { Bench: Grpc.ServiceClientConstructor } } }).bactor.bench
    .Bench;
}

async function main(): Promise<void> {
  const slowUs = Number(process.argv[2] ?? 50);
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0' } });
  await system.spawn(CountingSink, undefined, { name: 'sink' });
  await system.spawn(Ponger, undefined, { name: 'ponger' });
  await system.spawn(SlowSink, slowUs, { name: 'slow' });
  await system.spawn(RssProbe, undefined, { name: 'rss' });

  const server = new grpc.Server();
  server.addService(loadBenchService().service, {
    Oneway(call: Grpc.ServerDuplexStream<BenchFrame, { items: number }>) {
      let count = 0;
      let expect = 0;
      call.on('data', (frame: BenchFrame) => {
        count += frame.items.length;
        if (frame.expect > 0) expect = frame.expect;
        if (expect > 0 && count >= expect) {
          expect = 0;
          call.write({ items: count });
        }
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
    Echo(call: Grpc.ServerDuplexStream<BenchFrame, BenchFrame>) {
      call.on('data', (frame: BenchFrame) => call.write(frame));
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  console.log(`ready ${system.address} 127.0.0.1:${port}`);
  const stop = (): void => {
    server.forceShutdown();
    void system.shutdown().then(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  setTimeout(stop, 30 * 60_000).unref();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
