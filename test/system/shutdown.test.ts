import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test('after shutdown the process exits by itself: no handle left open; stopped hooks ran', { timeout: 30_000 }, async () => {
  const script = fileURLToPath(new URL('../helpers/shutdown-script.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  assert.equal(code, 0, 'exited on its own with code 0 (killed after 20 s otherwise)');
  assert.deepEqual(JSON.parse(out), { totals: [1000, 1001, 1002, 1003], stopped: 2 });
});
