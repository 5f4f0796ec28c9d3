/** A binary min-heap by `before(a, b)`: the timer queue and the priority mailbox use it. */
export class BinaryHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get length(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  /** Removes every item `drop` selects, then restores the heap order (O(n)). */
  removeWhere(drop: (item: T) => boolean): void {
    const items = this.items;
    let kept = 0;
    for (let i = 0; i < items.length; i++) if (!drop(items[i]!)) items[kept++] = items[i]!;
    items.length = kept;
    for (let start = (kept >> 1) - 1; start >= 0; start--) {
      for (let i = start; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < kept && this.before(items[l]!, items[best]!)) best = l;
        if (r < kept && this.before(items[r]!, items[best]!)) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best]!, items[i]!];
        i = best;
      }
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l]!, items[best]!)) best = l;
        if (r < items.length && this.before(items[r]!, items[best]!)) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best]!, items[i]!];
        i = best;
      }
    }
    return top;
  }
}
