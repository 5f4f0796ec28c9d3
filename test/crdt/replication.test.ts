// Replicated stores between real node processes (test/fixtures/crdt-node.ts) on 127.0.0.1:
// concurrent updates on every node converge; write and read consistency with a node down;
// convergence after a partition cut with TCP proxies while both sides go on updating; a durable
// node killed with -9 comes back with its state from its SQLite journal. Every wait is bounded.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CrdtNode, freePort } from '../helpers/crdt-nodes.js';
import { poll as pollUntil } from '../helpers/poll.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const HITS = { id: 'hits', type: 'PNCounter' };
const TAGS = { id: 'tags', type: 'ORSet' };

async function startNodes(n: number): Promise<CrdtNode[]> {
  return Promise.all(Array.from({ length: n }, () => CrdtNode.start()));
}

/** Opens store `name` on each node with the others as its nodes (or `nodesOf(i)`). */
async function open(nodes: CrdtNode[], options: Record<string, unknown>, nodesOf?: (i: number) => string[]): Promise<void> {
  await Promise.all(
    nodes.map((node, i) =>
      node.value({
        cmd: 'open',
        options: { ...options, nodes: nodesOf?.(i) ?? nodes.filter((o) => o !== node).map((o) => o.address) },
      }),
    ),
  );
}

const reads = (nodes: CrdtNode[], key: object) => () => Promise.all(nodes.map((n) => n.value({ cmd: 'get', key })));
const allEqual = (values: unknown[]) => values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]));

test('concurrent updates on 3 nodes converge to the same value on every node', async (t) => {
  const nodes = await startNodes(3);
  t.after(() => Promise.all(nodes.map((n) => n.stop())));
  await open(nodes, { name: 'conv', gossipIntervalMs: 200 });
  // Each node: 200 increments and 3 adds, concurrently; one removes an element another added.
  await Promise.all(
    nodes.map(async (node, i) => {
      await node.value({ cmd: 'updates', key: HITS, op: 'increment', args: [i + 1], count: 200 });
      for (const tag of [`n${i}-a`, `n${i}-b`, 'shared']) await node.value({ cmd: 'update', key: TAGS, op: 'add', args: [tag] });
    }),
  );
  const hits = await pollUntil(reads(nodes, HITS), (v) => v.every((x) => x === 1200), 10_000);
  assert.deepEqual(hits, [1200, 1200, 1200], 'every node counts 200×1 + 200×2 + 200×3');
  const tags = await pollUntil(reads(nodes, TAGS), (v) => allEqual(v) && (v[0] as string[]).length === 7, 10_000);
  assert.deepEqual(tags[0], ['n0-a', 'n0-b', 'n1-a', 'n1-b', 'n2-a', 'n2-b', 'shared']);
  assert.ok(allEqual(tags), `sets differ: ${JSON.stringify(tags)}`);
});

test("write and read consistency: with one of 3 nodes down 'all' times out with ERR_REPLICATION_TIMEOUT, 'majority' succeeds", async (t) => {
  const nodes = await startNodes(3);
  t.after(() => Promise.all(nodes.map((n) => n.stop())));
  // Lazy sync with a long interval and slow gossip: only the consistency level spreads a write quickly.
  await open(nodes, { name: 'levels', sync: { lazy: { intervalMs: 60_000 } }, gossipIntervalMs: 60_000 });
  const [a, b, c] = nodes as [CrdtNode, CrdtNode, CrdtNode];
  // Wait until every node has found the others (a write 'all' succeeds).
  const first = await pollUntil(
    () => a.call({ cmd: 'update', key: HITS, op: 'increment', args: [0], options: { write: 'all', timeoutMs: 300 } }),
    (r) => r.ok,
    10_000,
  );
  assert.ok(first.ok, `write 'all' with every node up: ${JSON.stringify(first)}`);
  assert.deepEqual(await a.call({ cmd: 'update', key: HITS, op: 'increment', args: [5], options: { write: 'all', timeoutMs: 2000 } }), {
    ok: true,
    value: 5,
  });
  // Held by b and c at once: their local reads see it (lazy sync alone would take a minute).
  assert.equal(await b.value({ cmd: 'get', key: HITS }), 5);
  assert.equal(await c.value({ cmd: 'get', key: HITS }), 5);
  // b's update at 'local' stays on b; a 'majority' read on a merges it in.
  await b.value({ cmd: 'update', key: HITS, op: 'increment', args: [2] });
  assert.equal(await a.value({ cmd: 'get', key: HITS }), 5, "a 'local' read does not see b's lazy update");
  assert.equal(await a.value({ cmd: 'get', key: HITS, options: { read: 'all', timeoutMs: 2000 } }), 7);

  await c.kill();
  const all = await a.call({ cmd: 'update', key: HITS, op: 'increment', args: [1], options: { write: 'all', timeoutMs: 500 } });
  assert.equal(all.ok, false);
  assert.equal((all as { code: string }).code, 'ERR_REPLICATION_TIMEOUT');
  assert.equal(await a.value({ cmd: 'get', key: HITS }), 8, 'the timed-out write stands locally');
  const majority = await a.call({ cmd: 'update', key: HITS, op: 'increment', args: [1], options: { write: 'majority', timeoutMs: 2000 } });
  assert.deepEqual(majority, { ok: true, value: 9 });
  assert.equal(await b.value({ cmd: 'get', key: HITS }), 9, "b holds both writes ('all' kept replicating to it)");
  assert.deepEqual(await b.call({ cmd: 'get', key: HITS, options: { read: 'majority', timeoutMs: 2000 } }), { ok: true, value: 9 });
  const readAll = await b.call({ cmd: 'get', key: HITS, options: { read: 'all', timeoutMs: 500 } });
  assert.equal((readAll as { code: string }).code, 'ERR_REPLICATION_TIMEOUT');
});

test('a node cut off by a partition converges with the others once healed, updates having gone on on both sides', async (t) => {
  const [a, b, c] = (await startNodes(3)) as [CrdtNode, CrdtNode, CrdtNode];
  t.after(() => Promise.all([a, b, c].map((n) => n.stop())));
  // c talks to a and b, and they to c, only through proxies: cutting them isolates c.
  const proxies = { ac: new TcpProxy(c.address), bc: new TcpProxy(c.address), ca: new TcpProxy(a.address), cb: new TcpProxy(b.address) };
  for (const p of Object.values(proxies)) await p.start();
  t.after(() => Promise.all(Object.values(proxies).map((p) => p.close())));
  const lists = [
    [b.address, proxies.ac.address],
    [a.address, proxies.bc.address],
    [proxies.ca.address, proxies.cb.address],
  ];
  await open([a, b, c], { name: 'split', gossipIntervalMs: 200 }, (i) => lists[i]!);
  await a.value({ cmd: 'update', key: HITS, op: 'increment', args: [1] });
  assert.deepEqual(await pollUntil(reads([a, b, c], HITS), (v) => v.every((x) => x === 1), 10_000), [1, 1, 1]);

  for (const p of Object.values(proxies)) p.cut();
  // Both sides go on for 1.2 s (under the nodes' lostAfterMs of 3 s: a cut, not a lost node).
  const until = Date.now() + 1200;
  let rounds = 0;
  while (Date.now() < until && rounds < 1000) {
    rounds++;
    await Promise.all([
      a.value({ cmd: 'update', key: HITS, op: 'increment', args: [1] }),
      c.value({ cmd: 'update', key: HITS, op: 'increment', args: [10] }),
      c.value({ cmd: 'update', key: TAGS, op: rounds === 1 ? 'add' : 'remove', args: ['cut'] }),
      b.value({ cmd: 'update', key: TAGS, op: 'add', args: [`b${rounds % 3}`] }),
    ]);
    await new Promise((r) => setTimeout(r, 20));
  }
  const during = await Promise.all([a, c].map((n) => n.value({ cmd: 'get', key: HITS })));
  assert.equal(during[0], 1 + rounds, 'a sees only its own side');
  assert.equal(during[1], 1 + 10 * rounds, 'c sees only its own side');

  for (const p of Object.values(proxies)) p.restore();
  const expected = 1 + 11 * rounds;
  const healed = await pollUntil(reads([a, b, c], HITS), (v) => v.every((x) => x === expected), 15_000);
  assert.deepEqual(healed, [expected, expected, expected]);
  const tags = await pollUntil(reads([a, b, c], TAGS), allEqual, 10_000);
  assert.ok(allEqual(tags), `sets differ after healing: ${JSON.stringify(tags)}`);
  const added = [...new Set(Array.from({ length: rounds }, (_, r) => `b${(r + 1) % 3}`))];
  assert.deepEqual(tags[0], [...added, ...(rounds === 1 ? ['cut'] : [])].sort(), "b's adds, and c's add then removes of 'cut'");
  t.diagnostic(`${rounds} rounds of updates on both sides of the cut`);
});

test('a durable node killed with -9 comes back from its SQLite journal with its state and goes on counting', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bactor-crdt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { CRDT_JOURNAL: join(dir, 'a.db') };
  const listen = `127.0.0.1:${await freePort()}`;
  let a = await CrdtNode.start(listen, env);
  const b = await CrdtNode.start();
  t.after(() => Promise.all([a.stop(), b.stop()]));
  await a.value({ cmd: 'open', options: { name: 'durable', nodes: [b.address], durable: true, gossipIntervalMs: 200 } });
  await b.value({ cmd: 'open', options: { name: 'durable', nodes: [a.address], gossipIntervalMs: 200 } });
  await a.value({ cmd: 'updates', key: HITS, op: 'increment', args: [1], count: 50 });
  await a.value({ cmd: 'update', key: TAGS, op: 'add', args: ['kept'] });
  await b.value({ cmd: 'updates', key: HITS, op: 'increment', args: [2], count: 15 });
  assert.deepEqual(await pollUntil(reads([a, b], HITS), (v) => v.every((x) => x === 80), 10_000), [80, 80]);
  // b's entries reached a by a merge, stored without an ack: give that write a moment.
  await new Promise((r) => setTimeout(r, 300));
  await b.stop(); // a must recover from its journal, not from b
  await a.kill();

  a = await CrdtNode.start(listen, env);
  assert.equal(
    await a.value({ cmd: 'open', options: { name: 'durable', nodes: [b.address], durable: true } }),
    listen,
    'replica id: its address',
  );
  assert.equal(await a.value({ cmd: 'get', key: HITS }), 80);
  assert.deepEqual(await a.value({ cmd: 'get', key: TAGS }), ['kept']);
  // Its own entry goes on from 50, not from 0: the next increment counts.
  assert.equal(await a.value({ cmd: 'update', key: HITS, op: 'increment', args: [1] }), 81);
});
