/** Ids per page of a CellTable: a page costs 2 KiB of pointers, and goes once all its ids are gone. */
const PAGE_BITS = 8;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

/**
 * A thread's actors by local id. Ids are dense and never reused (they grow from the thread's
 * watermark), so a flat array indexed by id would keep a slot — 8 bytes — for every actor the
 * thread ever spawned: 8 MB per million, until the id space runs out. Here ids are looked up in
 * pages of 256; a page whose actors have all stopped is dropped once ids have moved past it, so
 * the table holds what lives (plus at most a page per long-lived actor among stopped ones). A
 * lookup is two array loads instead of one; an id without a page (an ask slot's, a stopped
 * actor's) finds nothing, as before.
 */
export class CellTable<T> {
  private readonly pages: ((T | undefined)[] | undefined)[] = [];
  /** Entries set in each page. */
  private readonly counts: number[] = [];
  /** The highest page an entry was ever set in: ids still come there, so it is kept when empty. */
  private frontier = 0;

  get(id: number): T | undefined {
    const page = this.pages[id >>> PAGE_BITS];
    return page === undefined ? undefined : page[id & PAGE_MASK];
  }

  /** Sets the entry of `id`, which must be free (see `get`). */
  set(id: number, value: T): void {
    const p = id >>> PAGE_BITS;
    while (this.pages.length <= p) {
      this.pages.push(undefined);
      this.counts.push(0);
    }
    let page = this.pages[p];
    if (page === undefined) {
      page = [];
      for (let i = 0; i < PAGE_SIZE; i++) page.push(undefined);
      this.pages[p] = page;
    }
    page[id & PAGE_MASK] = value;
    this.counts[p]!++;
    if (p > this.frontier) this.frontier = p;
  }

  /** Clears the entry of `id` (which must be set); drops its page if it was the last one behind the frontier. */
  delete(id: number): void {
    const p = id >>> PAGE_BITS;
    this.pages[p]![id & PAGE_MASK] = undefined;
    if (--this.counts[p]! === 0 && p < this.frontier) this.pages[p] = undefined;
  }

  /** Pages currently held (for tests and memory figures). */
  get pageCount(): number {
    let n = 0;
    for (const page of this.pages) if (page !== undefined) n++;
    return n;
  }

  /** The set entries, by id. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const page of this.pages) {
      if (page === undefined) continue;
      for (const value of page) if (value !== undefined) yield value;
    }
  }
}
