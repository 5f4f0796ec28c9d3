import { LoopTurn, Next } from '../runtime/loop-turn.js';
import type { Runtime } from '../runtime/runtime.js';
import type { HostState } from '../runtime/worker-control.js';
import type { TransportEndpoint } from '../transport/transport.js';
import type { Simulation } from './simulation.js';

/**
 * How long the main thread may go on taking replies and running inline actors in microtasks
 * (see `MainLoop.onMicrotask`) before it leaves them to the driver, so the event loop runs.
 */
const MICROTASK_TURNS_MS = 5;
/** The most a reply spin waits (µs): about two round trips to a worker that is spinning. */
const MAX_SPIN_US = 50;
/** The least a reply spin waits (µs): a minor collection on either side takes ~10 µs. */
const MIN_SPIN_US = 20;
/**
 * The spin's record (see `score`): a found answer adds SPIN_HIT, a spin that found nothing takes
 * SPIN_MISS; spinning stops at 0 and a probe every SPIN_PROBE_EVERY flushes starts it again.
 */
const SPIN_HIT = 1;
const SPIN_MISS = 4;
const SPIN_SCORE_MAX = 32;
const SPIN_PROBE_EVERY = 64;
/** Deterministic mode: a chain of microtask turns gives the event loop its turn after this many (a count, not a time). */
const SIM_CHAIN_TURNS = 256;
/** Deterministic mode: an idle park looks again after this long (ms, real time) even if nothing wakes it. */
const SIM_PARK_MS = 50;

/**
 * The main thread's driver of the loop every thread runs (LoopTurn: drain inbound rings, run
 * inline actors, fire timers such as ask timeouts, publish, write the thread's counters to slot
 * 0 of the stats block). It never blocks the thread: it lets the event loop run after every turn
 * with work, and parks with waitAsync until a worker rings, `wake` is called, or a timer is due.
 *
 * Main-thread sends outside the loop are published once per microtask burst, by a loop turn run
 * in that microtask: inline actors run and replies are taken there, without waiting for an
 * event-loop round. With answers awaited (asks, spawns, stops), the turn then spins for them for
 * a few µs: a worker that is spinning answers a short ask within that, and its reply settles the ask in the
 * same microtask chain (a park and a wake-up cost ~30–100 µs here). The spin learns: a score
 * rises with each spin that found its answer and falls four times as fast with each that did
 * not, and at 0 spinning stops but for a probe every SPIN_PROBE_EVERY flushes (answers that take
 * longer than a spin, as a 200 µs job's); a found answer sizes the next spin to four times its
 * wait (MIN_SPIN_US to MAX_SPIN_US). The chain gives the event loop
 * its turn after MICROTASK_TURNS_MS.
 */
export class MainLoop {
  private flushQueued = false;
  /** Without workers the loop parks on this word (the mesh's doorbell otherwise). */
  private readonly localBell = new Int32Array(new SharedArrayBuffer(4));
  private readonly host: HostState = { running: true, pendingLoads: 0, stopAll: null };
  private readonly loop: LoopTurn;
  /** When the running chain of microtask turns began (0: none; the driver's next turn, after the event loop's, ends it). */
  private chainStart = 0;
  /** The next reply spin's budget (µs; 0: none until the probe countdown ends). */
  private spinUs = MAX_SPIN_US;
  /** Spins while above 0: replies usually come within a spin (rare misses are collections). */
  private score = SPIN_SCORE_MAX;
  private probeIn = 0;
  /** Deterministic mode: microtask turns in the running chain; whether the last driver turn found nothing; the parked driver's wake-up. */
  private chainTurns = 0;
  private idleOnce = false;
  private simWaiter: (() => void) | null = null;
  /** Diagnostic counters (read by probes; not in system.stats()): spins that found an answer, spins that did not, chains cut short for the event loop. */
  spinHits = 0;
  spinMisses = 0;
  chainBreaks = 0;
  private readonly onMicrotask = (): void => this.microtaskTurn();

  constructor(
    private readonly runtime: Runtime,
    private readonly endpoint: TransportEndpoint | null,
    statsBuffer: SharedArrayBuffer,
    /** How many answers from other threads the main thread awaits (asks, control requests, stops). */
    private readonly awaited: () => number,
    /** Deterministic mode (null otherwise): seeded turns, a virtual clock that jumps when the system is idle. */
    private readonly sim: Simulation | null = null,
  ) {
    this.loop = new LoopTurn({
      runtime,
      endpoint,
      statsBuffer,
      spins: 0,
      yields: 0,
      mayBlock: false,
      yieldEveryMs: 0,
      sliceMs: Infinity,
      host: this.host,
    });
  }

  /** Publishes main-thread sends soon (a microtask, so a burst of tells goes out as one batch) and wakes the loop. */
  wake(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.onMicrotask);
    }
    if (this.endpoint !== null) this.endpoint.mesh.bells[0]!.ring();
    else if (this.simWaiter !== null) {
      const resume = this.simWaiter;
      this.simWaiter = null;
      resume();
    } else {
      Atomics.store(this.localBell, 0, 1);
      Atomics.notify(this.localBell, 0);
    }
  }

  /**
   * The microtask after a burst of sends: a loop turn (publish, replies, inline actors), then a
   * reply spin if answers are awaited. A chain of such microtasks (each reply starting the next
   * ask) keeps the event loop waiting: past MICROTASK_TURNS_MS it only publishes, and the
   * replies come through the driver, after the event loop's turn. Only publishes while stopping.
   */
  private microtaskTurn(): void {
    this.flushQueued = false;
    const runtime = this.runtime;
    if (!this.host.running) {
      runtime.flush();
      return;
    }
    if (this.chainCut()) {
      runtime.flush();
      this.chainBreaks++;
      return;
    }
    this.loop.work();
    const endpoint = this.endpoint;
    if (endpoint === null || this.awaited() === 0) return;
    if (this.score <= 0) {
      if (--this.probeIn > 0) return;
      this.probeIn = SPIN_PROBE_EVERY;
      this.spinUs = MAX_SPIN_US;
    }
    const start = performance.now();
    const end = start + this.spinUs / 1000;
    let now = start;
    while (!endpoint.hasData()) {
      now = performance.now();
      if (now >= end) {
        this.spinMisses++;
        this.score = Math.max(0, this.score - SPIN_MISS);
        this.spinUs = MAX_SPIN_US;
        if (this.score === 0) this.probeIn = SPIN_PROBE_EVERY;
        return;
      }
    }
    this.spinHits++;
    // A probe that finds its answer restarts spinning one miss away from stopping again.
    this.score = Math.min(SPIN_SCORE_MAX, Math.max(this.score, SPIN_MISS) + SPIN_HIT);
    this.spinUs = Math.min(MAX_SPIN_US, Math.max(MIN_SPIN_US, (now - start) * 4000));
    this.loop.work();
  }
  /** Runs until `stop` is called: what is queued then is still handled and published once. */
  async run(): Promise<void> {
    const loop = this.loop;
    const endpoint = this.endpoint;
    const parkAsync = endpoint !== null ? (ms: number) => endpoint.parkAsync(ms) : (ms: number) => this.parkLocal(ms);
    for (;;) {
      // The driver only resumes after the event loop's turn: a chain of microtask turns ends here.
      this.chainStart = 0;
      this.chainTurns = 0;
      switch (loop.turn()) {
        case Next.Stop:
          return;
        case Next.Sleep:
          await loop.sleep();
          break;
        case Next.ParkAsync:
          if (this.sim !== null) await this.simIdle(this.sim);
          else await loop.parkAsync(parkAsync);
          break;
        default:
          // Continue, Yield or Microtasks: after a turn with work the main thread's event loop always runs.
          this.idleOnce = false;
          await loop.yieldToLoop();
          break;
      }
    }
  }

  /** Ends the loop after its next turn. */
  stop(): void {
    this.host.running = false;
    this.wake();
  }

  /** Whether a chain of microtask turns must end here, so the event loop runs (by time; deterministic mode: by count). */
  private chainCut(): boolean {
    if (this.sim !== null) return ++this.chainTurns > SIM_CHAIN_TURNS;
    if (this.chainStart === 0) {
      this.chainStart = performance.now();
      return false;
    }
    return performance.now() - this.chainStart > MICROTASK_TURNS_MS;
  }

  /**
   * Deterministic mode, nothing to run: one event-loop round first (handler promises, the
   * journal, the test's own continuations may send more); still nothing, and the virtual clock
   * jumps to the next timer; no timer, and the driver waits for a send (a promise `wake`
   * resolves: no Atomics, whose wake-up is a task that could land anywhere among the others).
   */
  private async simIdle(sim: Simulation): Promise<void> {
    if (!this.idleOnce) {
      this.idleOnce = true;
      await this.loop.yieldToLoop();
      return;
    }
    this.idleOnce = false;
    if (sim.advanceIdle()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.simWaiter = null;
        resolve();
      }, SIM_PARK_MS);
      this.simWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Without workers: waits on the private word, set and notified by `wake`. */
  private async parkLocal(timeoutMs: number): Promise<string> {
    const bell = this.localBell;
    if (this.runtime.runs.hasRunnable || Atomics.exchange(bell, 0, 0) === 1) return 'not-equal';
    const r = Atomics.waitAsync(bell, 0, 0, timeoutMs);
    if (!r.async) return r.value;
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      return await r.value;
    } finally {
      clearInterval(keepAlive);
      Atomics.store(bell, 0, 0);
    }
  }
}
