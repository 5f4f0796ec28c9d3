import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../bench/demo.js', import.meta.url));

test(
  'npm start (the demo, small image): the pipeline renders the same picture as one thread and writes its report',
  { timeout: 120_000 },
  () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bactor-demo-'));
    try {
      const r = spawnSync(process.execPath, [DEMO, '--small'], { cwd: dir, encoding: 'utf8', timeout: 110_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /image identical to the one-thread render: yes/);
      assert.match(r.stdout, /live dashboard: http:\/\/127\.0\.0\.1:\d+\//);
      assert.match(r.stdout, /speed-up [\d.]+× on \d+ workers/);
      assert.match(r.stdout, /tile latency .*p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms/);
      const png = readFileSync(path.join(dir, 'bactor-demo', 'mandelbrot.png'));
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const html = readFileSync(path.join(dir, 'bactor-demo', 'report.html'), 'utf8');
      assert.equal((html.match(/<svg/g) ?? []).length, 3, 'three charts');
      assert.match(html, /data:image\/png;base64,/);
      assert.ok(existsSync(path.join(dir, 'bactor-demo')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
