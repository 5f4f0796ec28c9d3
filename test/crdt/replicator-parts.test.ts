// The pieces of replicated stores, in one process without threads: rendezvous partitioning,
// the option checks, the type registry, and replicas wired by a simulated network that drops
// what it carries while cut — anti-entropy (gossip) must repair what was dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActorRef } from '../../src/index.js';
import { applyOp, crdtKey } from '../../src/crdt/crdt-types.js';
import { rendezvousReplicas } from '../../src/crdt/partition.js';
import { checkStoreOptions, needed } from '../../src/crdt/replication-options.js';
import { Replicator } from '../../src/crdt/replicator.js';
import type { PeerMessage } from '../../src/crdt/replicator-messages.js';
import { stateDigest } from '../../src/crdt/hash.js';

test('rendezvous partitioning: stable, the factor asked, spread evenly, and a removed node moves only its keys', () => {
  const nodes = ['10.0.0.1:1', '10.0.0.2:1', '10.0.0.3:1', '10.0.0.4:1', '10.0.0.5:1'];
  const counts = new Map<string, number>();
  for (let k = 0; k < 5000; k++) {
    const replicas = rendezvousReplicas(`key-${k}`, nodes, 2);
    assert.equal(replicas.length, 2);
    assert.notEqual(replicas[0], replicas[1]);
    assert.deepEqual(rendezvousReplicas(`key-${k}`, [...nodes].reverse(), 2), replicas, 'the order of the node list does not matter');
    for (const r of replicas) counts.set(r, (counts.get(r) ?? 0) + 1);
    // Without node 3, a key keeps the replicas it had among the others.
    const without = rendezvousReplicas(
      `key-${k}`,
      nodes.filter((n) => n !== nodes[2]),
      2,
    );
    for (const r of replicas) if (r !== nodes[2]) assert.ok(without.includes(r), `key-${k} moved off ${r}`);
  }
  for (const [node, n] of counts) assert.ok(n > 1700 && n < 2300, `${node} holds ${n} of 10,000 replicas (expected about 2,000)`);
  assert.deepEqual([...rendezvousReplicas('x', nodes, 9)].sort(), [...nodes].sort(), 'a factor above the node count: every node');
});

test('store options: defaults, and every bad option refused with ERR_INVALID_OPTION naming it', () => {
  const c = checkStoreOptions({ name: 's', nodes: ['127.0.0.1:2', '127.0.0.1:1', '127.0.0.1:9'] }, '127.0.0.1:9');
  assert.deepEqual(c.nodes, ['127.0.0.1:1', '127.0.0.1:2'], 'sorted, without this node');
  assert.equal(c.replicationFactor, 3);
  assert.equal(c.lazyMs, 0);
  assert.deepEqual([c.write, c.read, c.timeoutMs, c.gossipIntervalMs, c.durable], ['local', 'local', 5000, 1000, false]);
  assert.equal(checkStoreOptions({ name: 's', sync: { lazy: { intervalMs: 50 } } }, null).lazyMs, 50);
  const bad: [unknown, RegExp][] = [
    [undefined, /options are required/],
    [{ name: '' }, /name must be/],
    [{ name: 's', nodse: [] }, /unknown option 'nodse' \(did you mean 'nodes'\?\)/],
    [{ name: 's', nodes: ['nowhere'] }, /address must be 'host:port'/],
    [{ name: 's', nodes: '127.0.0.1:1' }, /nodes must be an array/],
    [{ name: 's', sync: 'lazy' }, /sync must be an object|sync is 'eager'/],
    [{ name: 's', sync: { lazy: {} } }, /sync\.lazy\.intervalMs=null must be an integer/],
    [{ name: 's', replicationFactor: 2 }, /replicationFactor=2 must be an integer from 1 to the number of nodes \(1\)/],
    [{ name: 's', partition: 'range' }, /partition must be 'hash' or a function/],
    [{ name: 's', durable: 'yes' }, /durable="yes" must be true or false/],
    [{ name: 's', gossipIntervalMs: 0 }, /gossipIntervalMs=0/],
    [{ name: 's', write: 'quorum' }, /write="quorum" must be 'local', 'majority' or 'all'/],
    [{ name: 's', timeoutMs: -1 }, /timeoutMs=-1/],
  ];
  for (const [options, message] of bad)
    assert.throws(
      () => checkStoreOptions(options, null),
      (e: { code?: string; message: string }) => {
        assert.equal(e.code, 'ERR_INVALID_OPTION', e.message);
        assert.match(e.message, message);
        return true;
      },
    );
  assert.throws(() => checkStoreOptions({ name: 's', nodes: ['127.0.0.1:1'] }, null), /has no remote option/);
  assert.deepEqual([needed('local', 3), needed('majority', 3), needed('majority', 4), needed('all', 3)], [1, 2, 3, 3]);
});

test('type registry: named operations with their arguments, checked', () => {
  let s = applyOp('PNCounter', { p: {}, n: {} }, 'increment', [5], 'a', 0);
  s = applyOp('PNCounter', s, 'decrement', [2], 'b', 0);
  assert.deepEqual(s, { p: { a: 5 }, n: { b: 2 } });
  const map = applyOp('LWWMap', { entries: {} }, 'set', ['k', 1], 'a', 10);
  assert.equal((map as { entries: Record<string, { at: number }> }).entries.k!.at, 10);
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return undefined;
  };
  assert.equal(
    code(() => applyOp('GCounter', {}, 'decrement', [1], 'a', 0)),
    'ERR_INVALID_ARGUMENT',
  );
  assert.equal(
    code(() => applyOp('GCounter', {}, 'increment', [-1], 'a', 0)),
    'ERR_INVALID_ARGUMENT',
  );
  assert.equal(
    code(() => applyOp('ORSet', { entries: {}, seen: {} }, 'add', [], 'a', 0)),
    'ERR_INVALID_ARGUMENT',
  );
  assert.equal(
    code(() => applyOp('LWWMap', { entries: {} }, 'set', [1, 2], 'a', 0)),
    'ERR_INVALID_ARGUMENT',
  );
  assert.equal(
    code(() => crdtKey('k', 'Counter' as 'GCounter')),
    'ERR_INVALID_ARGUMENT',
  );
  assert.equal(stateDigest({ a: 1, b: [2] }), stateDigest({ b: [2], a: 1 }), 'digests ignore key order');
});

/** Replicas in one process: each one's peers are refs whose tell delivers on a later microtask, unless cut. */
function network(names: string[], options: Record<string, unknown> = {}) {
  const cut = new Set<string>();
  const replicas = new Map<string, Replicator>();
  const refOf = (to: string, from: string, incarnation: number): ActorRef =>
    ({
      incarnation,
      id: incarnation,
      tell(msg: PeerMessage) {
        if (!cut.has(from) && !cut.has(to)) queueMicrotask(() => replicas.get(to)!.receive(msg));
      },
      equals(o: ActorRef | null) {
        return o?.incarnation === incarnation;
      },
    }) as unknown as ActorRef;
  names.forEach((name, i) => {
    const config = checkStoreOptions({ name: 't', nodes: names, gossipIntervalMs: 3_600_000, ...options }, name);
    const r = new Replicator(config, name, `${name}#1`, null);
    replicas.set(name, r);
    r.self = refOf(name, name, i + 1);
  });
  names.forEach((name) => names.forEach((other, j) => other !== name && replicas.get(name)!.peers.set(other, refOf(other, name, j + 1))));
  const settle = () => new Promise((r) => setTimeout(r, 5));
  return { replicas: names.map((n) => replicas.get(n)!), cut, settle };
}

test('simulated network: updates dropped during a cut are repaired by gossip once it heals; a write to all times out meanwhile', async (t) => {
  const { replicas, cut, settle } = network(['n1:1', 'n2:1', 'n3:1']);
  t.after(() => replicas.forEach((r) => r.close()));
  const [a, b, c] = replicas as [Replicator, Replicator, Replicator];
  const hits = crdtKey('hits', 'GCounter');
  await a.update(hits, 'increment', [1], 'local', 1000);
  await new Promise((r) => setImmediate(r));
  await settle();
  assert.deepEqual(await Promise.all(replicas.map((r) => r.get(hits, 'local', 1000))), [1, 1, 1], 'eager sync');

  cut.add('n3:1');
  for (let i = 0; i < 10; i++) {
    await a.update(hits, 'increment', [1], 'local', 1000);
    await c.update(hits, 'increment', [100], 'local', 1000);
  }
  await assert.rejects(c.update(hits, 'increment', [1000], 'all', 50), { code: 'ERR_REPLICATION_TIMEOUT' });
  await assert.rejects(a.get(hits, 'all', 50), { code: 'ERR_REPLICATION_TIMEOUT' });
  assert.equal(await a.get(hits, 'majority', 1000), 11, 'a and b agree');
  await new Promise((r) => setImmediate(r));
  await settle();
  assert.equal(await c.get(hits, 'local', 1000), 2001, 'c alone: its own updates, the timed-out one included');

  cut.clear(); // what was sent while cut is gone: only gossip brings it
  await settle();
  assert.equal(await b.get(hits, 'local', 1000), 11);
  b.gossipRound(); // b → a (its first peer in order): nothing differs
  c.gossipRound(); // c → n1: a and c exchange
  await settle();
  assert.equal(await a.get(hits, 'local', 1000), 2011);
  assert.equal(await b.get(hits, 'local', 1000), 11, 'b has not gossiped with either since');
  b.gossipRound(); // b → n3
  await settle();
  assert.deepEqual(await Promise.all(replicas.map((r) => r.get(hits, 'local', 1000))), [2011, 2011, 2011]);
});

test('simulated network: with replicationFactor 2 a key lives on its 2 replicas; the third node forwards updates and reads them', async (t) => {
  const { replicas, settle } = network(['n1:1', 'n2:1', 'n3:1'], { replicationFactor: 2 });
  t.after(() => replicas.forEach((r) => r.close()));
  const key = crdtKey('k', 'PNCounter');
  const holders = replicas[0]!.replicasOf('k');
  const outsider = replicas.find((r) => !holders.includes(r.address))!;
  // Forwarding asks the replica's ref: the simulated refs answer an ask by running the update there.
  for (const [address, ref] of outsider.peers)
    (ref as unknown as { ask: (m: { key: typeof key; op: string; args: unknown[] }) => Promise<unknown> }).ask = async (m) => ({
      ok: true,
      value: await replicas.find((r) => r.address === address)!.update(m.key, m.op, m.args, 'local', 1000),
    });
  assert.equal(await outsider.update(key, 'increment', [3], 'local', 1000), 3);
  await new Promise((r) => setImmediate(r));
  await settle();
  assert.equal(outsider.keys.has('k'), false, 'the outsider holds nothing');
  for (const r of replicas.filter((r) => holders.includes(r.address))) assert.equal(await r.get(key, 'local', 1000), 3);
  assert.equal(await outsider.get(key, 'majority', 1000), 3, 'read from the replicas');
});
