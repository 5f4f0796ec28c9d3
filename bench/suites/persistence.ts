/**
 * Issue 13's persistence suite, for now at the journal level (actors do not persist yet): what
 * the SQLite journal itself sustains, in one run, against the in-memory journal as the
 * no-storage reference. `journal-sqlite-1` appends one event per commit for one persistence id
 * (a lone actor persisting one event at a time); `journal-sqlite-1000` appends one event for
 * each of 1,000 ids per commit (group commit, as a journal thread would batch 1,000 actors);
 * `journal-replay-1m` and `journal-replay-1m-snapshot` read back an id of 1M events as a
 * recovery does (replayEach: each event handed out, none kept), all of them or the snapshot
 * plus the last 10,000. Events are 64-byte payloads; synchronous=FULL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal, JournalWrite } from '../../src/persistence/journal.js';
import { MemoryJournal } from '../../src/persistence/memory-journal.js';
import { SqliteJournal } from '../../src/persistence/sqlite-journal.js';
import { type SuiteContext, median, spreadOf, throughput } from '../harness.js';

const SUITE = 'persistence';
const PAYLOAD = new Uint8Array(64).fill(7);

/** Events per second appending `commits` commits of `ids` ids × 1 event each. */
async function appendRate(journal: Journal, ids: number, commits: number, round: number): Promise<number> {
  const names = Array.from({ length: ids }, (_, i) => `r${round}-a${i}`);
  const started = performance.now();
  for (let c = 1; c <= commits; c++) {
    const writes: JournalWrite[] = names.map((persistenceId) => ({ persistenceId, events: [{ seq: c, payload: PAYLOAD }] }));
    const results = await journal.write(writes);
    if (results.some((r) => r !== null)) throw new Error(`a bench write was refused: ${results.find((r) => r !== null)!.message}`);
  }
  return (ids * commits) / ((performance.now() - started) / 1000);
}

export async function persistenceSuite(ctx: SuiteContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bactor-bench-journal-'));
  try {
    const rounds = ctx.quick ? 2 : 5;
    for (const [name, ids, commits] of [
      ['journal-sqlite-1', 1, ctx.quick ? 200 : 2000],
      ['journal-sqlite-1000', 1000, ctx.quick ? 20 : 200],
    ] as const) {
      if (!ctx.enabled(name)) continue;
      const sqlite: number[] = [];
      const memory: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const journal = new SqliteJournal({ path: join(dir, `${name}-${r}.db`) });
        sqlite.push(await appendRate(journal, ids, commits, r));
        await journal.close();
        memory.push(await appendRate(new MemoryJournal(), ids, commits, r));
      }
      ctx.report(throughput(SUITE, name, 'events/s', sqlite));
      ctx.report(throughput(SUITE, name.replace('sqlite', 'memory'), 'events/s', memory));
      ctx.log(`${name}: ${(median(sqlite) / 1000).toFixed(1)}k events/s (memory ${(median(memory) / 1000).toFixed(0)}k)`);
    }
    if (ctx.enabled('journal-replay-1m') || ctx.enabled('journal-replay-1m-snapshot')) {
      const total = ctx.quick ? 100_000 : 1_000_000;
      const journal = new SqliteJournal({ path: join(dir, 'replay.db'), synchronous: 'normal' });
      for (let from = 1; from <= total; from += 10_000) {
        const events = Array.from({ length: 10_000 }, (_, i) => ({ seq: from + i, payload: PAYLOAD }));
        await journal.write([{ persistenceId: 'big', events }]);
      }
      await journal.saveSnapshot('big', { seq: total - 10_000, payload: new Uint8Array(4096) });
      const all: number[] = [];
      const snap: number[] = [];
      for (let r = 0; r < rounds; r++) {
        // As a recovery reads: each event handed out and dropped (replayEach), counted.
        let n = 0;
        const count = (): void => void n++;
        let t = performance.now();
        await journal.replayEach('big', count);
        if (n !== total) throw new Error(`replayed ${n} of ${total}`);
        all.push(performance.now() - t);
        n = 0;
        t = performance.now();
        const s = await journal.loadSnapshot('big');
        await journal.replayEach('big', count, s!.seq + 1);
        if (n !== 10_000) throw new Error(`replayed ${n} after the snapshot`);
        snap.push(performance.now() - t);
      }
      await journal.close();
      for (const [name, ms] of [
        ['journal-replay-1m', all],
        ['journal-replay-1m-snapshot', snap],
      ] as const)
        if (ctx.enabled(name)) {
          ctx.report({ suite: SUITE, name, unit: 'ms', value: median(ms), runs: ms.length, spread: spreadOf(ms) });
          ctx.log(`${name}: ${median(ms).toFixed(0)} ms (${total} events)`);
        }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
