// Packs the repository as a fresh checkout would be packed (prepack builds it), installs the
// tarball into an empty project and uses it there: what a user of the published package gets.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** What a fresh checkout does not have (and .gitignore lists). */
const NOT_IN_CHECKOUT = new Set(['node_modules', 'dist', '.git', 'bench/out', 'bactor-demo']);
/** The user's own npm settings pass on; the rest of `npm_*` describes the `npm test` run (package, script, prefixes). */
const NPM_SETTINGS =
  /^npm_config_(cache|registry|userconfig|globalconfig|cafile|proxy|https_proxy|noproxy|strict_ssl|offline|prefer_offline)$/i;
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || NPM_SETTINGS.test(k)));

let tmp = '';
let app = '';
/** The installed package, and every file in it (relative, with `/`). */
let pkg = '';
let files: string[] = [];

function run(cmd: string, args: string[], cwd: string, timeout: number): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', timeout, shell: process.platform === 'win32' });
  const what = `${cmd} ${args.join(' ')} in ${cwd}`;
  assert.equal(r.error, undefined, `${what}: ${String(r.error)}`);
  assert.equal(r.status, 0, `${what} exited with ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r;
}

function walk(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? walk(dir, p) : [p];
  });
}

before(
  () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bactor-pack-'));
    // A copy of the checkout, so that prepack's build replaces the copy's dist/, not the one this test runs from.
    const repo = path.join(tmp, 'repo');
    cpSync(ROOT, repo, { recursive: true, filter: (src) => !NOT_IN_CHECKOUT.has(path.relative(ROOT, src).split(path.sep).join('/')) });
    symlinkSync(realpathSync(path.join(ROOT, 'node_modules')), path.join(repo, 'node_modules'), 'dir');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    run(npm, ['pack', '--silent', '--pack-destination', tmp], repo, 90_000);
    const tarballs = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
    assert.equal(tarballs.length, 1, `one tarball: ${tarballs.join(', ')}`);
    app = path.join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'bactor-user', private: true, type: 'module' }));
    run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(tmp, tarballs[0]!)], app, 90_000);
    pkg = path.join(app, 'node_modules', 'bactor');
    files = walk(pkg);
  },
  { timeout: 180_000 },
);

after(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

test('the package holds the build, the sources its maps name, README, ARCHITECTURE and LICENSE; no tests, no benchmarks', () => {
  for (const f of [
    'package.json',
    'LICENSE',
    'README.md',
    'ARCHITECTURE.md',
    'dist/src/index.js',
    'dist/src/index.d.ts',
    'dist/native-free-core/index.js',
    'dist/workers/actor-host.js',
    'src/index.ts',
    'native-free-core/index.ts',
    'workers/actor-host.ts',
  ]) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  const unwanted = files.filter((f) => /^(dist\/)?(test|bench)\//.test(f));
  assert.deepEqual(unwanted, [], 'tests and benchmarks do not ship');
  const license = readFileSync(path.join(pkg, 'LICENSE'), 'utf8');
  assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 the bactor authors\n/);
  const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as {
    license: string;
    exports: Record<string, Record<string, string>>;
  };
  assert.equal(manifest.license, 'MIT');
  for (const target of Object.values(manifest.exports).flatMap((e) => Object.values(e))) {
    assert.ok(existsSync(path.join(pkg, target)), `export target ${target} exists`);
  }
});

test("the README's hello-actor runs from the installed package, and no native addon loads in any thread", { timeout: 60_000 }, () => {
  // Records each thread that starts and every native addon loaded (--import runs in worker threads too).
  writeFileSync(
    path.join(app, 'watch.mjs'),
    `import { appendFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
const log = (line) => appendFileSync(new URL('./threads.log', import.meta.url), line + '\\n');
log(isMainThread ? 'main' : 'worker');
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  log('dlopen ' + filename);
  return dlopen.call(this, module, filename, ...rest);
};
`,
  );
  writeFileSync(
    path.join(app, 'counter.actor.mjs'),
    `import { defineActor } from 'bactor';

export const Counter = defineActor(import.meta.url, 'Counter', {
  init: (start) => ({ total: start }),
  receive(state, msg, ctx) {
    if (msg.type === 'add') state.total += msg.n;
    else ctx.respond(state.total);
  },
});
`,
  );
  writeFileSync(
    path.join(app, 'main.mjs'),
    `import { ActorSystem } from 'bactor';
import { Counter } from './counter.actor.mjs';

const system = await ActorSystem.start({ workers: 2 });
const counter = await system.spawn(Counter, 0);
counter.tell({ type: 'add', n: 5 });
const total = await counter.ask({ type: 'get' }, { timeout: 1000 });
await system.shutdown();
console.log('total ' + total);
`,
  );
  const log = path.join(app, 'threads.log');
  // The process must exit by itself after shutdown: the timeout fails a hang.
  const r = run(process.execPath, ['--import', './watch.mjs', 'main.mjs'], app, 30_000);
  assert.equal(r.stdout, 'total 5\n');
  assert.deepEqual(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort(), ['main', 'worker', 'worker']);

  // The watch does see an addon: msgpackr alone loads msgpackr-extract when npm installed it.
  if (existsSync(path.join(app, 'node_modules', 'msgpackr-extract'))) {
    rmSync(log);
    run(process.execPath, ['--import', './watch.mjs', '--input-type=module', '-e', "import 'msgpackr';"], app, 30_000);
    assert.match(readFileSync(log, 'utf8'), /^dlopen .*msgpackr-extract/m);
  }
});

/** Relative link targets in a Markdown text, outside code. */
function links(markdown: string): string[] {
  const text = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const definitions = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)/gm)].map((m) => m[1]!);
  return [...inline, ...definitions].filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l));
}

/** GitHub's anchors for the headings of a Markdown text. */
function anchors(markdown: string): Set<string> {
  const text = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set(
    [...text.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}

test('every relative link in the shipped Markdown files resolves inside the package', () => {
  const markdown = files.filter((f) => f.endsWith('.md'));
  assert.ok(markdown.includes('README.md') && markdown.includes('ARCHITECTURE.md'));
  let checked = 0;
  for (const file of markdown) {
    const from = path.join(pkg, file);
    for (const link of links(readFileSync(from, 'utf8'))) {
      const [target = '', anchor] = decodeURIComponent(link).split('#');
      const resolved = target === '' ? from : path.resolve(path.dirname(from), target);
      assert.ok(resolved.startsWith(pkg + path.sep) && existsSync(resolved), `${file}: ${link} resolves inside the package`);
      if (anchor !== undefined && resolved.endsWith('.md')) {
        assert.ok(anchors(readFileSync(resolved, 'utf8')).has(anchor), `${file}: ${link} names a heading`);
      }
      checked++;
    }
  }
  assert.ok(checked > 10, `links checked: ${checked}`);
});

test("every source map's sources ship, and a stack trace maps into them", () => {
  const maps = files.filter((f) => f.endsWith('.js.map'));
  assert.equal(maps.length, files.filter((f) => f.endsWith('.js')).length, 'a map for every .js file');
  for (const file of maps) {
    const map = JSON.parse(readFileSync(path.join(pkg, file), 'utf8')) as { sourceRoot?: string; sources: string[] };
    for (const source of map.sources) {
      const resolved = path.resolve(path.dirname(path.join(pkg, file)), map.sourceRoot ?? '', source);
      assert.ok(resolved.startsWith(pkg + path.sep) && existsSync(resolved), `${file}: ${source} is in the package`);
    }
  }
  const r = run(
    process.execPath,
    [
      '--enable-source-maps',
      '--input-type=module',
      '-e',
      "import { createTransport } from 'bactor/engine'; try { createTransport({ participants: 0 }); } catch (e) { console.log(e.stack); }",
    ],
    app,
    30_000,
  );
  const frame = /\((.+\/native-free-core\/mesh\/mesh\.ts):(\d+):\d+\)/.exec(r.stdout);
  assert.ok(frame, `the stack names the TypeScript source:\n${r.stdout}`);
  const line = readFileSync(frame[1]!, 'utf8').split('\n')[Number(frame[2]) - 1]!;
  assert.match(line, /throw/, 'the mapped line is the throw');
});

test("the README's hello-actor type-checks against the installed types (with @types/node, as the README says)", { timeout: 60_000 }, () => {
  const readme = readFileSync(path.join(pkg, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Hello, actor'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code !== undefined && code.includes('// main.ts\n'), 'the README has the example');
  const [actor, main] = code.split('// main.ts\n') as [string, string];
  const dir = path.join(app, 'ts');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'counter.actor.ts'), actor);
  writeFileSync(
    path.join(dir, 'main.ts'),
    `${main}
// @ts-expect-error: the reply is typed number
const asString: string = total;
// @ts-expect-error: not a message Counter takes (the README: it fails tsc)
counter.tell({ type: 'mul' });
export { asString };
`,
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2024'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      },
      files: ['main.ts', 'counter.actor.ts'],
    }),
  );
  run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir, 60_000);
});
