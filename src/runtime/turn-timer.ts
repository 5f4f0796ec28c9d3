import { performance } from 'node:perf_hooks';
import { DEFAULT_BATCH } from './knob-defaults.js';
import type { KindMetrics } from './kind-metrics.js';

/**
 * About one actor turn in 256 is timed for the rebalancer (two clock reads); the gaps vary
 * (128–383 turns) so that actors taking turns in a fixed rhythm are not always or never timed.
 */
const LOAD_SAMPLE_MEAN = 256;
/**
 * Loop turns averaging more than this (ms per message) put a thread in heavy mode (see
 * noteLoopTurn). High enough that a GC pause over a loop turn of light messages stays under it
 * (50 ms over 4,096 messages is 12 µs each); low enough that a light loop turn (≤ 16,384
 * messages) stays under a second.
 */
const HEAVY_MS_PER_MESSAGE = 0.05;
/** Two light loop turns in a row longer than this (ms) switch to heavy mode too, whatever their average. */
const SLOW_LOOP_MS = 10;
/** Heavy mode: an actor whose recent turns took less than this per message runs a turn without a clock read per message. */
const FAST_MS_PER_MESSAGE = 0.01;
/** Heavy mode: an actor turn ends after the message that ends past this many ms. */
const HEAVY_TURN_MS = 1;
/** Heavy mode: the run queue returns after the actor turn that ends past this many ms. */
export const HEAVY_LOOP_MS = 2;

/** An actor as the run queue sees it and the turn timer see it (ActorCell). */
export interface Turnable {
  readonly id: number;
  /** In the run queue now. */
  scheduled: boolean;
  /** Has messages and is not held. */
  readonly runnable: boolean;
  readonly isStopped: boolean;
  /** Its kind's slot in the thread's metrics region (-1: not counted). */
  readonly metricsBase: number;
  /** What the watchdog reads while its turn runs (see stats-layout.ts CURRENT). */
  readonly currentStamp: number;
  /** Smoothed ms per message of its timed turns (0: none timed yet). */
  readonly msPerMessage: number;
  /** Runs a turn of up to `cap` messages (negative: exactly that many if it has them, no clock reads); returns how many. */
  run(cap: number): number;
  /** Runs messages until one ends past `deadline` (performance.now() ms). */
  runUntil(deadline: number): number;
  /** A timed turn took `ms` for `work` (messages taken + sent). */
  noteTurn(ms: number, work: number): void;
}

/** What the timer reads of its runtime. */
export interface TimedHost {
  /** Messages sent from this thread so far (a timed turn's work counts its sends). */
  readonly sends: number;
}

/**
 * When and how actor turns are timed, and the thread's mode. Light mode (the default) times
 * about one turn in 256, at random gaps, each sample standing for its gap in the per-actor load
 * the rebalancer reads. Heavy mode — loop turns averaging more than HEAVY_MS_PER_MESSAGE, or a
 * sampled slow actor, or the watchdog's restart policy — times every turn and bounds it in time
 * (HEAVY_TURN_MS; a clock read per message is nothing next to such handlers), and the run queue
 * bounds loop turns by HEAVY_LOOP_MS. Windows of light turns switch back.
 */
export class TurnTimer {
  /** Actor turns until the next timed one, and the xorshift state that spaces them. */
  private untilTimed = 1;
  private loadSeed = 0x9e3779b9;
  private heavy = false;
  /** Light loop turns in a row that averaged heavy (see noteLoopTurn). */
  private modeStreak = 0;
  /** Heavy mode: timed milliseconds and messages of the current window (see noteHeavyTurn). */
  private windowMs = 0;
  private windowMessages = 0;
  /** Heavy mode: the highest ms per message of a turn in the current window. */
  private windowSlowest = 0;
  private forcedHeavy = false;
  /** Sampled handler milliseconds per local actor id since the last takeLoad. */
  private readonly load = new Map<number, number>();
  /** Milliseconds in actor turns so far, estimated from the timed turns (the HANDLER_MS word). */
  handlerMs = 0;
  /** performance.now() at the end of the last timed turn. */
  timedAt = 0;
  /** The thread's metrics (monitoring): timed turns feed the handler-duration histogram. */
  metrics: KindMetrics | null = null;

  constructor(private readonly host: TimedHost) {}

  /** Whether the next turn is timed (every one in heavy mode); counts the turn. */
  due(): boolean {
    return --this.untilTimed <= 0;
  }

  /** A timed actor turn of `cell`, of at most `cap` messages in light mode; returns how many it handled. */
  run(cell: Turnable, cap: number): number {
    const heavy = this.heavy;
    let weight = 1;
    if (!heavy) {
      let x = this.loadSeed;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.loadSeed = x;
      weight = LOAD_SAMPLE_MEAN / 2 + ((x >>> 0) % LOAD_SAMPLE_MEAN);
    }
    const sends0 = this.host.sends;
    const t0 = performance.now();
    let n: number;
    if (!heavy) n = cell.run(cap);
    else {
      // Heavy mode bounds each turn in time. An actor known to be fast (its recent turns) runs a
      // turn's worth of messages without a clock read per message; the others one at a time.
      const estimate = cell.msPerMessage;
      n =
        estimate > 0 && estimate < FAST_MS_PER_MESSAGE && !this.forcedHeavy
          ? cell.run(-Math.max(2, Math.floor(HEAVY_TURN_MS / estimate)))
          : cell.runUntil(t0 + HEAVY_TURN_MS);
    }
    const t1 = performance.now();
    this.timedAt = t1;
    const ms = t1 - t0;
    // Work = messages taken + messages sent: a producer that sends a thousand per message it
    // takes is not a slow actor (its turns end by their send budget).
    const work = n + (this.host.sends - sends0);
    if (n > 0) {
      cell.noteTurn(ms, work);
      if (this.metrics !== null && cell.metricsBase >= 0) this.metrics.observe(cell.metricsBase, ms / n / 1000);
      // A sampled turn of a slow actor: heavy mode now (fast neighbours may hide it from the loop's average).
      if (!heavy && cell.msPerMessage > HEAVY_MS_PER_MESSAGE) this.setHeavy(true);
    }
    // Not for a turn that stopped the actor: its entry was forgotten.
    if (!cell.isStopped) this.load.set(cell.id, (this.load.get(cell.id) ?? 0) + ms * weight);
    this.handlerMs += ms * weight;
    if (heavy && n > 0) this.noteHeavyTurn(ms, work);
    this.untilTimed = this.heavy ? 1 : weight;
    return n;
  }

  /**
   * The host loop's view of one loop turn (`ms` of work for `messages`). Two light loop turns in
   * a row averaging more than HEAVY_MS_PER_MESSAGE switch to heavy mode (one alone may be a GC
   * pause or a JIT compilation).
   */
  noteLoopTurn(ms: number, messages: number): void {
    if (this.heavy || messages === 0) return;
    // Slow on average, or long: a slow actor's turns keep the rings unread for the others.
    if (ms / messages <= HEAVY_MS_PER_MESSAGE && ms <= SLOW_LOOP_MS) this.modeStreak = 0;
    else if (++this.modeStreak >= 2) this.setHeavy(true);
  }

  /** Every actor turn is timed and bounded. */
  get heavyMode(): boolean {
    return this.heavy;
  }

  /**
   * Every actor turn timed and run a message at a time: the watchdog's restart policy needs loop
   * turns bounded in time whatever the handlers do.
   */
  set alwaysHeavy(value: boolean) {
    this.forcedHeavy = value;
    if (value) this.setHeavy(true);
  }
  get alwaysHeavy(): boolean {
    return this.forcedHeavy;
  }

  /**
   * The actors that took the most handler time since the last call, as [local id, estimated ms]
   * (turns are timed at random, ~1 in 256, each standing for the gap before the next); resets.
   */
  takeLoad(limit = 16): [number, number][] {
    const out = [...this.load].sort((a, b) => b[1] - a[1]).slice(0, limit);
    this.load.clear();
    return out;
  }

  /** Actor `id` stopped: its samples go (only the rebalancer's looks empty them otherwise). */
  forget(id: number): void {
    this.load.delete(id);
  }

  /**
   * Heavy mode: the timed turns are summed over windows of ~20 ms (or 1,000 messages), and a
   * window averaging under a quarter of HEAVY_MS_PER_MESSAGE switches back to light. A window,
   * not single turns: an actor that sends a hundred messages per message it takes looks heavy
   * beside the light one it feeds.
   */
  private noteHeavyTurn(ms: number, messages: number): void {
    this.windowMs += ms;
    this.windowMessages += messages;
    const perMessage = ms / messages;
    if (perMessage > this.windowSlowest) this.windowSlowest = perMessage;
    if (this.windowMs < 20 && this.windowMessages < 1000) return;
    // Light again when the window is light on average and no actor in it was slow enough that a
    // light loop turn of its messages would pass SLOW_LOOP_MS (fast neighbours must not hide it).
    const light = this.windowMs / this.windowMessages < HEAVY_MS_PER_MESSAGE / 4 && this.windowSlowest * DEFAULT_BATCH < SLOW_LOOP_MS;
    this.windowMs = 0;
    this.windowMessages = 0;
    this.windowSlowest = 0;
    if (light && !this.forcedHeavy) this.setHeavy(false);
  }

  private setHeavy(heavy: boolean): void {
    this.heavy = heavy;
    this.modeStreak = 0;
    this.windowMs = 0;
    this.windowMessages = 0;
    this.windowSlowest = 0;
    this.untilTimed = 1;
  }
}
