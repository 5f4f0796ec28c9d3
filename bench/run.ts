/**
 * `npm run bench -- <suite> [--json] [--quick] [--only=name,…] [--rounds=n] [--repeat=n]`: runs a benchmark suite and prints a
 * readable table with ratios, or one JSON object per result line with --json. Sizes shrink when CI is
 * set or --quick is given. An unknown flag or suite is an error (exit status 2). With --repeat=n
 * each suite runs n times and ends with each floor's ratio over the n runs (median, range, how
 * many met it). `npm run bench` runs node with --expose-gc: memory figures are taken after a forced collection (the suites say
 * so when it is missing).
 */
import { fail, parseFlags } from './flags.js';
import { type BenchResult, type Suite, machine, table } from './harness.js';
import { ratios, repeatedRatios } from './ratios.js';
import { actorsSuite } from './suites/actors.js';
import { codecSuite } from './suites/codec.js';
import { transportSuite } from './suites/transport.js';
import { savinaSuite } from './suites/savina.js';
import { fanoutSuite } from './suites/fanout.js';
import { tuningSuite } from './suites/tuning.js';
import { backpressureSuite } from './suites/backpressure.js';
import { soakSuite } from './suites/soak.js';
import { clientSuite } from './suites/client.js';
import { serviceSuite } from './suites/service.js';
import { remoteSuite } from './suites/remote.js';
import { persistenceSuite } from './suites/persistence.js';
import { crdtSuite } from './suites/crdt.js';
import { observabilitySuite } from './suites/observability.js';

const SUITES: Record<string, Suite> = {
  transport: transportSuite,
  codec: codecSuite,
  actors: actorsSuite,
  savina: savinaSuite,
  fanout: fanoutSuite,
  tuning: tuningSuite,
  backpressure: backpressureSuite,
  soak: soakSuite,
  client: clientSuite,
  service: serviceSuite,
  remote: remoteSuite,
  persistence: persistenceSuite,
  crdt: crdtSuite,
  observability: observabilitySuite,
};

const USAGE = `usage: npm run bench -- <${Object.keys(SUITES).join('|')}>… [--json] [--quick] [--only=name,name] [--rounds=n] [--repeat=n]`;
const { values, positionals: names } = parseFlags(
  USAGE,
  {
    json: { type: 'boolean' },
    quick: { type: 'boolean' },
    only: { type: 'string' },
    rounds: { type: 'string' },
    repeat: { type: 'string' },
  },
  true,
);
const json = values.json === true;
const quick = values.quick === true || Boolean(process.env.CI);
const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) fail(`--repeat=${values.repeat}: a whole number of runs, 1 or more`, USAGE);
const only = typeof values.only === 'string' ? values.only.split(',') : undefined;
if (names.length === 0) fail('name a suite', USAGE);
for (const name of names) {
  if (!(name in SUITES)) fail(`unknown suite '${name}': the suites are ${Object.keys(SUITES).join(', ')}`, USAGE);
}
/** Benchmarks the suites asked about: an --only name none of them has is an error (after the run: suites list no names ahead). */
const seen = new Set<string>();

for (const name of names) {
  const runs: BenchResult[][] = [];
  for (let run = 1; run <= repeat; run++) {
    const results: BenchResult[] = [];
    runs.push(results);
    if (!json)
      console.log(`suite ${name} on ${machine()}${quick ? ' (quick sizes)' : ''}${repeat > 1 ? `, run ${run} of ${repeat}` : ''}\n`);
    await SUITES[name]!({
      quick,
      report(r) {
        results.push(r);
        if (json) console.log(JSON.stringify(repeat > 1 ? { ...r, run } : r));
      },
      enabled(benchmark) {
        seen.add(benchmark);
        return only === undefined || only.includes(benchmark);
      },
      log(text) {
        if (!json) console.log(`  … ${text}`);
      },
      option(key) {
        const value = (values as Record<string, unknown>)[key];
        return typeof value === 'string' ? value : undefined;
      },
    });
    if (!json) {
      console.log(`\n${table(results)}\n`);
      const lines = ratios(name, results);
      if (lines.length > 0) console.log(`${lines.join('\n')}\n`);
    }
  }
  if (!json && repeat > 1) {
    const lines = repeatedRatios(name, runs);
    if (lines.length > 0) console.log(`suite ${name}, ${repeat} runs:\n${lines.join('\n')}\n`);
  }
}

const unmatched = only?.filter((name) => !seen.has(name)) ?? [];
if (unmatched.length > 0) {
  fail(
    `--only: no benchmark named ${unmatched.map((n) => `'${n}'`).join(', ')} in ${names.join(', ')}; they have: ${[...seen].join(', ')}`,
    USAGE,
  );
}

// comedy (a peer measured by the actors suite) leaves handles open after destroy(); bactor's own
// shutdown does not (test/system/shutdown.test.ts), but the harness must end either way.
process.exit(process.exitCode ?? 0);
