/**
 * Durable reliable delivery, with real processes killed by SIGKILL mid-stream: every entry the
 * producer accepted (`whenStored` resolved) reaches the consumer's journal exactly once — after
 * the producer's process dies (a new one with its producer id sends what was not acknowledged),
 * and after the consumer's process dies (it recovers its progress with its events; the producer
 * finds the ledger again by name on the restarted node).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { ActorSystem, ErrorCode, MemoryJournal } from '../../src/index.js';
import type { LedgerMsg } from '../fixtures/ledger.actor.js';
import { Counting } from '../fixtures/reliable.actor.js';
import { poll } from '../helpers/poll.js';

const NODE = new URL('../fixtures/durable-node.js', import.meta.url).pathname;

interface Proc {
  child: ChildProcess;
  /** Every line it printed so far. */
  lines: string[];
}

function startProc(args: string[]): Proc {
  const child = spawn(process.execPath, [NODE, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const proc: Proc = { child, lines: [] };
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split('\n');
    rest = parts.pop()!;
    proc.lines.push(...parts);
  });
  return proc;
}

/** Waits (at most `limitMs`) for a line matching `pattern`; its match. */
async function lineOf(proc: Proc, pattern: RegExp, limitMs = 30_000): Promise<RegExpExecArray> {
  const found = await poll(
    async () => proc.lines.map((l) => pattern.exec(l)).find((m) => m !== null),
    (m) => m !== undefined || proc.child.exitCode !== null,
    limitMs,
  );
  if (found === undefined)
    throw new Error(
      `no line ${pattern} from ${proc.child.spawnargs.slice(2).join(' ')}: its last lines: ${proc.lines.slice(-6).join(' | ')} (exit ${proc.child.exitCode ?? proc.child.signalCode ?? 'none'})`,
    );
  return found;
}

/** The highest `accepted <n>` printed so far (-1: none). */
function accepted(proc: Proc): number {
  let last = -1;
  for (const line of proc.lines) {
    const m = /^accepted (\d+)$/.exec(line);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return last;
}

async function kill9(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = once(proc.child, 'exit');
  process.kill(proc.child.pid!, 'SIGKILL');
  await exited;
}

/** Stops a process this test started: stdin closed (a clean shutdown), SIGKILL after 10 s. */
async function stop(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = once(proc.child, 'exit');
  proc.child.stdin!.end();
  const timer = setTimeout(() => process.kill(proc.child.pid!, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The ledger's entries, asked from a node of this test process. */
async function entries(address: string): Promise<number[]> {
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: 'durable-secret' } });
  try {
    const ledger = await system.lookupRemote<LedgerMsg, number[]>(address, 'ledger');
    assert.ok(ledger, 'the ledger is there');
    return await ledger.ask({ type: 'list' }, { timeout: 10_000 });
  } finally {
    await system.shutdown();
  }
}

/** Each of `must` exactly once; nothing twice; nothing outside `allowed`. */
function checkOnce(got: number[], must: Iterable<number>, allowed: (n: number) => boolean): void {
  const counts = new Map<number, number>();
  for (const n of got) counts.set(n, (counts.get(n) ?? 0) + 1);
  const twice = [...counts].filter(([, c]) => c > 1).map(([n]) => n);
  assert.deepEqual(twice.slice(0, 10), [], `handled twice: ${twice.length}`);
  const missing = [...must].filter((n) => !counts.has(n));
  assert.deepEqual(missing.slice(0, 10), [], `accepted and never handled: ${missing.length}`);
  assert.deepEqual(got.filter((n) => !allowed(n)).slice(0, 10), [], 'only what was told');
}

/** A temporary folder for the journals, and a consumer node with its journal there; with its address. */
async function consumerNode(t: TestContext): Promise<{ dir: string; consumer: Proc; address: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bactor-durable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const consumer = startProc(['consumer', join(dir, 'consumer.db')]);
  t.after(() => stop(consumer));
  return { dir, consumer, address: (await lineOf(consumer, /^ready (\S+)$/))[1]! };
}

/** Waits until `producer` has accepted 3,000 entries (30 s at most): mid-stream. */
async function midStream(producer: Proc): Promise<void> {
  await poll(
    async () => accepted(producer),
    (n) => n >= 3_000,
    30_000,
  );
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test(
  'durable reliable delivery: the producer process killed mid-stream; its successor sends what was not acknowledged, each accepted entry handled once',
  { timeout: 120_000 },
  async (t) => {
    const { dir, address } = await consumerNode(t);

    const first = startProc(['producer', join(dir, 'producer.db'), address, '0', '20000']);
    t.after(() => stop(first));
    await midStream(first);
    await kill9(first);
    const upTo = accepted(first);
    assert.ok(upTo >= 3_000 && upTo < 19_999, `killed mid-stream (accepted up to ${upTo})`);

    // A new process, same journal and producer id: what the first stored and was not acknowledged goes first.
    const second = startProc(['producer', join(dir, 'producer.db'), address, '1000000', '2000']);
    t.after(() => stop(second));
    await lineOf(second, /^drained$/, 60_000);
    const got = await entries(address);
    checkOnce(got, [...range(0, upTo), ...range(1_000_000, 1_001_999)], (n) => (n >= 0 && n < 20_000) || (n >= 1_000_000 && n < 1_002_000));
    // In order: the first producer's entries, then the second's.
    const firstRun = got.filter((n) => n < 1_000_000);
    assert.deepEqual(firstRun, range(0, firstRun.length - 1), 'the first producer’s entries in order, no gap');
  },
);

test(
  'durable reliable delivery: the consumer process killed mid-stream and restarted; it recovers its progress, each accepted entry handled once',
  { timeout: 120_000 },
  async (t) => {
    const { dir, consumer, address } = await consumerNode(t);
    const consumerDb = join(dir, 'consumer.db');

    const producer = startProc(['producer', join(dir, 'producer.db'), address, '0', '12000']);
    t.after(() => stop(producer));
    await midStream(producer);
    await kill9(consumer);
    const atKill = accepted(producer);
    // The same address and journal: a new incarnation of the node, found again by the producer.
    const again = startProc(['consumer', consumerDb, address]);
    t.after(() => stop(again));
    await lineOf(again, /^ready (\S+)$/);
    await lineOf(producer, /^drained$/, 90_000);
    t.diagnostic(producer.lines.find((l) => l.startsWith('lookups')) ?? 'no lookups line');
    assert.ok(atKill < 11_999, `killed mid-stream (accepted up to ${atKill} of 11,999)`);
    const got = await entries(address);
    checkOnce(got, range(0, 11_999), (n) => n >= 0 && n < 12_000);
    assert.deepEqual(got, range(0, 11_999), 'in order');
  },
);

test('durable reliable delivery: wrong options and a missing journal are refused at the call', { timeout: 30_000 }, async (t) => {
  const plain = await ActorSystem.start({ workers: 1 });
  const counting = await plain.spawn(Counting, undefined);
  await assert.rejects(plain.reliable(counting, { durable: true }), { code: ErrorCode.INVALID_OPTION, message: /needs a producerId/ });
  await assert.rejects(plain.reliable(counting, { producerId: 'x', durable: 'yes' } as never), {
    code: ErrorCode.INVALID_OPTION,
    message: /durable must be a boolean/,
  });
  await assert.rejects(plain.reliable(counting, { producerId: 'x', durable: true }), { code: ErrorCode.NO_JOURNAL });
  await assert.rejects(plain.reliable({ address: '127.0.0.1:1', name: 'x', extra: 1 } as never), {
    code: ErrorCode.INVALID_OPTION,
  });
  await assert.rejects(plain.reliable({ name: 'x' } as never), { code: ErrorCode.INVALID_OPTION, message: /a named target is/ });
  // The options are checked before any lookup.
  await assert.rejects(plain.reliable({ address: '127.0.0.1:1', name: 'x' }, { window: 0 }), { code: ErrorCode.INVALID_OPTION });
  await assert.rejects(plain.reliable({ address: '127.0.0.1:1', name: 'x' }), { code: ErrorCode.NO_REMOTE });
  await plain.shutdown();

  // With a journal: stored before sent; the same id later finds nothing left once all is acknowledged.
  const journal = new MemoryJournal();
  const system = await ActorSystem.start({ workers: 1, journal });
  t.after(() => system.shutdown());
  const target = await system.spawn(Counting, undefined);
  const ref = await system.reliable(target, { producerId: 'mem', durable: true });
  for (let n = 0; n < 500; n++) ref.tell({ type: 'n', n });
  await ref.whenStored();
  assert.ok((await journal.highestSeq('bactor.reliable:mem')) >= 500, 'the accepted messages are in the journal');
  const report = await poll(
    () => target.ask({ type: 'report' }),
    (r) => r.count >= 500,
    10_000,
  );
  assert.deepEqual(report, { count: 500, last: 499, errors: [] });
  await poll(
    async () => ref.pending,
    (p) => p === 0,
    10_000,
  );
  // One durable producer per id at a time.
  await assert.rejects(system.reliable(target, { producerId: 'mem', durable: true }), { code: ErrorCode.NAME_TAKEN });
  await system.stop(ref.producer);
  assert.throws(() => ref.tell({ type: 'n', n: 500 }), { code: ErrorCode.ACTOR_STOPPED });
  await assert.rejects(ref.whenStored(), { code: ErrorCode.ACTOR_STOPPED });
  // Deleted once acknowledged (on the producer's timer): nothing left to resend.
  const left = await journal.replay('bactor.reliable:mem');
  assert.ok(left.events.length < 500, `acknowledged messages deleted (${left.events.length} left)`);
  // Its id is free again: a successor finds nothing unacknowledged and goes on numbering after it.
  const next = await system.reliable(target, { producerId: 'mem', durable: true });
  next.tell({ type: 'n', n: 500 });
  await next.whenStored();
  assert.equal(await journal.highestSeq('bactor.reliable:mem'), 501);
  assert.deepEqual(
    await poll(
      () => target.ask({ type: 'report' }),
      (r) => r.count >= 501,
      10_000,
    ),
    { count: 501, last: 500, errors: [] },
  );
});
