/**
 * Memory soak: `--rounds=n` rounds (default 20, 8 with --quick) of the churn that once looked
 * like a leak (issue 10), then the memory of every thread after a forced collection:
 *
 * - an actor on worker 1 spawns 50,000 children in one handler and stops them all;
 * - the main thread spawns 10,000 top-level actors (placed by the scheduler, 500 at a time) and
 *   stops them;
 * - the main thread asks an actor on worker 2 100,000 times at once: 50,000 are answered (5 s
 *   timeout, cancelled by the answer), 50,000 get no answer and time out at 50 ms.
 *
 * Each round waits until the actors are gone, then reports the process's RSS, the main thread's
 * heap in use and each worker's (a HeapProbe actor on each worker collects its own heap first);
 * also the main thread's heap right after the asks settle, before its loop parks again (what
 * the settled asks' timeout timers still hold then).
 * The first rounds grow each thread's young generation to its ceiling (64 MB on workers,
 * resourceLimits in ActorSystem.startWorker): V8 keeps it committed, so RSS rises for a few
 * rounds and then holds. A leak grows every round: the summary is the growth from round 5 to the
 * last and the least-squares slope per round over the same rounds.
 *
 * Needs --expose-gc for the heap figures (`npm run bench` passes it; workers inherit it); without
 * it the heaps are reported as sampled, with garbage, and the suite says so.
 */
import v8 from 'node:v8';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { Churner, HalfAnswerer, HeapProbe, type HeapReport, SoakLeaf, forceGc } from '../fixtures/soak-actors.js';
import { type BenchResult, type SuiteContext, median } from '../harness.js';

const SUITE = 'soak';
const WORKERS = 2;
const CHURN_IN_WORKER = 50_000;
const CHURN_FROM_MAIN = 10_000;
const ASKS = 100_000;
/** Rounds before this one are the warm-up of the heaps (see above). */
const FROM_ROUND = 5;

const MB = (bytes: number): number => bytes / 2 ** 20;

/** Least-squares slope of ys over their indices. */
function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

interface Round {
  ms: number;
  /** The main thread's heap right after the asks settled (see asks). */
  mainHeapAtSettle: number;
  rss: number;
  mainHeap: number;
  workerHeaps: number[];
  workerNewSpace: number[];
}

export async function soakSuite(ctx: SuiteContext): Promise<void> {
  const rounds = Number(ctx.option?.('rounds') ?? (ctx.quick ? 8 : 20));
  if (!Number.isInteger(rounds) || rounds < FROM_ROUND + 1)
    throw new Error(`soak: --rounds=${rounds} must be an integer of at least ${FROM_ROUND + 1}`);
  const gc = global.gc !== undefined;
  if (!gc) {
    const warning =
      'soak: no --expose-gc: heaps are sampled with their garbage, RSS growth is still meaningful (run `node --expose-gc dist/bench/run.js soak`)';
    console.error(warning);
    ctx.log(warning);
  }
  const system = await ActorSystem.start({ workers: WORKERS });
  try {
    const probes: ActorRef<{ type: 'heap' }, HeapReport>[] = [];
    for (let w = 1; w <= WORKERS; w++) probes.push(await system.spawn(HeapProbe, undefined, { worker: w }));
    const churner = await system.spawn(Churner, undefined, { worker: 1 });
    const answerer = await system.spawn(HalfAnswerer, undefined, { worker: 2 });
    const baseline = (await system.stats()).workers.map((w) => w.actors);

    const churnFromMain = async (): Promise<void> => {
      const refs: ActorRef[] = [];
      for (let i = 0; i < CHURN_FROM_MAIN; i += 500) {
        const batch: Promise<ActorRef>[] = [];
        for (let j = i; j < Math.min(CHURN_FROM_MAIN, i + 500); j++) batch.push(system.spawn(SoakLeaf, undefined));
        refs.push(...(await Promise.all(batch)));
      }
      for (const ref of refs) system.stop(ref);
    };
    /** The asks; resolves with the main thread's heap after a forced collection as soon as they have settled. */
    const asks = async (): Promise<number> => {
      const check = async (): Promise<void> => {
        const pending: Promise<number>[] = [];
        for (let i = 0; i < ASKS; i++) pending.push(answerer.ask({ i }, { timeout: (i & 1) === 0 ? 5000 : 50 }));
        const settled = await Promise.allSettled(pending);
        const answered = settled.filter((s) => s.status === 'fulfilled').length;
        const timedOut = settled.filter(
          (s) => s.status === 'rejected' && (s.reason as { code?: string }).code === 'ERR_ASK_TIMEOUT',
        ).length;
        if (answered !== ASKS / 2 || timedOut !== ASKS / 2)
          throw new Error(`soak: ${answered} asks answered and ${timedOut} timed out of ${ASKS}`);
      };
      await check();
      // Before the main thread's loop parks again: what the settled asks still hold (their
      // timeout timers, until they come due or reach the top of the timer heap) is here.
      forceGc();
      return v8.getHeapStatistics().used_heap_size;
    };
    const actorsGone = async (): Promise<void> => {
      for (;;) {
        const st = await system.stats();
        if (st.workers.every((w, i) => w.actors === baseline[i])) return;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const sample = async (t0: number): Promise<Omit<Round, 'mainHeapAtSettle'>> => {
      const ms = performance.now() - t0;
      const workers: HeapReport[] = [];
      for (const probe of probes) workers.push(await probe.ask({ type: 'heap' }));
      if (workers.some((w) => w.gc !== gc)) throw new Error('soak: the workers and the main thread disagree about --expose-gc');
      forceGc();
      return {
        ms,
        rss: process.memoryUsage.rss(),
        mainHeap: v8.getHeapStatistics().used_heap_size,
        workerHeaps: workers.map((w) => w.used),
        workerNewSpace: workers.map((w) => w.newSpace),
      };
    };

    const start = await sample(performance.now());
    ctx.log(
      `start: rss ${MB(start.rss).toFixed(1)} MB, main heap ${MB(start.mainHeap).toFixed(1)} MB, worker heaps ${start.workerHeaps.map((h) => MB(h).toFixed(1)).join(' / ')} MB${gc ? ' (after gc)' : ''}`,
    );
    const all: Round[] = [];
    for (let r = 1; r <= rounds; r++) {
      const t0 = performance.now();
      await churner.ask({ type: 'churn', n: CHURN_IN_WORKER }, { timeout: 120_000 });
      await churnFromMain();
      const mainHeapAtSettle = await asks();
      await actorsGone();
      const round = { ...(await sample(t0)), mainHeapAtSettle };
      all.push(round);
      const tag = `r${String(r).padStart(2, '0')}`;
      ctx.log(
        `${tag}: ${(round.ms / 1000).toFixed(1)} s, rss ${MB(round.rss).toFixed(1)} MB, main heap ${MB(round.mainHeap).toFixed(1)} MB (${MB(round.mainHeapAtSettle).toFixed(1)} MB as the asks settled), worker heaps ${round.workerHeaps.map((h) => MB(h).toFixed(1)).join(' / ')} MB, worker young generations ${round.workerNewSpace.map((h) => MB(h).toFixed(0)).join(' / ')} MB`,
      );
      const one = (name: string, value: number): void =>
        ctx.report({ suite: SUITE, name: `${tag}:${name}`, unit: 'MB', value: MB(value), runs: 1, spread: 0 });
      one('rss', round.rss);
      one('main-heap', round.mainHeap);
      one('main-heap-at-settle', round.mainHeapAtSettle);
      round.workerHeaps.forEach((h, i) => one(`worker${i + 1}-heap`, h));
    }

    const tail = all.slice(FROM_ROUND - 1);
    const summary = (name: string, values: number[]): BenchResult[] => [
      {
        suite: SUITE,
        name: `${name}-growth`,
        unit: `MB (round ${FROM_ROUND} → ${rounds})`,
        value: MB(values.at(-1)! - values[0]!),
        runs: tail.length,
        spread: 0,
      },
      { suite: SUITE, name: `${name}-slope`, unit: 'MB/round', value: MB(slope(values)), runs: tail.length, spread: 0 },
    ];
    const series: [string, number[]][] = [
      ['rss', tail.map((t) => t.rss)],
      ['main-heap', tail.map((t) => t.mainHeap)],
      ...Array.from({ length: WORKERS }, (_, w): [string, number[]] => [`worker${w + 1}-heap`, tail.map((t) => t.workerHeaps[w]!)]),
    ];
    for (const [name, values] of series) for (const r of summary(name, values)) ctx.report(r);
    ctx.report({
      suite: SUITE,
      name: 'main-heap-held-by-settled-asks',
      unit: 'MB (median of: as the asks settle − end of round)',
      value: MB(median(all.map((t) => t.mainHeapAtSettle - t.mainHeap))),
      runs: all.length,
      spread: 0,
    });
    ctx.report({
      suite: SUITE,
      name: 'gc',
      unit: gc ? 'forced before every sample' : 'unavailable: heaps with garbage',
      value: gc ? 1 : 0,
      runs: 1,
      spread: 0,
    });
  } finally {
    await system.shutdown();
  }
}
