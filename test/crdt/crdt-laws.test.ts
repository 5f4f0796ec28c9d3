// The replicated data types' laws, on random operations: merge is commutative, associative and
// idempotent, replicas that saw the same updates converge whatever the order of merges, and each
// type means what it says (a PN counter counts, an OR-set's concurrent add wins over a remove,
// LWW keeps the later write with the replica breaking ties). Seeded: BACTOR_SEED=<n> replays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GCounter, GSet, LWWMap, LWWRegister, ORSet, PNCounter } from '../../src/crdt/index.js';
import { Prng, testSeed } from '../helpers/prng.js';

interface Type<S> {
  name: string;
  empty(): S;
  /** A random update by `replica` (its step `step`). */
  update(state: S, replica: string, rng: Prng, step: number): S;
  merge(a: S, b: S): S;
  /** What users read: equal values mean converged. */
  read(state: S): unknown;
}

const REPLICAS = ['a', 'b', 'c'];
const types: Type<unknown>[] = [
  {
    name: 'GCounter',
    empty: GCounter.empty,
    update: (s, r, rng) => GCounter.increment(s as GCounter, r, rng.int(5)),
    merge: GCounter.merge,
    read: GCounter.value,
  } as Type<unknown>,
  {
    name: 'PNCounter',
    empty: PNCounter.empty,
    update: (s, r, rng) => PNCounter.increment(s as PNCounter, r, rng.int(7) - 3),
    merge: PNCounter.merge,
    read: PNCounter.value,
  } as Type<unknown>,
  {
    name: 'GSet',
    empty: GSet.empty,
    update: (s, _r, rng) => GSet.add(s as GSet<number>, rng.int(20)),
    merge: GSet.merge,
    read: GSet.values,
  } as Type<unknown>,
  {
    name: 'ORSet',
    empty: ORSet.empty,
    update: (s, r, rng) =>
      rng.int(3) === 0 ? ORSet.remove(s as ORSet<number>, rng.int(10)) : ORSet.add(s as ORSet<number>, r, rng.int(10)),
    merge: ORSet.merge,
    read: ORSet.values,
  } as Type<unknown>,
  {
    name: 'LWWRegister',
    empty: () => LWWRegister.of(0, 'init', 0),
    update: (s, r, rng, step) => LWWRegister.set(s as LWWRegister<number>, rng.int(1000), r, step * 10 + rng.int(10)),
    merge: LWWRegister.merge,
    read: (s) => (s as LWWRegister<number>).value,
  } as Type<unknown>,
  {
    name: 'LWWMap',
    empty: LWWMap.empty,
    update: (s, r, rng, step) =>
      rng.int(4) === 0
        ? LWWMap.remove(s as LWWMap<number>, `k${rng.int(5)}`, r, step)
        : LWWMap.set(s as LWWMap<number>, `k${rng.int(5)}`, rng.int(100), r, step),
    merge: LWWMap.merge,
    read: LWWMap.toObject,
  } as Type<unknown>,
];

/** Random states of a type: replicas updating and merging at random for `steps` steps. */
function randomStates(type: Type<unknown>, rng: Prng, steps: number): unknown[] {
  const states = REPLICAS.map(() => type.empty());
  for (let step = 1; step <= steps; step++) {
    const i = rng.int(REPLICAS.length);
    if (rng.int(4) === 0) states[i] = type.merge(states[i], states[rng.int(REPLICAS.length)]);
    else states[i] = type.update(states[i], REPLICAS[i]!, rng, step);
  }
  return states;
}

for (const type of types) {
  test(`${type.name}: merge is commutative, associative and idempotent; replicas converge in any merge order`, (t) => {
    const seed = testSeed();
    t.diagnostic(`seed ${seed}`);
    const rng = new Prng(seed);
    for (let round = 0; round < 200; round++) {
      const [a, b, c] = randomStates(type, rng, 5 + rng.int(40));
      const read = (s: unknown): string => JSON.stringify(type.read(s));
      assert.equal(read(type.merge(a, b)), read(type.merge(b, a)), `commutative (seed ${seed}, round ${round})`);
      assert.equal(
        read(type.merge(type.merge(a, b), c)),
        read(type.merge(a, type.merge(b, c))),
        `associative (seed ${seed}, round ${round})`,
      );
      assert.equal(read(type.merge(a, a)), read(a), `idempotent (seed ${seed}, round ${round})`);
      // Everyone gets everyone's state, in a random order: one value.
      const order = [a, b, c]
        .map((s) => ({ s, k: rng.int(1000) }))
        .sort((x, y) => x.k - y.k)
        .map((x) => x.s);
      const left = order.reduce((acc, s) => type.merge(acc, s));
      const right = [...order].reverse().reduce((acc, s) => type.merge(s, acc));
      assert.equal(read(left), read(right), `converges (seed ${seed}, round ${round})`);
    }
  });
}

test('what the types mean: counts, add-wins, last writer wins', () => {
  let a = PNCounter.increment(PNCounter.empty(), 'a', 5);
  let b = PNCounter.decrement(PNCounter.empty(), 'b', 2);
  a = PNCounter.increment(a, 'a');
  b = PNCounter.merge(b, a);
  assert.equal(PNCounter.value(PNCounter.merge(a, b)), 4);
  assert.throws(() => GCounter.increment({}, 'a', -1), RangeError);

  // OR-set: b removes x having seen a's add; a adds x again concurrently: the new add survives.
  const a1 = ORSet.add(ORSet.empty<string>(), 'a', 'x');
  const b1 = ORSet.remove(ORSet.merge(ORSet.empty<string>(), a1), 'x');
  const a2 = ORSet.add(a1, 'a', 'x');
  assert.deepEqual(ORSet.values(ORSet.merge(a2, b1)), ['x'], 'the concurrent add wins');
  assert.deepEqual(ORSet.values(ORSet.merge(a1, b1)), [], 'the add it saw is removed');
  assert.deepEqual(ORSet.values(ORSet.merge(b1, a1)), []);

  // LWW: the later write; the same time: the larger replica name.
  const r1 = LWWRegister.of('one', 'a', 10);
  const r2 = LWWRegister.set(r1, 'two', 'b', 5); // on this replica's register a write moves past the last one
  assert.equal(r2.at, 11);
  assert.equal(LWWRegister.merge(LWWRegister.of('x', 'a', 20), LWWRegister.of('y', 'b', 20)).value, 'y');
  let m = LWWMap.set(LWWMap.empty<number>(), 'k', 1, 'a', 1);
  const n = LWWMap.remove(m, 'k', 'b', 2);
  m = LWWMap.set(m, 'j', 2, 'a', 3);
  assert.deepEqual(LWWMap.toObject(LWWMap.merge(m, n)), { j: 2 });
  assert.equal(LWWMap.get(LWWMap.merge(n, m), 'k'), undefined);
  // Plain data: a state goes through JSON (and so through messages) unchanged.
  const orset = ORSet.add(ORSet.add(ORSet.empty<{ id: number }>(), 'a', { id: 1 }), 'b', { id: 2 });
  assert.deepEqual(JSON.parse(JSON.stringify(orset)), orset);
});
