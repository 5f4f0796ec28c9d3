/**
 * `npm run bench -- <suite> [--json] [--quick] [--only=name,…] [--rounds=n]`: runs a benchmark suite and prints a
 * readable table with ratios, or one JSON object per result line with --json. Sizes shrink when CI is
 * set or --quick is given. `npm run bench` runs node with --expose-gc: memory figures are taken
 * after a forced collection (the suites say so when it is missing).
 */
import { type BenchResult, type Suite, machine, table } from './harness.js';
import { ratios } from './ratios.js';
import { actorsSuite } from './suites/actors.js';
import { codecSuite } from './suites/codec.js';
import { transportSuite } from './suites/transport.js';
import { savinaSuite } from './suites/savina.js';
import { fanoutSuite } from './suites/fanout.js';
import { tuningSuite } from './suites/tuning.js';
import { backpressureSuite } from './suites/backpressure.js';
import { soakSuite } from './suites/soak.js';

const SUITES: Record<string, Suite> = {
  transport: transportSuite,
  codec: codecSuite,
  actors: actorsSuite,
  savina: savinaSuite,
  fanout: fanoutSuite,
  tuning: tuningSuite,
  backpressure: backpressureSuite,
  soak: soakSuite,
};

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick') || Boolean(process.env.CI);
const names = args.filter((a) => !a.startsWith('--'));
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
if (names.length === 0 || names.some((n) => !(n in SUITES))) {
  console.error(`usage: npm run bench -- <${Object.keys(SUITES).join('|')}> [--json] [--quick] [--only=name,name] [--rounds=n]`);
  process.exit(2);
}

for (const name of names) {
  const results: BenchResult[] = [];
  if (!json) console.log(`suite ${name} on ${machine()}${quick ? ' (quick sizes)' : ''}\n`);
  await SUITES[name]!({
    quick,
    report(r) {
      results.push(r);
      if (json) console.log(JSON.stringify(r));
    },
    enabled(benchmark) {
      return only === undefined || only.includes(benchmark);
    },
    log(text) {
      if (!json) console.log(`  … ${text}`);
    },
    option(key) {
      return args.find((a) => a.startsWith(`--${key}=`))?.slice(`--${key}=`.length);
    },
  });
  if (!json) {
    console.log(`\n${table(results)}\n`);
    const lines = ratios(name, results);
    if (lines.length > 0) console.log(`${lines.join('\n')}\n`);
  }
}

// comedy (a peer measured by the actors suite) leaves handles open after destroy(); bactor's own
// shutdown does not (test/system/shutdown.test.ts), but the harness must end either way.
process.exit(process.exitCode ?? 0);
