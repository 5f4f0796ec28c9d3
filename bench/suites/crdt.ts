/**
 * Replicated stores (issue 13) on 3 nodes: three node processes on this machine
 * (test/fixtures/crdt-node.ts), driven from this one, each with the store open and the other two
 * as its nodes (eager sync, write 'local', gossip every second).
 *
 * - crdt-updates: updates/s, all nodes together, while each node increments one shared
 *   PNCounter key N times, one update after another (each one applied, replicated eagerly).
 * - crdt-converge: ms from the last of those updates resolving (the slowest node's) until all 3
 *   nodes read the same, complete value (read 'local' on each, polled every 1 ms). The log
 *   also gives the ms for one single update to reach the two other nodes.
 */
import { CrdtNode } from '../../test/helpers/crdt-nodes.js';
import { type SuiteContext, median, throughput } from '../harness.js';

const SUITE = 'crdt';
const KEY = { id: 'hits', type: 'PNCounter' };

/** Polls every node until all read `expected` (at most 30 s); the ms it took. */
async function untilAll(nodes: readonly CrdtNode[], expected: number, since: number): Promise<number> {
  const end = since + 30_000;
  for (;;) {
    const values = await Promise.all(nodes.map((n) => n.value({ cmd: 'get', key: KEY })));
    if (values.every((v) => v === expected)) return performance.now() - since;
    if (performance.now() > end) throw new Error(`no convergence within 30 s: ${values.join(', ')} (expected ${expected})`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

export async function crdtSuite(ctx: SuiteContext): Promise<void> {
  if (!ctx.enabled('crdt-updates') && !ctx.enabled('crdt-converge')) return;
  const ROUNDS = Number(ctx.option?.('rounds') ?? (ctx.quick ? 3 : 5));
  const N = ctx.quick ? 5_000 : 20_000;
  const nodes = await Promise.all([0, 1, 2].map(() => CrdtNode.start()));
  try {
    await Promise.all(
      nodes.map((node) =>
        node.value({ cmd: 'open', options: { name: 'bench', nodes: nodes.filter((o) => o !== node).map((o) => o.address) } }),
      ),
    );
    // Every node has found the others once a write 'all' succeeds.
    for (let i = 0; i < 200; i++) {
      const a = await nodes[0]!.call({ cmd: 'update', key: KEY, op: 'increment', args: [0], options: { write: 'all', timeoutMs: 200 } });
      if (a.ok) break;
    }
    const rates: number[] = [];
    const converge: number[] = [];
    const single: number[] = [];
    let total = 0;
    for (let r = -1; r < ROUNDS; r++) {
      // (round -1: warm-up, not counted)
      const t0 = performance.now();
      await Promise.all(nodes.map((n) => n.value({ cmd: 'updates', key: KEY, op: 'increment', args: [1], count: N })));
      const last = performance.now();
      total += 3 * N;
      const ms = await untilAll(nodes, total, last);
      const t1 = performance.now();
      await nodes[r & 1]!.value({ cmd: 'update', key: KEY, op: 'increment', args: [1] });
      const one = await untilAll(nodes, ++total, t1);
      if (r < 0) continue;
      rates.push((3 * N) / ((last - t0) / 1000));
      converge.push(ms);
      single.push(one);
    }
    if (ctx.enabled('crdt-updates')) {
      ctx.report(throughput(SUITE, 'crdt-updates', 'updates/s', rates));
      ctx.log(
        `crdt-updates: ${Math.round(median(rates)).toLocaleString('en-US')} updates/s on 3 nodes (${N.toLocaleString('en-US')} per node per round)`,
      );
    }
    if (ctx.enabled('crdt-converge')) {
      ctx.report({ ...throughput(SUITE, 'crdt-converge', 'ms', converge) });
      ctx.log(
        `crdt-converge: ${median(converge).toFixed(1)} ms after a burst; one update reaches all 3 nodes in ${median(single).toFixed(1)} ms`,
      );
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}
