/**
 * Last-writer-wins values (state-based CRDTs): each write carries a timestamp and its replica;
 * merge keeps the later write, the larger replica name breaking a tie, so every replica settles
 * on the same value. The timestamp is the caller's (a clock, or a counter); a write is ignored
 * by a merge with a later one, so clocks that drift lose writes — as LWW does everywhere.
 */

export interface LWWRegister<T> {
  readonly value: T;
  readonly at: number;
  readonly replica: string;
}

/** Whether write (atA, replicaA) comes after (atB, replicaB). */
const later = (atA: number, replicaA: string, atB: number, replicaB: string): boolean => atA > atB || (atA === atB && replicaA > replicaB);

export const LWWRegister = {
  of<T>(value: T, replica: string, at: number = Date.now()): LWWRegister<T> {
    return { value, at, replica };
  },
  set<T>(register: LWWRegister<T>, value: T, replica: string, at: number = Date.now()): LWWRegister<T> {
    // A write never goes back in time on its own replica's register: at least one past the last.
    const when = at > register.at ? at : register.at + 1;
    return { value, at: when, replica };
  },
  merge<T>(a: LWWRegister<T>, b: LWWRegister<T>): LWWRegister<T> {
    return later(b.at, b.replica, a.at, a.replica) ? b : a;
  },
};

/** A map of last-writer-wins entries; a removal is a write of a tombstone. */
export interface LWWMap<T> {
  readonly entries: Readonly<Record<string, LWWRegister<{ readonly v: T } | null>>>;
}

export const LWWMap = {
  empty<T>(): LWWMap<T> {
    return { entries: {} };
  },
  set<T>(map: LWWMap<T>, key: string, value: T, replica: string, at: number = Date.now()): LWWMap<T> {
    const old = map.entries[key];
    const entry =
      old === undefined ? LWWRegister.of<{ v: T } | null>({ v: value }, replica, at) : LWWRegister.set(old, { v: value }, replica, at);
    return { entries: { ...map.entries, [key]: entry } };
  },
  remove<T>(map: LWWMap<T>, key: string, replica: string, at: number = Date.now()): LWWMap<T> {
    const old = map.entries[key];
    const entry = old === undefined ? LWWRegister.of<{ v: T } | null>(null, replica, at) : LWWRegister.set(old, null, replica, at);
    return { entries: { ...map.entries, [key]: entry } };
  },
  get<T>(map: LWWMap<T>, key: string): T | undefined {
    return map.entries[key]?.value?.v;
  },
  /** The live entries, by key. */
  toObject<T>(map: LWWMap<T>): Record<string, T> {
    const out: Record<string, T> = {};
    for (const key of Object.keys(map.entries).sort()) {
      const value = map.entries[key]!.value;
      if (value !== null) out[key] = value.v;
    }
    return out;
  },
  merge<T>(a: LWWMap<T>, b: LWWMap<T>): LWWMap<T> {
    const entries: Record<string, LWWRegister<{ v: T } | null>> = { ...a.entries };
    for (const key in b.entries)
      entries[key] = entries[key] === undefined ? b.entries[key]! : LWWRegister.merge(entries[key]!, b.entries[key]!);
    return { entries };
  },
};
