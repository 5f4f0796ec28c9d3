/**
 * A growable circular FIFO of pairs: the message and its sender side by side, so enqueueing a
 * local message allocates nothing once the deque has grown to its working size. Each pair has
 * a tag beside it: the message's slot in the thread's ledger of taken messages, or -1.
 */
import { taken } from './taken-slot.js';

const EMPTY: readonly unknown[] = Object.freeze([]);
const NO_TAGS = new Int32Array(0);

export class PairDeque<A, B> {
  private a: (A | undefined)[];
  private b: (B | undefined)[];
  private t: Int32Array = NO_TAGS;
  private head = 0;
  private size = 0;

  /** Storage is allocated on the first push: an idle actor's empty mailbox costs no arrays. */
  constructor() {
    this.a = EMPTY as (A | undefined)[];
    this.b = EMPTY as (B | undefined)[];
  }

  get length(): number {
    return this.size;
  }

  /** Appends a pair; its tag is the slot of the message being taken off a ring, if any (taken.slot, which it consumes). */
  push(a: A, b: B): void {
    if (this.size === this.a.length) this.grow();
    const i = (this.head + this.size) & (this.a.length - 1);
    this.a[i] = a;
    this.b[i] = b;
    const slot = taken.slot;
    this.t[i] = slot;
    if (slot >= 0) taken.slot = -1;
    this.size++;
  }

  /** Puts a pair at the front (unstash). */
  unshift(a: A, b: B): void {
    if (this.size === this.a.length) this.grow();
    this.head = (this.head - 1) & (this.a.length - 1);
    this.a[this.head] = a;
    this.b[this.head] = b;
    this.t[this.head] = -1;
    this.size++;
  }

  /** The `k`th pair from the front, without removing it. */
  at(k: number): A | undefined {
    return k < this.size ? this.a[(this.head + k) & (this.a.length - 1)] : undefined;
  }

  atB(k: number): B | undefined {
    return k < this.size ? this.b[(this.head + k) & (this.a.length - 1)] : undefined;
  }

  /** First of the front pair (call before `shift`). */
  peekA(): A | undefined {
    return this.size === 0 ? undefined : this.a[this.head];
  }

  peekB(): B | undefined {
    return this.size === 0 ? undefined : this.b[this.head];
  }

  /** Second half of the pair the last `take` removed. */
  taken: B | undefined = undefined;
  /** The tag of the pair the last `take` or `shift` removed. */
  takenTag = -1;

  /** Removes the front pair: returns its first half, leaves the second in `taken`. */
  take(): A | undefined {
    if (this.size === 0) {
      this.takenTag = -1;
      return undefined;
    }
    const i = this.head;
    const a = this.a[i];
    this.taken = this.b[i];
    this.takenTag = this.t[i]!;
    this.a[i] = undefined;
    this.b[i] = undefined;
    this.head = (i + 1) & (this.a.length - 1);
    this.size--;
    return a;
  }

  /** Drops the front pair. */
  shift(): void {
    if (this.size === 0) {
      this.takenTag = -1;
      return;
    }
    this.takenTag = this.t[this.head]!;
    this.a[this.head] = undefined;
    this.b[this.head] = undefined;
    this.head = (this.head + 1) & (this.a.length - 1);
    this.size--;
  }

  clear(): void {
    while (this.size > 0) this.shift();
  }

  private grow(): void {
    const n = this.a.length;
    const cap = n === 0 ? 4 : n * 2;
    const a = new Array<A | undefined>(cap).fill(undefined);
    const b = new Array<B | undefined>(cap).fill(undefined);
    const t = new Int32Array(cap);
    for (let k = 0; k < this.size; k++) {
      a[k] = this.a[(this.head + k) & (n - 1)];
      b[k] = this.b[(this.head + k) & (n - 1)];
      t[k] = this.t[(this.head + k) & (n - 1)]!;
    }
    this.a = a;
    this.b = b;
    this.t = t;
    this.head = 0;
  }
}

/** A growable circular FIFO of single items (the run queue, system messages). */
export class Deque<T> {
  private items: (T | undefined)[] = EMPTY as (T | undefined)[];
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & (this.items.length - 1)] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.size--;
    return item;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  /** The `k`th item from the front, without removing it. */
  at(k: number): T | undefined {
    return k < this.size ? this.items[(this.head + k) & (this.items.length - 1)] : undefined;
  }

  /** Removes the `k`th item from the front; the front item takes its place (the deterministic run queue's pick). */
  takeAt(k: number): T | undefined {
    if (k >= this.size) return undefined;
    const at = (this.head + k) & (this.items.length - 1);
    const item = this.items[at];
    this.items[at] = this.items[this.head];
    this.shift();
    return item;
  }

  private grow(): void {
    const n = this.items.length;
    const items = new Array<T | undefined>(n === 0 ? 4 : n * 2).fill(undefined);
    for (let k = 0; k < this.size; k++) items[k] = this.items[(this.head + k) & (n - 1)];
    this.items = items;
    this.head = 0;
  }
}
