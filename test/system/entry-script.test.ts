import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test(
  'an entry script that defines its actors and starts the system: spawn on a worker fails at once, saying what to do',
  { timeout: 30_000 },
  async () => {
    const script = fileURLToPath(new URL('../helpers/self-defining-entry.js', import.meta.url));
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Before the fix each worker started a system of its own, without end: killed here.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    assert.equal(code, 0, `exited on its own (stderr: ${err.slice(0, 500)})`);
    const result = JSON.parse(out) as { pool: string; message: string; inline: string };
    assert.equal(result.pool, 'ERR_SYSTEM_IN_WORKER');
    assert.match(result.message, /Echo/);
    assert.match(result.message, /module of its own/);
    assert.equal(result.inline, 'hi');
  },
);
