/**
 * Runs every `*.test.js` under dist/test with node's test runner, one file at a time (the
 * stress tests use both cores). Works the same on Node.js 20 (no glob support in --test) and
 * newer lines. Extra arguments are passed to `node --test` (e.g. --test-name-pattern=ring).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
function find(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return find(path);
      return name.endsWith('.test.js') ? [path] : [];
    });
}
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = find(root).filter((f) => only.length === 0 || only.some((o) => relative(root, f).includes(o)));
if (files.length === 0) {
  console.error(`no test file matches ${only.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...flags, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
