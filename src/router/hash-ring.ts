/** FNV-1a, 32 bits: a fast, well-spread hash for routing keys. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so nearby keys land far apart on the ring.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A consistent-hash ring with virtual nodes: each member owns `virtualNodes` points; a key goes
 * to the first point at or after its hash. Adding a member moves only the keys that land on its
 * new points (about 1/n of them).
 */
export class HashRing<T> {
  private points: number[] = [];
  private owners: T[] = [];

  constructor(
    members: readonly T[],
    private readonly idOf: (member: T) => string,
    private readonly virtualNodes = 100,
  ) {
    this.rebuild(members);
  }

  rebuild(members: readonly T[]): void {
    const entries: [number, T][] = [];
    for (const m of members) for (let v = 0; v < this.virtualNodes; v++) entries.push([fnv1a(`${this.idOf(m)}#${v}`), m]);
    entries.sort((a, b) => a[0] - b[0]);
    this.points = entries.map((e) => e[0]);
    this.owners = entries.map((e) => e[1]);
  }

  /** The member that owns `key`. */
  lookup(key: string): T | undefined {
    const n = this.points.length;
    if (n === 0) return undefined;
    const h = fnv1a(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === n ? 0 : lo];
  }
}
