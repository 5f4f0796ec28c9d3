import { BinaryHeap } from '../util/binary-heap.js';
import type { Clock } from './clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * The runtime's own timers (a min-heap by deadline): actor timers, receive timeouts, ask
 * timeouts and restart backoff. The thread's loop fires what is due and parks no longer than
 * the next deadline, so timers work while a worker blocks in Atomics.wait, and a manual clock
 * drives them in tests.
 */
export class TimerQueue {
  private readonly heap = new BinaryHeap<Timer>((a, b) => (a.at !== b.at ? a.at < b.at : a.seq < b.seq));
  private seq = 0;

  constructor(readonly clock: Clock) {}

  get size(): number {
    return this.heap.length;
  }

  schedule(delayMs: number, fn: () => void): { cancel(): void } {
    const timer: Timer = { at: this.clock.now() + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.heap.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Milliseconds until the next live timer (Infinity when none). */
  untilNext(): number {
    while (this.heap.length > 0 && this.heap.peek()!.cancelled) this.heap.pop();
    const next = this.heap.peek();
    return next === undefined ? Infinity : Math.max(0, next.at - this.clock.now());
  }

  /** Fires every timer that is due; returns how many fired. */
  runDue(): number {
    const now = this.clock.now();
    let fired = 0;
    while (this.heap.length > 0 && this.heap.peek()!.at <= now) {
      const timer = this.heap.pop()!;
      if (timer.cancelled) continue;
      fired++;
      timer.fn();
    }
    return fired;
  }
}
