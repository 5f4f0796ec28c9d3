import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EnvReport } from '../fixtures/env-probe.actor.js';

const SCRIPT = fileURLToPath(new URL('../helpers/msgpackr-env-script.js', import.meta.url));
const NAME = 'MSGPACKR_NATIVE_ACCELERATION_DISABLED';

type Result = { envUnchanged: boolean; main: EnvReport; worker: EnvReport; echoed: boolean };

/** Runs the script in a child process whose environment is exactly `env`. */
function run(env: Record<string, string>, order: 'bactor-first' | 'msgpackr-first'): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SCRIPT, order], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Result);
    });
  });
}

test(
  'importing bactor leaves the environment as it was and keeps msgpackr off its native addon, in every thread',
  { timeout: 60_000 },
  async () => {
    const r = await run({}, 'bactor-first');
    assert.equal(r.envUnchanged, true, 'process.env after importing bactor is what it was before');
    assert.deepEqual(r.main, { keys: [], native: false, disabled: null });
    assert.deepEqual(r.worker, { keys: [], native: false, disabled: null }, 'a worker thread (which imports bactor) too');
    assert.equal(r.echoed, true);
  },
);

test("the host's own setting of the variable is kept; bactor still loads msgpackr without its addon", { timeout: 60_000 }, async () => {
  const r = await run({ [NAME]: 'false', BACTOR_PROBE: 'x' }, 'bactor-first');
  assert.equal(r.envUnchanged, true);
  const expected = { keys: ['BACTOR_PROBE', NAME], native: false, disabled: 'false' };
  assert.deepEqual(r.main, expected);
  assert.deepEqual(r.worker, expected);
  assert.equal(r.echoed, true);
});

test('a host that loaded msgpackr first with native acceleration keeps it, and bactor works the same', { timeout: 60_000 }, async () => {
  const r = await run({}, 'msgpackr-first');
  assert.equal(r.envUnchanged, true);
  // The host's choice stands: native on the main thread exactly when the addon can be loaded here
  // (an optional package npm may leave out; the assertions below hold either way).
  assert.equal(r.main.native, nativeAddonLoadable(), "the host's msgpackr kept its own setting");
  assert.deepEqual(r.worker, { keys: [], native: false, disabled: null }, 'bactor loads first in its own threads');
  assert.equal(r.echoed, true, 'replies decoded on the main thread with the native string extractor');
});

/** Whether msgpackr's optional native addon loads in this install. */
function nativeAddonLoadable(): boolean {
  try {
    createRequire(import.meta.url)('msgpackr-extract');
    return true;
  } catch {
    return false;
  }
}
