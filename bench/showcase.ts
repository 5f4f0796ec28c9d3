/**
 * `npm start`: the transport showcase. Moves the same small message between two worker threads
 * through bactor's shared-memory rings and through postMessage, side by side, and prints what
 * it measured in plain words. Quick sizes by default (about a minute); --full for the sizes of
 * `npm run bench -- transport`.
 */
import { parseFlags } from './flags.js';
import { type BenchResult, machine, table } from './harness.js';
import { ratios } from './ratios.js';
import { transportSuite } from './suites/transport.js';

const full =
  parseFlags('usage: npm run showcase -- [--full]   (--full: the sizes of `npm run bench -- transport`)', { full: { type: 'boolean' } })
    .values.full === true;
const results: BenchResult[] = [];
const started = performance.now();
console.log('bactor transport showcase');
console.log(`${machine()}\n`);
console.log("Two worker threads exchange {type:'inc', id, value:42} (a fresh object per send):");
console.log('through bactor rings (SharedArrayBuffer, lock-free, msgpackr-compatible codec) and through postMessage.\n');
await transportSuite({
  quick: !full,
  report: (r) => results.push(r),
  log: (text) => console.log(`  measuring ${text}`),
  enabled: () => true,
});
const get = (name: string): BenchResult => results.find((r) => r.name === name)!;
const x = (a: number, b: number): string => `${(a / b).toFixed(1)}x`;
console.log(`\n${table(results)}\n`);
console.log('In words:');
console.log(
  `  one-way throughput: ${(get('ring-oneway').value / 1e6).toFixed(2)}M msgs/s through the ring, ${x(get('ring-oneway').value, get('postmessage-oneway').value)} postMessage (one per call) and ${x(get('ring-oneway').value, get('postmessage-batch100-oneway').value)} postMessage batched by 100`,
);
console.log(
  `  the ring alone moves ${(get('ring-raw-oneway').value / 1e6).toFixed(1)}M pre-encoded records/s: the codec, not the ring, is the limit`,
);
console.log(
  `  round trip p50: ${get('ring-rtt').p50!.toFixed(1)} µs spinning, ${get('ring-rtt-parked').p50!.toFixed(1)} µs waking a parked thread, ${get('postmessage-rtt').p50!.toFixed(1)} µs with postMessage`,
);
console.log(`  a parked consumer costs ${get('parked-consumer-cpu').value.toFixed(2)}% of a core`);
console.log(
  `\nAgainst the floors of the foundation issue:\n${ratios('transport', results)
    .map((l) => `  ${l}`)
    .join('\n')}`,
);
console.log(
  `\n(${((performance.now() - started) / 1000).toFixed(0)} s; figures vary run to run on a shared machine, see the spread column. Full sizes: npm start -- --full, or npm run bench -- transport)`,
);
