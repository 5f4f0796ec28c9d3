#!/usr/bin/env node
/**
 * `npx bactor <command> [url]`: looks at a running system through its monitoring server
 * (`ActorSystem.start({ monitoring: { port } })`). Commands: `top` (a live terminal view, like
 * htop for actors), `tree` (the actor tree), `dead-letters` (the latest, with their types and senders), `metrics` (the
 * Prometheus text), `trace <actor>` (one actor's messages as they happen). The url defaults to http://127.0.0.1:9464.
 */
import { parseArgs } from 'node:util';
import type { DashboardSnapshot } from '../observability/dashboard-snapshot.js';
import { renderTop } from './top-view.js';
import type { ActorNode } from '../runtime/actor-tree.js';
import type { ActorTree } from '../system/system-stats.js';
import type { ActorTraceEntry } from '../system/actor-traces.js';

const USAGE = `usage: bactor <top|tree|dead-letters|metrics> [url] [--once]
       bactor trace <actor> [url] [--max n]
  top            a live view of threads and actor kinds (q or Ctrl-C quits); --once prints one screen
  tree           every thread's actors under their top-level actors, with mailbox depths
  dead-letters   the latest dead letters: time, message type, target, sender, reason
  metrics        the Prometheus text of /metrics
  trace          the messages <actor> (a name, or a ref as it prints: Counter#12@w1) takes (←) and
                 sends (→), as they happen, until --max entries (default 1000) or Ctrl-C
  url            the system's monitoring server (ActorSystem.start({ monitoring: { port } })); default http://127.0.0.1:9464`;

function fail(message: string): never {
  // `top` may have put the terminal in raw mode.
  if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
  process.stderr.write(`bactor: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** GET `path`: 10 s for the answer's headers (not for its body: `/events` streams for as long as it is read). */
async function get(url: URL, path: string): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('no answer within 10 s')), 10_000);
  try {
    const res = await fetch(new URL(path, url), { signal: controller.signal });
    if (!res.ok) fail(`${new URL(path, url)} answered ${res.status}: ${(await res.text()).trim()}`);
    return res;
  } catch (error) {
    return fail(
      `cannot reach ${url.origin}: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)} (is the system started with monitoring: { port }?)`,
    );
  } finally {
    clearTimeout(timer);
  }
}

async function top(url: URL, once: boolean): Promise<void> {
  const draw = (snap: DashboardSnapshot): void => {
    const lines = renderTop(snap, Math.max(5, (process.stdout.rows ?? 50) - 20));
    process.stdout.write(once || !process.stdout.isTTY ? `${lines.join('\n')}\n` : `\x1b[H\x1b[2J${lines.join('\n')}\n`);
  };
  if (once) {
    // Two snapshots a moment apart: the second has rates.
    await (await get(url, '/snapshot')).json();
    await new Promise((r) => setTimeout(r, 1000));
    draw((await (await get(url, '/snapshot')).json()) as DashboardSnapshot);
    return;
  }
  const quit = (): void => {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.exit(0);
  };
  process.on('SIGINT', quit);
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.on('data', (key) => {
      if (key.toString() === 'q' || key[0] === 3) quit();
    });
  }
  await readEvents(url, await get(url, '/events'), (data) => draw(JSON.parse(data) as DashboardSnapshot));
  fail(`${url.origin} closed the event stream (the system shut down)`);
}

/** Reads Server-Sent Events: each `data:` of a frame to `onData`; returns at an `end` event or when the stream ends. */
async function readEvents(url: URL, res: Response, onData: (data: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        if (frame.includes('event: end')) return;
        const data = frame.find((l) => l.startsWith('data: '));
        if (data !== undefined) onData(data.slice(6));
      }
    }
  } catch (error) {
    fail(`the event stream from ${url.origin} broke: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function trace(url: URL, actor: string, max: string | undefined): Promise<void> {
  process.on('SIGINT', () => process.exit(0));
  if (max !== undefined && !/^\d+$/.test(max)) fail(`--max must be a whole number, got '${max}'`);
  const query = `/trace?actor=${encodeURIComponent(actor)}${max !== undefined ? `&max=${max}` : ''}`;
  await readEvents(url, await get(url, query), (data) => {
    const e = JSON.parse(data) as ActorTraceEntry;
    const time = new Date(e.at).toISOString().slice(11, 23);
    process.stdout.write(
      `${time}  ${e.direction === 'in' ? '←' : '→'} ${e.messageType}  ${e.direction === 'in' ? 'from' : 'to'} ${e.peer ?? '—'}  ${e.message}\n`,
    );
  });
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { once: { type: 'boolean' }, max: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const positionals = parsed.positionals;
  // `trace` names the actor before the url.
  const actor = positionals[0] === 'trace' ? positionals.splice(1, 1)[0] : undefined;
  const [command, address = 'http://127.0.0.1:9464', ...rest] = positionals;
  if (parsed.values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === undefined) fail('name a command');
  if (rest.length > 0) fail(`unexpected arguments: ${rest.join(' ')}`);
  let url: URL;
  try {
    url = new URL(/^https?:\/\//.test(address) ? address : `http://${address}`);
  } catch {
    fail(`'${address}' is not a URL or host:port`);
  }
  switch (command) {
    case 'top':
      return top(url, parsed.values.once === true);
    case 'dead-letters': {
      const snap = (await (await get(url, '/snapshot')).json()) as DashboardSnapshot;
      if (snap.deadLetters.length === 0) process.stdout.write('no dead letters\n');
      for (const d of snap.deadLetters)
        process.stdout.write(`${new Date(d.at).toISOString()}  ${d.messageType}  → ${d.target}  from ${d.sender ?? '—'}  (${d.reason})\n`);
      return;
    }
    case 'metrics':
      process.stdout.write(await (await get(url, '/metrics')).text());
      return;
    case 'trace':
      if (actor === undefined) fail('trace: name the actor (a name, or a ref as it prints: Counter#12@w1)');
      return trace(url, actor, parsed.values.max);
    case 'tree': {
      const tree = (await (await get(url, '/tree')).json()) as ActorTree;
      const print = (n: ActorNode, depth: number): void => {
        process.stdout.write(
          `${'  '.repeat(depth)}${n.ref}${n.name !== undefined ? ` "${n.name}"` : ''}  mailbox ${n.mailbox}${n.held ? '  held' : ''}\n`,
        );
        for (const c of n.children) print(c, depth + 1);
      };
      for (const t of tree.threads) {
        process.stdout.write(`${t.thread}${t.truncated ? ' (cut at 10,000 actors)' : ''}\n`);
        for (const root of t.roots) print(root, 1);
      }
      return;
    }
    default:
      fail(`unknown command '${command}'`);
  }
}

await main();
