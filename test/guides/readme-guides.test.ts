// Keeps the README's guides true: each snippet is the code of the guide tests here, paragraph by paragraph.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const ROOT = new URL('../../../', import.meta.url);
const GUIDES = new URL('test/guides/', ROOT);
const readme = readFileSync(new URL('README.md', ROOT), 'utf8');

/** The text under a `##` heading, up to the next one. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `the README has a "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** A snippet's files: `// name.ts` lines start each one. */
function parts(code: string): { file: string; lines: string[] }[] {
  const out: { file: string; lines: string[] }[] = [];
  for (const line of code.split('\n')) {
    const header = /^\/\/ ([\w.-]+\.ts)\b/.exec(line);
    if (header) out.push({ file: header[1]!, lines: [] });
    else {
      assert.ok(out.length > 0, `a snippet starts with a "// file.ts" line: ${line}`);
      out.at(-1)!.lines.push(line);
    }
  }
  return out;
}

/** Lines as compared: without indentation, imports of the package as a user writes them. */
const normalize = (text: string): string[] =>
  text
    .replaceAll("from '../../src/index.js'", "from 'bactor'")
    .replaceAll("from '../../src/testkit/index.js'", "from 'bactor/testkit'")
    .split('\n')
    .map((l) => l.trim());

/** Each paragraph of `lines` (split at blank lines) appears as consecutive lines of `source`, in order. */
function assertInOrder(lines: string[], source: string[], where: string): void {
  const paragraphs: string[][] = [[]];
  for (const line of lines.map((l) => l.trim())) {
    if (line === '') paragraphs.push([]);
    else paragraphs.at(-1)!.push(line);
  }
  let from = 0;
  for (const paragraph of paragraphs.filter((p) => p.length > 0)) {
    let at = -1;
    for (let i = from; i + paragraph.length <= source.length && at < 0; i++) {
      if (paragraph.every((line, k) => source[i + k] === line)) at = i;
    }
    assert.ok(at >= 0, `${where}: this paragraph of the README is not in the test code (in this order):\n${paragraph.join('\n')}`);
    from = at + paragraph.length;
  }
}

const guides = [...section('Guides').matchAll(/^### (.+)\n([\s\S]*?)(?=^### |(?![\s\S]))/gm)].map((m) => ({
  title: m[1]!,
  slug: m[1]!.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
  body: m[2]!,
}));

test('each README guide has its test, and each guide test its README guide', () => {
  assert.deepEqual(
    guides.map((g) => g.slug),
    [
      'supervision',
      'routers',
      'death-watch',
      'timers',
      'offloading',
      'asks',
      'the-main-thread-as-a-client',
      'persistence',
      'reliable-delivery',
      'monitoring',
      'tracing',
      'testing-actors',
      'deterministic-tests',
    ],
  );
  const tests = readdirSync(GUIDES)
    .filter((f) => f.endsWith('.test.ts') && f !== 'readme-guides.test.ts' && f !== 'remote.test.ts')
    .map((f) => f.slice(0, -'.test.ts'.length));
  assert.deepEqual(tests.sort(), guides.map((g) => g.slug).sort());
});

for (const guide of guides) {
  test(`README guide "${guide.title}": its code is the code test/guides runs`, () => {
    const blocks = [...guide.body.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    assert.equal(blocks.length, 1, 'one example per guide');
    const files = parts(blocks[0]!);
    assert.ok(
      files.some((p) => p.file === 'main.ts'),
      'the example has a main.ts part',
    );
    for (const part of files) {
      const file = part.file === 'main.ts' ? `${guide.slug}.test.ts` : part.file;
      const url = new URL(file, GUIDES);
      assert.ok(existsSync(url), `test/guides/${file} exists`);
      assertInOrder(part.lines, normalize(readFileSync(url, 'utf8')), `${guide.title}, ${part.file} (test/guides/${file})`);
    }
  });
}

test('README remote: its code is the code test/guides/remote*.ts runs', () => {
  const code = /```ts\n([\s\S]*?)^```/m.exec(section('Remote'))![1]!;
  const files: Record<string, string> = {
    'greeter.actor.ts': 'remote-greeter.actor.ts',
    'node-b.ts': 'remote-node-b.ts',
    'node-a.ts': 'remote.test.ts',
  };
  const found = parts(code);
  assert.deepEqual(
    found.map((p) => p.file),
    Object.keys(files),
  );
  for (const part of found) {
    const source = normalize(
      readFileSync(new URL(files[part.file]!, GUIDES), 'utf8').replaceAll("'./remote-greeter.actor.js'", "'./greeter.actor.js'"),
    );
    assertInOrder(part.lines, source, `Remote, ${part.file} (test/guides/${files[part.file]})`);
  }
});

test("README hello-actor: its actor module is test/fixtures/readme-counter.actor.ts's code", () => {
  const code = /```ts\n([\s\S]*?)^```/m.exec(section('Hello, actor'))![1]!;
  const actor = parts(code).find((p) => p.file === 'counter.actor.ts');
  assert.ok(actor !== undefined, 'the hello-actor has counter.actor.ts');
  const fixture = readFileSync(new URL('test/fixtures/readme-counter.actor.ts', ROOT), 'utf8').replace("'ReadmeCounter'", "'Counter'");
  assertInOrder(actor.lines, normalize(fixture), 'Hello, actor');
});
