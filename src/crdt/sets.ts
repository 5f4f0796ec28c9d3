/**
 * Sets that replicas update on their own and merge to the same value (state-based CRDTs). Plain
 * data, elements compared as strings (`key` turns an element into one: JSON by default), so
 * they travel in messages and journals as they are.
 */

const keyOf = (element: unknown): string => JSON.stringify(element);

/** A grow-only set: elements are added, never removed; merge is the union. */
export interface GSet<T> {
  readonly elements: Readonly<Record<string, T>>;
}

export const GSet = {
  empty<T>(): GSet<T> {
    return { elements: {} };
  },
  add<T>(set: GSet<T>, element: T): GSet<T> {
    return { elements: { ...set.elements, [keyOf(element)]: element } };
  },
  has<T>(set: GSet<T>, element: T): boolean {
    return Object.hasOwn(set.elements, keyOf(element));
  },
  values<T>(set: GSet<T>): T[] {
    return Object.keys(set.elements)
      .sort()
      .map((k) => set.elements[k]!);
  },
  merge<T>(a: GSet<T>, b: GSet<T>): GSet<T> {
    return { elements: { ...a.elements, ...b.elements } };
  },
};

/**
 * An observed-remove set (add wins): each add is tagged with a unique dot (replica and its own
 * counter); a remove removes the dots it has seen. An add concurrent with a remove survives it.
 * Removed dots are remembered per replica as a version (the highest counter seen), so the state
 * stays bounded by the live elements plus one number per replica.
 */
export interface ORSet<T> {
  /** Element key → [element, its live dots ("replica:counter")]. */
  readonly entries: Readonly<Record<string, readonly [T, readonly string[]]>>;
  /** Per replica, the highest counter of its adds this state has seen (live or removed). */
  readonly seen: Readonly<Record<string, number>>;
}

function dot(replica: string, counter: number): string {
  return `${replica}:${counter}`;
}
function parseDot(d: string): [string, number] {
  const at = d.lastIndexOf(':');
  return [d.slice(0, at), Number(d.slice(at + 1))];
}

export const ORSet = {
  empty<T>(): ORSet<T> {
    return { entries: {}, seen: {} };
  },
  add<T>(set: ORSet<T>, replica: string, element: T): ORSet<T> {
    const counter = (set.seen[replica] ?? 0) + 1;
    const k = keyOf(element);
    const dots = set.entries[k]?.[1] ?? [];
    return { entries: { ...set.entries, [k]: [element, [...dots, dot(replica, counter)]] }, seen: { ...set.seen, [replica]: counter } };
  },
  /** Removes the element's dots this replica has seen (an add elsewhere it has not seen survives). */
  remove<T>(set: ORSet<T>, element: T): ORSet<T> {
    const k = keyOf(element);
    if (!Object.hasOwn(set.entries, k)) return set;
    const entries = { ...set.entries };
    delete entries[k];
    return { entries, seen: set.seen };
  },
  has<T>(set: ORSet<T>, element: T): boolean {
    return Object.hasOwn(set.entries, keyOf(element));
  },
  values<T>(set: ORSet<T>): T[] {
    return Object.keys(set.entries)
      .sort()
      .map((k) => set.entries[k]![0]);
  },
  /**
   * A dot is live in the merge if both sides have it, or one side has it and the other has not
   * seen it yet (its replica's counter there is lower): a side that saw it and lacks it removed it.
   */
  merge<T>(a: ORSet<T>, b: ORSet<T>): ORSet<T> {
    const entries: Record<string, readonly [T, readonly string[]]> = {};
    const keys = new Set([...Object.keys(a.entries), ...Object.keys(b.entries)]);
    for (const k of keys) {
      const ea = a.entries[k];
      const eb = b.entries[k];
      const inA = new Set(ea?.[1] ?? []);
      const inB = new Set(eb?.[1] ?? []);
      const live: string[] = [];
      for (const d of new Set([...inA, ...inB])) {
        const [replica, counter] = parseDot(d);
        const keep = inA.has(d) && inB.has(d) ? true : inA.has(d) ? counter > (b.seen[replica] ?? 0) : counter > (a.seen[replica] ?? 0);
        if (keep) live.push(d);
      }
      if (live.length > 0) entries[k] = [(ea ?? eb)![0], live.sort()];
    }
    const seen: Record<string, number> = { ...a.seen };
    for (const r in b.seen) seen[r] = Math.max(seen[r] ?? 0, b.seen[r]!);
    return { entries, seen };
  },
};
