import { performance } from 'node:perf_hooks';
import { BackoffIdleStrategy, IdlePhase } from '../../native-free-core/sync/idle-strategy.js';
import { knobsChanged, knobsEpoch } from '../../native-free-core/stats/stats-block.js';
import {
  ACTORS,
  BATCH,
  BUSY_MS,
  DEAD_LETTERS,
  DRAINED,
  HANDLER_MS,
  LOOPS,
  UNKEPT,
  OVERFLOW,
  PARKED_MS,
  PARKED_SINCE,
  PARKS,
  PROCESSED,
  PUBLISHED_AT,
  QUANTUM,
  RUN_QUEUE,
  SPINS,
  SUSPENDED,
  WAKEUPS,
} from '../../native-free-core/layout/stats-layout.js';
import type { TransportEndpoint } from '../transport/transport.js';
import { DEFAULT_BATCH } from './knob-defaults.js';
import type { Runtime } from './runtime.js';
import type { HostState } from './worker-control.js';
import { taken } from '../mailbox/taken-slot.js';
import { NOTICE_EVERY_MS } from '../observability/tracing/thread-tracer.js';
import { LOGS_EVERY_MS } from '../observability/actor-log.js';

/** What a loop turn asks its driver to do next (see LoopTurn.turn). */
export const Next = {
  /** Another turn at once. */
  Continue: 0,
  /** Let the event loop run (setImmediate), then go on. */
  Yield: 1,
  /** A peer's ring is full and nobody rings this thread when it drains: look again in 1 ms. */
  Sleep: 2,
  /** Park without blocking the event loop (waitAsync) for `parkTimeout` ms. */
  ParkAsync: 3,
  /** The thread leaves its loop. */
  Stop: 4,
  /**
   * Let the ticks and microtasks queued so far run (a settled handler promise's continuation),
   * then another turn at once: a look or a busy turn of a thread whose handlers' promises are pending.
   */
  Microtasks: 5,
} as const;
export type Next = (typeof Next)[keyof typeof Next];

export interface LoopSettings {
  runtime: Runtime;
  endpoint: TransportEndpoint | null;
  /** The stats block: this thread's slot gets the counters, and its knobs are read from it. */
  statsBuffer: SharedArrayBuffer;
  /** Empty looks at the rings before yielding, then parking (the scheduler may change it). */
  spins: number;
  /** Yields to the event loop between the spins and a park. */
  yields: number;
  /**
   * Whether a park may block the thread in Atomics.wait when its event loop holds nothing
   * (workers); the main thread never blocks, its parks are all ParkAsync.
   */
  mayBlock: boolean;
  /** While there is work, the event loop still runs at least this often (0: after every turn with work). */
  yieldEveryMs: number;
  /** A guarded slice's length (the watchdog's restart policy, see host-loop.ts); Infinity when unguarded. */
  sliceMs: number;
  host: HostState;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleepBriefly = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * The learned spin: how many empty looks an idle spell takes before it yields and parks, between
 * MIN_SPINS and the knob (the scheduler's `spins`). A spell that found work before parking, or
 * whose park was woken within SHORT_PARK_MS, adds half; one that parked longer takes a quarter.
 * It grows back within a few spells once work comes often again, and shrinks while fewer than
 * about two spells in five end in work found soon (1.5 and 0.75 balance at ln(4/3) / ln 2): spinning while work comes every few µs (asks from a spinning main thread:
 * a park and its wake-up cost ~30–100 µs here, and the producer pays a notify), barely when it
 * comes rarely, where spinning only takes a core from the other threads and processes (an HTTP
 * server and its load generator on two cores served 3.4× the requests at one connection with no
 * spinning than with the knob's 2,000 spins).
 */
const MIN_SPINS = 64;
/** A park woken sooner than this (ms, its wake-up of ~30–100 µs included) counts as a spell spinning would have won. */
const SHORT_PARK_MS = 0.2;

/** `performance.timeOrigin` (a getter that costs ~1% of a busy worker when read every loop turn). */
const TIME_ORIGIN = performance.timeOrigin;

/** Looks of an idle spell that are checkpoints while a handler's promise is pending (see `turn`). */
const SPELL_CHECKPOINTS = 16;

/** A busy thread lets its event loop run after at most this many turns with work. */
const YIELD_EVERY_TURNS = 64;

/**
 * Whether this thread's event loop holds something a handler started: a ref'd timer, a socket,
 * a file or database request, an immediate. A thread blocked in Atomics.wait runs no callbacks,
 * so while any is pending the worker parks with waitAsync instead (~0.2 µs per look, once per
 * park). 'CloseReq' is a handle being closed: nothing to wait for.
 */
function eventLoopBusy(): boolean {
  const resources = process.getActiveResourcesInfo();
  for (let i = 0; i < resources.length; i++) if (resources[i] !== 'CloseReq') return true;
  return false;
}

/**
 * One loop turn of a thread that hosts actors, the same on a worker and on the main thread:
 * read the scheduler's knobs if it published new ones, drain the inbound rings, run actors from
 * the run queue, fire due timers, publish outbound rings, write the thread's counters; then say
 * what the driver does next (host-loop.ts on a worker, main-loop.ts on the main thread). With
 * nothing to do it spins, yields, then parks: blocking in Atomics.wait on a worker whose event
 * loop holds nothing, without blocking (waitAsync) otherwise. While a handler's promise is
 * pending, a spin that cannot run microtasks cannot see it settle: the first looks of an idle
 * spell, and each busy turn, ask for a checkpoint instead (Next.Microtasks).
 */
export class LoopTurn {
  /** How long the park the turn asked for may last (ms). */
  parkTimeout = 0;
  /** The clock read of the last turn or park: where the next turn's busy time starts. */
  busySince = performance.now();
  /** When the driver last let the event loop run. */
  yieldedAt = performance.now();
  /** When the running guarded slice started (see host-loop.ts). */
  sliceStart = 0;
  private readonly runtime: Runtime;
  private readonly endpoint: TransportEndpoint | null;
  private readonly stats: Float64Array;
  private readonly epoch: Int32Array;
  private readonly host: HostState;
  private readonly mayBlock: boolean;
  private readonly yieldEveryMs: number;
  private readonly sliceMs: number;
  private readonly guarded: boolean;
  private readonly yields: number;
  private knobsEpochSeen = -1;
  private budget = DEFAULT_BATCH;
  private spins: number;
  private idle: BackoffIdleStrategy;
  private sinceYield = 0;
  /** An idle spell is under way (a turn found nothing and it has not parked yet). */
  private inSpell = false;
  /** Checkpoints (Next.Microtasks) the spell under way asked for. */
  private spellChecks = 0;
  private loops = 0;
  private drained = 0;
  /** The ledger's unkept count last published. */
  private unkept = 0;
  /** When the per-kind gauges are next published (Infinity without monitoring). */
  private gaugesDue: number;
  /** When the thread's spans are next announced (Infinity without tracing). */
  private spansDue: number;
  /** When the actors' log entries are next shipped (Infinity on the main thread and without logging). */
  private logsDue: number;
  /** Of the last step: the messages actors handled, and whether everything was published. */
  private handled = 0;
  private flushed = true;

  constructor(settings: LoopSettings) {
    this.runtime = settings.runtime;
    this.endpoint = settings.endpoint;
    this.stats = settings.runtime.stats;
    this.epoch = knobsEpoch(settings.statsBuffer, settings.runtime.participant);
    this.host = settings.host;
    this.mayBlock = settings.mayBlock;
    this.yieldEveryMs = settings.yieldEveryMs;
    this.sliceMs = settings.sliceMs;
    this.guarded = settings.sliceMs !== Infinity;
    this.spins = settings.spins;
    this.yields = settings.yields;
    this.idle = new BackoffIdleStrategy({ spins: settings.spins, yields: settings.yields });
    this.gaugesDue = settings.runtime.metrics === null ? Infinity : 0;
    this.spansDue = settings.runtime.tracer === null ? Infinity : 0;
    this.logsDue = settings.runtime.logs.on && settings.mayBlock ? 0 : Infinity;
  }

  /**
   * The work of a turn without its counters and backoff, for a turn run outside the driver (the
   * main thread's microtask turn, main-loop.ts): drain, run, fire timers, publish. How many
   * messages and timers it handled.
   */
  work(): number {
    return this.step(1024);
  }

  /**
   * Drains up to `drainLimit` records, runs actors from the run queue, fires due timers and
   * publishes; how many records, messages and timers that was (`handled` and `flushed` keep the
   * messages the actors handled and whether everything went out).
   */
  private step(drainLimit: number): number {
    const runtime = this.runtime;
    const drained = this.endpoint === null ? 0 : this.endpoint.drain(runtime, drainLimit);
    this.drained += drained;
    const handled = (this.handled = runtime.runs.runActors(this.budget));
    // (A worker: what was taken and not handled is kept, then the rings are released.)
    this.endpoint?.endTurn();
    const work = drained + handled + runtime.timers.runDue();
    this.flushed = runtime.flush();
    return work;
  }

  /** One loop turn: drain the rings, run actors, fire timers, publish; then what the driver must do. */
  turn(): Next {
    const runtime = this.runtime;
    const stats = this.stats;
    const published = knobsChanged(this.epoch, this.knobsEpochSeen);
    if (published >= 0) {
      // The scheduler published knobs: the epoch was read first (ordered), the knobs now (see stats-layout.ts).
      this.knobsEpochSeen = published;
      if (stats[QUANTUM]! > 0) runtime.quantum = stats[QUANTUM]!;
      if (stats[BATCH]! > 0) this.budget = stats[BATCH]!;
      if (stats[SPINS]! !== this.spins) {
        this.spins = stats[SPINS]!;
        this.idle.spins = Math.min(this.spins, this.idle.spins);
      }
    }
    // Heavy mode: loop turns are short (HEAVY_LOOP_MS), so each may read more of a ring.
    const work = this.step(runtime.runs.timer.heavyMode ? 16384 : 1024);
    const handled = this.handled;
    // Counters, once per loop turn (one clock read): the scheduler's only view of this thread.
    const now = performance.now();
    runtime.runs.timer.noteLoopTurn(now - this.busySince, handled);
    stats[BUSY_MS] = stats[BUSY_MS]! + (now - this.busySince);
    this.busySince = now;
    stats[PROCESSED] = runtime.runs.processed;
    stats[DRAINED] = this.drained;
    stats[RUN_QUEUE] = runtime.runs.length;
    stats[ACTORS] = runtime.actors.count;
    stats[DEAD_LETTERS] = runtime.dead.count;
    stats[OVERFLOW] = runtime.outbound.overflowed;
    stats[SUSPENDED] = runtime.outbound.suspended;
    stats[HANDLER_MS] = runtime.runs.timer.handlerMs;
    stats[PUBLISHED_AT] = TIME_ORIGIN + now;
    stats[LOOPS] = ++this.loops;
    if (now >= this.gaugesDue) {
      const metrics = runtime.metrics!;
      metrics.publishGauges(runtime.actors);
      this.gaugesDue = now + metrics.intervalMs;
    }
    if (now >= this.logsDue) {
      runtime.logs.flush();
      this.logsDue = now + LOGS_EVERY_MS;
    }
    if (now >= this.spansDue) {
      runtime.tracer!.flush();
      this.spansDue = now + NOTICE_EVERY_MS;
    }
    const ledger = taken.ledger;
    if (ledger !== null && ledger.unkept !== this.unkept) stats[UNKEPT] = this.unkept = ledger.unkept;
    const host = this.host;
    const stopAll = host.stopAll;
    // Idle: no work, no handler promise, no journal answer awaited (a persisting actor holds its mailbox until it comes).
    if (stopAll !== null && ((work === 0 && runtime.pendingAsync === 0 && !runtime.journal.busy) || now > stopAll.deadline)) {
      const actors = runtime.actors.count;
      runtime.stopAll();
      runtime.tracer?.flush();
      runtime.logs.flush();
      runtime.flush();
      runtime.control(stopAll.from, { op: 'stopped-all', reply: stopAll.req, actors });
      runtime.flush();
      host.stopAll = null;
      return host.running ? Next.Continue : Next.Stop;
    }
    if (!host.running) return Next.Stop;
    // A guarded slice goes back to the driver only when it must, or when it is old enough: each
    // guarded slice costs a vm call and a watchdog thread (~75 µs here).
    const mayLeave = !this.guarded || now - this.sliceStart >= 1;
    if (work > 0) {
      if (this.inSpell) {
        // Work came before the park: spinning paid.
        this.inSpell = false;
        const idle = this.idle;
        idle.spins = Math.min(this.spins, idle.spins + Math.max(8, idle.spins >> 1));
      }
      this.idle.reset();
      const pending = runtime.pendingAsync > 0;
      if (
        (++this.sinceYield >= YIELD_EVERY_TURNS ||
          // Handler promises pending: an event-loop round at least every ms for what they wait on
          // (timers, I/O, a task pool's replies); guarded, their continuations too, every 4 turns.
          (pending && (now - this.yieldedAt >= 1 || (this.guarded && this.sinceYield >= 4))) ||
          now - this.yieldedAt >= this.yieldEveryMs) &&
        mayLeave
      ) {
        this.sinceYield = 0;
        return Next.Yield;
      }
      // Handler promises pending: their continuations run between turns (a checkpoint of ticks
      // and microtasks, not a whole event-loop round).
      return pending && !this.guarded ? Next.Microtasks : Next.Continue;
    }
    // A peer's ring is full and its producers are suspended; nobody rings us when it drains,
    // so look again soon (the event loop runs meanwhile).
    if (!this.flushed) return Next.Sleep;
    if (!this.inSpell) {
      this.inSpell = true;
      this.spellChecks = 0;
    }
    switch (this.idle.next()) {
      case IdlePhase.SPIN:
        // A handler's promise settles only when microtasks run: a spin that cannot run them waited
        // out every spin of the spell for nothing (~550–630 µs an async message on a worker here).
        // The spell's first looks are checkpoints instead; a promise still pending after them
        // waits for the event loop (I/O, a timer), and the spell spins on for the rings, as
        // before. Guarded, a checkpoint leaves the slice (a vm call and a watchdog thread, ~75 µs): one.
        if (runtime.pendingAsync > 0 && this.spellChecks < (this.guarded ? 1 : SPELL_CHECKPOINTS)) {
          this.spellChecks++;
          return Next.Microtasks;
        }
        return Next.Continue;
      case IdlePhase.YIELD:
        if (this.guarded && runtime.pendingAsync === 0 && host.pendingLoads === 0 && now - this.sliceStart < 10) return Next.Continue;
        this.sinceYield = 0;
        return Next.Yield;
      default: {
        // Nothing came while it spun: the park's length decides (endPark).
        this.inSpell = false;
        this.parkTimeout = Math.min(runtime.timers.untilNext(), host.stopAll !== null ? 1 : 1000);
        // Monitoring: the gauges published last may be from before the work that just ended.
        if (this.gaugesDue !== Infinity) this.parkTimeout = Math.max(0, Math.min(this.parkTimeout, this.gaugesDue - now));
        // Handler promises, definition loads, or timers and I/O a handler started: their
        // callbacks need the event loop, so park without blocking it.
        if (!this.mayBlock || runtime.pendingAsync > 0 || host.pendingLoads > 0 || eventLoopBusy()) return Next.ParkAsync;
        // A guarded park ends before the slice's timeout could interrupt it.
        if (this.guarded) this.parkTimeout = Math.max(0, Math.min(this.parkTimeout, this.sliceStart + this.sliceMs - now));
        const parkedAt = this.beginPark(now);
        this.endPark(parkedAt, this.endpoint!.park(this.parkTimeout));
        return Next.Continue;
      }
    }
  }

  /** Next.Yield: lets the event loop run (setImmediate). */
  async yieldToLoop(): Promise<void> {
    await yieldToLoop();
    this.yieldedAt = performance.now();
  }

  /** Next.Sleep: a peer's ring is full and nobody rings this thread when it drains: 1 ms. */
  async sleep(): Promise<void> {
    await sleepBriefly();
    this.busySince = performance.now();
  }

  /** Next.ParkAsync: waits with `wait` (never blocking the event loop) for `parkTimeout` ms, counted as a park. */
  async parkAsync(wait: (timeoutMs: number) => Promise<string>): Promise<void> {
    const parkedAt = this.beginPark(performance.now());
    this.endPark(parkedAt, await wait(this.parkTimeout));
    this.yieldedAt = performance.now();
  }

  /** The guard cut a slice short (see host-loop.ts): whatever park it was in has ended. */
  endInterrupted(): void {
    this.stats[PARKED_SINCE] = 0;
    this.busySince = performance.now();
  }

  /** A park starts (the scheduler sees it in progress). */
  private beginPark(now: number): number {
    this.stats[PARKED_SINCE] = TIME_ORIGIN + now;
    return now;
  }

  /** A park ended: counted, and the backoff starts again from spinning. */
  private endPark(parkedAt: number, result: string): void {
    const stats = this.stats;
    this.busySince = performance.now();
    stats[PARKED_SINCE] = 0;
    const parkedMs = this.busySince - parkedAt;
    stats[PARKED_MS] = stats[PARKED_MS]! + parkedMs;
    stats[PARKS] = stats[PARKS]! + 1;
    if (result === 'woken') stats[WAKEUPS] = stats[WAKEUPS]! + 1;
    // A short park (its wake-up included) would have been a spell won by spinning a little longer.
    const idle = this.idle;
    if (result !== 'timed-out' && parkedMs < SHORT_PARK_MS) idle.spins = Math.min(this.spins, idle.spins + Math.max(8, idle.spins >> 1));
    else idle.spins = Math.max(Math.min(MIN_SPINS, this.spins), idle.spins - (idle.spins >> 2));
    idle.reset();
  }
}
