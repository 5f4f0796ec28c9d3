import { performance } from 'node:perf_hooks';
import { CURRENT } from '../../native-free-core/layout/stats-layout.js';
import { HANDLED } from '../../native-free-core/layout/metrics-layout.js';
import { Deque } from '../mailbox/deque.js';
import type { KindMetrics } from './kind-metrics.js';
import type { SeededTurns } from './seeded-turns.js';
import { HEAVY_LOOP_MS, type TimedHost, type Turnable, TurnTimer } from './turn-timer.js';

export type { Turnable } from './turn-timer.js';

/** Heavy mode: runActors' message budget (time bounds it). */
const HEAVY_BUDGET = 1 << 30;

/**
 * The actors of one thread that have work, in the order they take turns, and the turns
 * themselves: round robin, each turn bounded by the actor's throughput (light mode) or by time
 * (heavy mode, see turn-timer.ts). The actor whose turn runs is `current`.
 */
export class RunQueue<C extends Turnable> {
  private readonly queue = new Deque<C>();
  /** The run queue's head when it holds one cell (see `schedule`). */
  private next: C | null = null;
  /** The actor whose turn (or start) runs now. */
  current: C | null = null;
  /** Messages handled so far. */
  processed = 0;
  /** The metrics region each turn's messages are added to, at the cell's metricsBase (empty: never written). */
  private kindWords: Float64Array = new Float64Array(0);
  readonly timer: TurnTimer;
  /** Deterministic mode: which actor runs next and how long its turn is come from here (null: round robin). */
  seeded: SeededTurns | null = null;

  constructor(
    host: TimedHost,
    /** This thread's stats slot (CURRENT: which actor runs, for the watchdog). */
    private readonly stats: Float64Array,
    /** Work appeared while the thread may be parked. */
    private readonly wake: () => void,
  ) {
    this.timer = new TurnTimer(host);
  }

  /** Counts each actor turn's messages, and observes its timed turns, in `metrics`. */
  countInto(metrics: KindMetrics): void {
    this.kindWords = metrics.words;
    this.timer.metrics = metrics;
  }

  get length(): number {
    return (this.next === null ? 0 : 1) + this.queue.length;
  }

  get hasRunnable(): boolean {
    return this.next !== null || this.queue.length > 0;
  }

  schedule(cell: C): void {
    // The head of the run queue lives in `next` while the deque is empty: a ping-pong hands the
    // turn over without a deque push and shift. Queued, then marked: a handler the watchdog
    // interrupts between the two (inside a `tell`) leaves at worst a second entry, an extra
    // turn; marked first, it could leave a cell marked scheduled that no queue holds, never to
    // run again.
    if (this.next === null && this.queue.length === 0) this.next = cell;
    else this.queue.push(cell);
    cell.scheduled = true;
    this.wake();
  }

  /**
   * Runs actors until about `budget` messages were handled; returns how many. In heavy mode the
   * call also ends after the turn that ends past HEAVY_LOOP_MS, or once each actor queued at the
   * start had a turn: the loop turns again soon, so other threads' records, control requests and
   * the watchdog's view stay fresh.
   */
  runActors(budget: number): number {
    if (this.seeded !== null) return this.runSeeded(budget, this.seeded);
    let total = 0;
    const queue = this.queue;
    const stats = this.stats;
    const timer = this.timer;
    const kindWords = this.kindWords;
    const loopEnd = timer.heavyMode ? performance.now() + HEAVY_LOOP_MS : 0;
    // Heavy mode bounds the call in time, not in messages: a count would starve fast actors beside
    // slow ones. And to one turn for each actor queued at the start: a slow actor that is always
    // runnable would otherwise take a second turn while a fast one waits for the rings to be read
    // again (its messages come from them), and take two thirds of the thread.
    let rotation = queue.length + (this.next !== null ? 1 : 0);
    if (loopEnd !== 0) budget = HEAVY_BUDGET;
    try {
      while (total < budget) {
        let cell = this.next;
        if (cell !== null) this.next = null;
        else if (queue.length > 0) cell = queue.shift()!;
        else break;
        cell.scheduled = false;
        this.current = cell;
        // Which actor runs, on which type of message (the watchdog's word; one store per turn).
        stats[CURRENT] = cell.currentStamp;
        // A turn takes no more than what is left of the loop turn's budget (a slow actor with a
        // long backlog would otherwise hold the thread for its whole quarter-of-backlog turn).
        const n = timer.due() ? timer.run(cell, budget - total) : cell.run(budget - total);
        total += n;
        // Per kind, once per turn (one branch without monitoring: metricsBase is -1).
        const base = cell.metricsBase;
        if (base >= 0) kindWords[base + HANDLED]! += n;
        if (!cell.scheduled && cell.runnable) {
          // Back of the run queue: the others get their turn first (queued, then marked: see schedule).
          if (this.next === null && queue.length === 0) this.next = cell;
          else queue.push(cell);
          cell.scheduled = true;
        }
        if (loopEnd !== 0 && (timer.timedAt >= loopEnd || --rotation <= 0)) break;
      }
    } finally {
      this.current = null;
      // Between turns (the cells stamp CURRENT per message; see stats-layout.ts).
      stats[CURRENT] = 0;
      this.processed += total;
    }
    return total;
  }

  /**
   * Deterministic mode: each turn goes to a runnable actor the seed chooses, for 1 to a few
   * messages, untimed (time must not steer a replayable run), until `budget` messages.
   */
  private runSeeded(budget: number, seeded: SeededTurns): number {
    let total = 0;
    const queue = this.queue;
    try {
      while (total < budget && this.hasRunnable) {
        let k = seeded.pick(this.length);
        let cell: C;
        if (this.next !== null && k === 0) {
          cell = this.next;
          this.next = null;
        } else {
          if (this.next !== null) k--;
          cell = queue.takeAt(k)!;
        }
        cell.scheduled = false;
        this.current = cell;
        this.stats[CURRENT] = cell.currentStamp;
        const n = cell.run(Math.min(seeded.cap(), budget - total));
        seeded.note(cell.id, n);
        total += n;
        const base = cell.metricsBase;
        if (base >= 0) this.kindWords[base + HANDLED]! += n;
        if (!cell.scheduled && cell.runnable) {
          queue.push(cell);
          cell.scheduled = true;
        }
      }
    } finally {
      this.current = null;
      this.stats[CURRENT] = 0;
      this.processed += total;
    }
    return total;
  }
}
