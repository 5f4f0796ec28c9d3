/**
 * Counters that replicas update on their own and merge in any order, any number of times, to the
 * same value (state-based CRDTs: merge is commutative, associative and idempotent). Plain data:
 * they travel in messages and journals as they are. `replica` names the node or actor that
 * updates (each replica updates only its own entry).
 */

/** A grow-only counter: per replica, the sum of its increments. */
export type GCounter = Readonly<Record<string, number>>;

export const GCounter = {
  empty(): GCounter {
    return {};
  },
  increment(counter: GCounter, replica: string, by = 1): GCounter {
    if (!(Number.isFinite(by) && by >= 0)) throw new RangeError(`GCounter.increment: by must be a finite number ≥ 0, got ${by}`);
    return { ...counter, [replica]: (counter[replica] ?? 0) + by };
  },
  value(counter: GCounter): number {
    let sum = 0;
    for (const key in counter) sum += counter[key]!;
    return sum;
  },
  /** Per replica, the larger count. */
  merge(a: GCounter, b: GCounter): GCounter {
    const out: Record<string, number> = { ...a };
    for (const key in b) out[key] = Math.max(out[key] ?? 0, b[key]!);
    return out;
  },
};

/** A counter that also goes down: two grow-only counters, of increments and of decrements. */
export interface PNCounter {
  readonly p: GCounter;
  readonly n: GCounter;
}

export const PNCounter = {
  empty(): PNCounter {
    return { p: {}, n: {} };
  },
  increment(counter: PNCounter, replica: string, by = 1): PNCounter {
    return by >= 0
      ? { p: GCounter.increment(counter.p, replica, by), n: counter.n }
      : { p: counter.p, n: GCounter.increment(counter.n, replica, -by) };
  },
  decrement(counter: PNCounter, replica: string, by = 1): PNCounter {
    return PNCounter.increment(counter, replica, -by);
  },
  value(counter: PNCounter): number {
    return GCounter.value(counter.p) - GCounter.value(counter.n);
  },
  merge(a: PNCounter, b: PNCounter): PNCounter {
    return { p: GCounter.merge(a.p, b.p), n: GCounter.merge(a.n, b.n) };
  },
};
