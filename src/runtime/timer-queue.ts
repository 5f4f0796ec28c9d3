import { BinaryHeap } from '../util/binary-heap.js';
import type { Clock } from './clock.js';

/** What a timer may run when it is due, without a closure of its own (an ask's slot). */
export interface TimerTask {
  fire(): void;
}

interface Timer {
  at: number;
  seq: number;
  /** What runs when it is due; null once it fired or was cancelled. */
  fn: (() => void) | TimerTask | null;
}

/** A timer of `scheduleTask`, to pass to `cancelTimer`. */
export type TimerEntry = Readonly<Pick<Timer, 'at'>>;

/**
 * Cancelled timers stay in the heap until they reach its top (popped there, at the next cancel
 * or look) or until they are more than this many and more than half of it: then the heap is
 * rebuilt without them.
 */
const PURGE_MIN = 1024;

/**
 * The runtime's own timers (a min-heap by deadline): actor timers, receive timeouts, ask
 * timeouts and restart backoff. The thread's loop fires what is due and parks no longer than
 * the next deadline, so timers work while a worker blocks in Atomics.wait, and a manual clock
 * drives them in tests.
 *
 * A cancelled timer lets go of its function at once (an answered ask's timeout closure holds
 * the ask's promise, message and ref: ~0.5 KB), and cancelled timers are purged from the heap
 * when they outnumber the live ones: a thread that never parks (where `untilNext` drops them)
 * and cancels timers faster than they come due — asks answered long before their timeout, a
 * receive timeout reset by every message — would otherwise keep rate × timeout of them.
 */
export class TimerQueue {
  private readonly heap = new BinaryHeap<Timer>((a, b) => (a.at !== b.at ? a.at < b.at : a.seq < b.seq));
  private seq = 0;
  /** Cancelled timers still in the heap. */
  private cancelled = 0;

  constructor(readonly clock: Clock) {}

  /** Live timers (scheduled, neither fired nor cancelled). */
  get size(): number {
    return this.heap.length - this.cancelled;
  }

  schedule(delayMs: number, fn: () => void): { cancel(): void } {
    const timer = this.add(delayMs, fn);
    return { cancel: () => this.cancelTimer(timer) };
  }

  /** As `schedule`, without a handle or a closure per timer (an ask's timeout): cancel it with `cancelTimer`. */
  scheduleTask(delayMs: number, task: TimerTask): TimerEntry {
    return this.add(delayMs, task);
  }

  private add(delayMs: number, fn: (() => void) | TimerTask): Timer {
    const timer: Timer = { at: this.clock.now() + Math.max(0, delayMs), seq: this.seq++, fn };
    this.heap.push(timer);
    return timer;
  }

  /** Cancels a timer (nothing if it fired or was cancelled). */
  cancelTimer(entry: TimerEntry): void {
    const timer = entry as Timer;
    if (timer.fn === null) return; // fired, or cancelled before
    timer.fn = null;
    this.cancelled++;
    // Cancelled timers at the top go now: sequential asks then keep a heap of one, not of
    // PURGE_MIN cancelled ones that every push and pop walks through.
    const heap = this.heap;
    while (heap.length > 0 && heap.peek()!.fn === null) {
      heap.pop();
      this.cancelled--;
    }
    if (this.cancelled > PURGE_MIN && this.cancelled * 2 > heap.length) {
      this.heap.removeWhere((t) => t.fn === null);
      this.cancelled = 0;
    }
  }

  /** Milliseconds until the next live timer (Infinity when none). */
  untilNext(): number {
    while (this.heap.length > 0 && this.heap.peek()!.fn === null) {
      this.heap.pop();
      this.cancelled--;
    }
    const next = this.heap.peek();
    return next === undefined ? Infinity : Math.max(0, next.at - this.clock.now());
  }

  /** Fires every timer that is due; returns how many fired. */
  runDue(): number {
    // Called every loop turn: no clock read when nothing waits.
    if (this.heap.length === 0) return 0;
    const now = this.clock.now();
    let fired = 0;
    while (this.heap.length > 0 && this.heap.peek()!.at <= now) {
      const timer = this.heap.pop()!;
      const fn = timer.fn;
      if (fn === null) {
        this.cancelled--;
        continue;
      }
      timer.fn = null;
      fired++;
      if (typeof fn === 'function') fn();
      else fn.fire();
    }
    return fired;
  }
}
