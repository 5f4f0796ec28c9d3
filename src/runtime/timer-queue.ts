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
  private readonly heap: Timer[] = [];
  private seq = 0;

  constructor(readonly clock: Clock) {}

  get size(): number {
    return this.heap.length;
  }

  schedule(delayMs: number, fn: () => void): { cancel(): void } {
    const timer: Timer = { at: this.clock.now() + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Milliseconds until the next live timer (Infinity when none). */
  untilNext(): number {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap.length === 0 ? Infinity : Math.max(0, this.heap[0]!.at - this.clock.now());
  }

  /** Fires every timer that is due; returns how many fired. */
  runDue(): number {
    const now = this.clock.now();
    let fired = 0;
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const timer = this.pop()!;
      if (timer.cancelled) continue;
      fired++;
      timer.fn();
    }
    return fired;
  }

  private before(a: Timer, b: Timer): boolean {
    return a.at !== b.at ? a.at < b.at : a.seq < b.seq;
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < heap.length && this.before(heap[l]!, heap[best]!)) best = l;
        if (r < heap.length && this.before(heap[r]!, heap[best]!)) best = r;
        if (best === i) break;
        [heap[i], heap[best]] = [heap[best]!, heap[i]!];
        i = best;
      }
    }
    return top;
  }
}
