/**
 * Issue 13's persistence suite. At the actor level: `sqlite-persist-1` and `sqlite-persist-1000`
 * (events/s stored by one actor and by 1,000 actors on the workers, each persisting one event
 * per message it sends itself and taking the next once it is stored; `-async-`: with
 * persistAsync, taking the next at once), with `memory-persist-1000` (the same on
 * the in-memory journal: what the path from the actors to the journal costs without storage);
 * `recovery-1m` and `recovery-1m-snapshots` (ms from spawn to the first answer of an actor with
 * 1M stored events, without a snapshot and with one every 10,000), `pg-persist-1000` (as
 * sqlite-persist-1000 on a PostgreSQL server the suite starts). At the journal level, what
 * the SQLite journal itself sustains, against the in-memory journal: `journal-sqlite-1` appends one event per commit for one persistence id
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
import { ActorSystem } from '../../src/index.js';
import { packPortable } from '../../src/codec/portable.js';
import { BENCH_EVENT, Persister, Sink, Source } from '../fixtures/persistent-bench.actor.js';
import { PostgresJournal } from '../../src/persistence/postgres-journal.js';
import { type PostgresServer, startPostgres } from '../../test/helpers/postgres-server.js';

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

/** Events per second stored by `actors` actors persisting `each` events apiece, on a system with `journal`. */
async function persistRate(journal: Journal, actors: number, each: number, round: number, async: boolean): Promise<number> {
  const system = await ActorSystem.start({ journal });
  try {
    const refs = await system.spawnMany(
      Persister,
      Array.from({ length: actors }, (_, i) => `p${round}-${i}`),
    );
    // A warm-up of a quarter as many events, not timed (the system and its threads are new each round: their code is cold).
    const warm = Math.ceil(each / 4);
    await Promise.all(refs.map((ref) => ref.ask({ type: 'go', n: warm, async }, { timeout: 120_000 })));
    const started = performance.now();
    const counts = await Promise.all(refs.map((ref) => ref.ask({ type: 'go', n: each, async }, { timeout: 120_000 })));
    const seconds = (performance.now() - started) / 1000;
    if (counts.some((c) => c !== warm + each))
      throw new Error(`an actor applied ${counts.find((c) => c !== warm + each)} of ${warm + each} events`);
    return (actors * each) / seconds;
  } finally {
    await system.shutdown();
  }
}

/** Ms from spawning an actor whose id has `total` stored events (and a snapshot after `snapshotAt`, 0: none) to its first answer. */
async function recoveryMs(path: string, id: string, total: number): Promise<number> {
  const system = await ActorSystem.start({ journal: new SqliteJournal({ path }) });
  try {
    const started = performance.now();
    const ref = await system.spawn(Persister, id);
    const applied = await ref.ask({ type: 'count' }, { timeout: 120_000 });
    const ms = performance.now() - started;
    if (applied !== total) throw new Error(`recovered ${applied} of ${total} events`);
    return ms;
  } finally {
    await system.shutdown();
  }
}

/** Msgs/s from an actor on worker 1 to one on worker 2, with reliable delivery or plain tells, in chunks of 10,000. */
async function crossTellRate(system: ActorSystem, total: number, reliable: boolean): Promise<number> {
  const sink = await system.spawn(Sink, undefined, { worker: 2 });
  const source = await system.spawn(Source, undefined, { worker: 1 });
  try {
    const started = performance.now();
    const done = sink.ask({ type: 'expect', total }, { timeout: 120_000 });
    for (let sent = 0; sent < total; sent += 10_000) await source.ask({ target: sink, count: Math.min(10_000, total - sent), reliable });
    await done;
    return total / ((performance.now() - started) / 1000);
  } finally {
    await system.stop(source);
    await system.stop(sink);
  }
}

export async function persistenceSuite(ctx: SuiteContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bactor-bench-journal-'));
  try {
    const rounds = ctx.quick ? 2 : 5;
    const crossTell = [ctx.enabled('reliable-cross-tell'), ctx.enabled('cross-tell')]; // (both asked: --only checks names against them)
    if (crossTell[0] || crossTell[1]) {
      // Both in one system, alternating: the ratio is the figure.
      const system = await ActorSystem.start({ workers: 2 });
      try {
        const total = ctx.quick ? 200_000 : 1_000_000;
        const plain: number[] = [];
        const reliable: number[] = [];
        await crossTellRate(system, total / 10, false); // warm-up
        await crossTellRate(system, total / 10, true);
        for (let r = 0; r < rounds; r++) {
          plain.push(await crossTellRate(system, total, false));
          reliable.push(await crossTellRate(system, total, true));
        }
        ctx.report(throughput(SUITE, 'cross-tell', 'msgs/s', plain));
        ctx.report(throughput(SUITE, 'reliable-cross-tell', 'msgs/s', reliable));
        ctx.log(
          `reliable-cross-tell: ${(median(reliable) / 1e6).toFixed(2)}M msgs/s, ${(median(reliable) / median(plain)).toFixed(2)}× cross-tell (${(median(plain) / 1e6).toFixed(2)}M)`,
        );
      } finally {
        await system.shutdown();
      }
    }
    for (const [name, actors, each, async] of [
      ['sqlite-persist-1', 1, ctx.quick ? 200 : 2000, false],
      ['sqlite-persist-1000', 1000, ctx.quick ? 20 : 200, false],
      ['sqlite-persist-async-1', 1, ctx.quick ? 2000 : 20_000, true],
      ['sqlite-persist-async-1000', 1000, ctx.quick ? 20 : 200, true],
    ] as const) {
      if (!ctx.enabled(name)) continue;
      const sqlite: number[] = [];
      const memory: number[] = [];
      for (let r = 0; r < rounds; r++) {
        sqlite.push(await persistRate(new SqliteJournal({ path: join(dir, `${name}-${r}.db`) }), actors, each, r, async));
        if (actors > 1) memory.push(await persistRate(new MemoryJournal(), actors, each, r, async));
      }
      ctx.report(throughput(SUITE, name, 'events/s', sqlite));
      if (memory.length > 0) ctx.report(throughput(SUITE, name.replace('sqlite', 'memory'), 'events/s', memory));
      ctx.log(
        `${name}: ${(median(sqlite) / 1000).toFixed(1)}k events/s${memory.length > 0 ? ` (memory journal ${(median(memory) / 1000).toFixed(0)}k)` : ''}`,
      );
    }
    if (ctx.enabled('pg-persist-1000')) {
      // A PostgreSQL server of its own (Debian's postgresql, as the tests start it), fsync off: what the path costs, not the disk.
      let server: PostgresServer | null = null;
      try {
        server = await startPostgres();
      } catch (error) {
        ctx.log(`pg-persist-1000: skipped (${(error as Error).message})`);
      }
      if (server !== null) {
        try {
          const rates: number[] = [];
          for (let r = 0; r < rounds; r++)
            rates.push(
              await persistRate(
                new PostgresJournal({ connection: server.url, tablePrefix: `bench${r}` }),
                1000,
                ctx.quick ? 20 : 100,
                r,
                false,
              ),
            );
          ctx.report(throughput(SUITE, 'pg-persist-1000', 'events/s', rates));
          ctx.log(`pg-persist-1000: ${(median(rates) / 1000).toFixed(1)}k events/s`);
        } finally {
          await server.stop();
        }
      }
    }
    if (ctx.enabled('recovery-1m') || ctx.enabled('recovery-1m-snapshots')) {
      const total = ctx.quick ? 100_000 : 1_000_000;
      const path = join(dir, 'recovery.db');
      const journal = new SqliteJournal({ path, synchronous: 'normal' });
      const payload = packPortable(BENCH_EVENT);
      for (const id of ['plain', 'snapshotted']) {
        for (let from = 1; from <= total; from += 10_000) {
          const events = Array.from({ length: 10_000 }, (_, i) => ({ seq: from + i, payload }));
          await journal.write([{ persistenceId: id, events }]);
          // A snapshot every 10,000 events, as snapshotEvery: 10_000 saves them (the latest is kept).
          if (id === 'snapshotted')
            await journal.saveSnapshot(id, { seq: from + 9_999, payload: packPortable({ id, applied: from + 9_999 }) });
        }
      }
      await journal.close();
      for (const [name, id] of [
        ['recovery-1m', 'plain'],
        ['recovery-1m-snapshots', 'snapshotted'],
      ] as const) {
        if (!ctx.enabled(name)) continue;
        const ms: number[] = [];
        for (let r = 0; r < rounds; r++) ms.push(await recoveryMs(path, id, total));
        ctx.report({ suite: SUITE, name, unit: 'ms', value: median(ms), runs: ms.length, spread: spreadOf(ms) });
        ctx.log(`${name}: ${median(ms).toFixed(0)} ms (${total} events)`);
      }
    }
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
