import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startNode, stopNode } from '../helpers/remote-nodes.js';

const PYTHON = '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test(
  'an independent gRPC implementation (Python grpcio, from proto/) handshakes, looks up, tells and asks a bactor node',
  { timeout: 90_000 },
  async (t) => {
    // Code for the Python side, generated from the repository's proto/ (Debian's python3-grpc-tools; .ci/run installs it).
    const out = mkdtempSync(join(tmpdir(), 'bactor-py-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    execFileSync(
      PYTHON,
      ['-m', 'grpc_tools.protoc', '-I', join(ROOT, 'proto'), `--python_out=${out}`, `--grpc_python_out=${out}`, 'bactor_remote.proto'],
      {
        stdio: 'pipe',
      },
    );

    const b = await startNode('py-secret');
    t.after(() => stopNode(b.child));
    const run = spawnSync(PYTHON, [join(ROOT, 'test/interop/python_node.py'), out, b.address, 'py-secret'], {
      encoding: 'utf8',
      timeout: 45_000,
    });
    const steps = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { step: string; ok: boolean; reply?: unknown });
    assert.deepEqual(
      steps.map((s) => [s.step, s.ok]),
      [
        ['handshake', true],
        ['lookup', true],
        ['ask', true],
      ],
      `python said: ${run.stdout}\n${run.stderr}`,
    );
    assert.deepEqual(steps[2]!.reply, { pong: 7, seen: 2 }, 'the tell was seen before the ask, and the typed reply came back');
    assert.equal(run.status, 0, run.stderr);
  },
);
