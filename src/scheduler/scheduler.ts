import {
  ACTORS,
  BUSY_MS,
  CURRENT,
  DEAD_LETTERS,
  UNKEPT,
  DRAINED,
  HANDLER_MS,
  LOOPS,
  OVERFLOW,
  PARKED_MS,
  PARKED_SINCE,
  PARKS,
  PROCESSED,
  QUANTUM,
  BATCH,
  RUN_QUEUE,
  SPINS,
  SUSPENDED,
  TYPE_CODE_SPAN,
  WAKEUPS,
} from '../../native-free-core/layout/stats-layout.js';
import { TypeNameTable, knobsEpoch, publishKnobs, statsSlot } from '../../native-free-core/stats/stats-block.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { checkBag, checkBoolean } from '../util/option-bag.js';
import { DEFAULT_BATCH, DEFAULT_QUANTUM } from '../runtime/knob-defaults.js';

import { HillClimber, type HillClimberOptions } from './hill-climber.js';
import { INBOUND_RECORDS, nextBatch, nextSpins, quantumCeiling } from './knob-rules.js';
import type { PlacementStrategy, SchedulerOptions, StuckHandler, WorkerStats } from './scheduler-options.js';

export type { PlacementStrategy, SchedulerOptions, StuckHandler, WorkerStats } from './scheduler-options.js';

/** Milliseconds a participant has spent parked at time `t`: a park in progress counts already (PARKED_MS grows only when a park ends). */
function parkedMs(slot: Float64Array, t: number): number {
  const since = slot[PARKED_SINCE]!;
  return slot[PARKED_MS]! + (since > 0 ? Math.max(0, performance.timeOrigin + t - since) : 0);
}

interface WorkerTrack {
  processed: number;
  busy: number;
  parked: number;
  at: number;
  rate: number;
  utilisation: number;
  loops: number;
  loopMs: number;
  /** Busy milliseconds per message handled over the last look (0 when none were). */
  msPerMessage: number;
  /** DRAINED at the last look (the latency rule). */
  drained: number;
  /** PARKS and parked ms at the last look (the spin rule). */
  parks: number;
  parkedAtLook: number;
  stuckSince: number;
  reported: boolean;
  escalated: boolean;
  /** CURRENT at the last look. */
  current: number;
  /** Top-level actors this scheduler placed on the worker. */
  placed: number;
  climber: HillClimber | null;
}

/**
 * The scheduler on the main thread: places actors, reads the workers' stats block on a timer
 * (no messages), runs the watchdog and the adaptive controller, and writes the knobs back.
 */
export class Scheduler {
  readonly placement: PlacementStrategy;
  readonly limitMs: number;
  readonly restartStuck: boolean;
  /**
   * With the restart policy: workers run their loop in slices under a vm timeout of this many
   * milliseconds (twice the limit), which interrupts a handler still running then.
   */
  readonly interruptMs: number;
  readonly intervalMs: number;
  readonly latencyTargetMs: number;
  private readonly slots: Float64Array[] = [];
  /** Each worker's knobs epoch (an Int32 over its KNOBS_EPOCH word; see stats-layout.ts). */
  private readonly epochs: Int32Array[] = [];
  private readonly tracks: WorkerTrack[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private nextRoundRobin = 0;
  private readonly windowMarks: { at: number; parked: number }[] = [];
  private readonly watchdogOn: boolean;
  private adaptiveOn: boolean;
  private readonly climberOptions: HillClimberOptions;

  constructor(
    private readonly statsBuffer: SharedArrayBuffer,
    /** Worker threads watched: participants 1…workers. */
    private readonly workers: number,
    /** Pool workers (placement): participants 1…poolWorkers; dedicated ones follow. */
    private readonly poolWorkers: number,
    options: SchedulerOptions,
    private readonly onStuck: (stuck: StuckHandler) => void,
    /** The system's spin budget (workers start with it; the spin rule goes above it and back). */
    private readonly baseSpins = 2000,
    private readonly now: () => number = () => performance.now(),
  ) {
    const placement = options.placement ?? 'least-loaded';
    if (placement !== 'round-robin' && placement !== 'least-loaded') {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `scheduler.placement=${JSON.stringify(placement)} must be 'round-robin' or 'least-loaded'`,
      );
    }
    this.placement = placement;
    const quantum = options.quantum ?? DEFAULT_QUANTUM;
    if (!Number.isInteger(quantum) || quantum < 1) {
      throw new BactorError(ErrorCode.INVALID_OPTION, `scheduler.quantum=${quantum} must be a positive integer`);
    }
    const batch = options.batch ?? DEFAULT_BATCH;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new BactorError(ErrorCode.INVALID_OPTION, `scheduler.batch=${batch} must be a positive integer`);
    }
    this.latencyTargetMs = options.latencyTargetMs ?? 1;
    if (!(this.latencyTargetMs > 0)) {
      throw new BactorError(ErrorCode.INVALID_OPTION, `scheduler.latencyTargetMs=${this.latencyTargetMs} must be positive`);
    }
    const watchdog = options.watchdog === false ? null : (options.watchdog ?? {});
    this.watchdogOn = watchdog !== null;
    this.limitMs = watchdog?.limitMs ?? 1000;
    if (!(this.limitMs > 0)) throw new BactorError(ErrorCode.INVALID_OPTION, `scheduler.watchdog.limitMs=${this.limitMs} must be positive`);
    this.restartStuck = watchdog?.restart ?? false;
    this.interruptMs = this.restartStuck ? 2 * this.limitMs : 0;
    this.intervalMs = options.intervalMs ?? 100;
    if (!(this.intervalMs >= 1)) throw new BactorError(ErrorCode.INVALID_OPTION, `scheduler.intervalMs=${this.intervalMs} must be ≥ 1`);
    const adaptive = options.adaptive ?? true;
    this.adaptiveOn = adaptive !== false;
    this.climberOptions = typeof adaptive === 'object' ? adaptive : {};
    const t = this.now();
    for (let w = 0; w <= workers; w++) {
      const slot = statsSlot(statsBuffer, w);
      this.slots.push(slot);
      this.epochs.push(knobsEpoch(statsBuffer, w));
      if (w === 0) continue;
      this.writeKnobs(w, { quantum, batch, spins: baseSpins });
      this.tracks[w] = {
        processed: 0,
        busy: 0,
        parked: 0,
        at: t,
        rate: 0,
        utilisation: 0,
        loops: 0,
        loopMs: 0,
        msPerMessage: 0,
        drained: 0,
        parks: 0,
        parkedAtLook: 0,
        stuckSince: -1,
        reported: false,
        escalated: false,
        current: 0,
        placed: 0,
        climber: adaptive === false ? null : new HillClimber(quantum, this.climberOptions),
      };
    }
  }

  start(): void {
    if (this.timer !== null || this.workers === 0) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Picks a pool worker for a new actor. */
  place(): number {
    const n = this.poolWorkers;
    if (n < 1)
      throw new BactorError(
        ErrorCode.NO_WORKERS,
        `spawn: the system has no pool workers (started with workers: 0): spawn with { dispatcher: 'inline' }`,
      );
    if (this.placement === 'round-robin' || n === 1) {
      this.nextRoundRobin = (this.nextRoundRobin % n) + 1;
      return this.nextRoundRobin;
    }
    // Least loaded: utilisation first, then the run queue, then actors; ties go round robin.
    let best = 0;
    let bestScore = Infinity;
    for (let k = 0; k < n; k++) {
      const w = ((this.nextRoundRobin + k) % n) + 1;
      const slot = this.slots[w]!;
      const track = this.tracks[w]!;
      // Utilisation in quarters (below that it is noise), then the run queue, then actors (the
      // published count, or what this scheduler placed there if the worker has not caught up).
      const score = Math.round(track.utilisation * 4) * 1e12 + slot[RUN_QUEUE]! * 1e6 + Math.max(slot[ACTORS]!, track.placed);
      if (score < bestScore) {
        bestScore = score;
        best = w;
      }
    }
    this.nextRoundRobin = best % n;
    this.tracks[best]!.placed++;
    return best;
  }

  /** The worker was replaced: forget its stuck state and counters. */
  reset(worker: number): void {
    const track = this.tracks[worker];
    if (track === undefined) return;
    // The dead worker may have died inside a turn: its CURRENT would read as a stuck
    // handler until the replacement runs its first loop. Nobody else writes the slot now.
    this.slots[worker]![CURRENT] = 0;
    track.stuckSince = -1;
    track.reported = false;
    track.escalated = false;
    track.drained = 0;
    track.processed = 0;
    track.busy = 0;
    track.parked = 0;
    track.loops = -1;
    track.at = this.now();
  }

  /** Whether the adaptive controller runs (the `adaptive` option; it can be switched while the system runs). */
  get adaptive(): boolean {
    return this.adaptiveOn;
  }

  /**
   * Switches the adaptive controller. Off, the knobs stay where they are (set them with
   * writeKnobs) and the controller keeps what it learned; on again, each worker's controller goes
   * on from where it stopped if the worker's quantum is still the one it chose, and otherwise
   * starts a new search from the quantum in force.
   */
  set adaptive(on: boolean) {
    checkBoolean(on, 'scheduler.adaptive', 'adaptive');
    if (on === this.adaptiveOn) return;
    this.adaptiveOn = on;
    if (!on) return;
    for (let w = 1; w <= this.workers; w++) {
      const track = this.tracks[w]!;
      const quantum = this.slots[w]![QUANTUM]!;
      if (track.climber === null) track.climber = new HillClimber(quantum, this.climberOptions);
      else track.climber.resume(quantum, this.now());
    }
  }

  /** Sets a worker's knobs (what the controller does; by hand with `adaptive: false`). Omitted knobs stay. */
  writeKnobs(worker: number, knobs: { quantum?: number; batch?: number; spins?: number }): void {
    const slot = this.slots[worker];
    if (slot === undefined || worker === 0) throw new BactorError(ErrorCode.INVALID_OPTION, `writeKnobs: no worker ${worker}`);
    if (checkBag(knobs, ['quantum', 'batch', 'spins'], 'writeKnobs', 'knobs') === undefined)
      throw new BactorError(ErrorCode.INVALID_OPTION, 'writeKnobs: knobs { quantum?, batch?, spins? } are required');
    for (const [name, value] of Object.entries(knobs)) {
      if (value !== undefined && !(Number.isInteger(value) && value >= (name === 'spins' ? 0 : 1))) {
        throw new BactorError(
          ErrorCode.INVALID_OPTION,
          `writeKnobs: ${name}=${value} must be a ${name === 'spins' ? 'non-negative' : 'positive'} integer`,
        );
      }
    }
    publishKnobs(slot, this.epochs[worker]!, knobs);
  }

  /** One look at the block: rates, watchdog, controller. */
  tick(): void {
    const t = this.now();
    for (let w = 1; w <= this.workers; w++) {
      const slot = this.slots[w]!;
      const track = this.tracks[w]!;
      const dt = t - track.at;
      if (dt <= 0) continue;
      const processed = slot[PROCESSED]!;
      const busy = slot[BUSY_MS]!;
      const parked = parkedMs(slot, t);
      track.rate = ((processed - track.processed) / dt) * 1000;
      track.utilisation = Math.min(1, Math.max(0, 1 - (parked - track.parked) / dt));
      const loops = slot[LOOPS]!;
      track.loopMs = loops > track.loops && track.loops >= 0 ? (busy - track.busy) / (loops - track.loops) : track.loopMs;
      track.msPerMessage = processed > track.processed ? (busy - track.busy) / (processed - track.processed) : 0;
      if (this.watchdogOn) this.watch(w, slot, track, loops, t);
      track.loops = loops;
      track.processed = processed;
      track.busy = busy;
      track.parked = parked;
      track.at = t;
      const parks = slot[PARKS]!;
      const parkedDelta = parked - track.parkedAtLook;
      const parksDelta = parks - track.parks;
      track.parks = parks;
      track.parkedAtLook = parked;
      const drained = slot[DRAINED]!;
      const inbound = drained - track.drained >= INBOUND_RECORDS;
      track.drained = drained;
      if (track.climber !== null && this.adaptiveOn && track.stuckSince < 0) {
        const ceiling = inbound ? quantumCeiling(track, slot[RUN_QUEUE]!, this.latencyTargetMs) : Infinity;
        track.climber.ceiling = ceiling;
        const quantum = Math.min(track.climber.observe(track.rate, track.utilisation, t), ceiling);
        const batch = nextBatch(slot[BATCH]!, track, inbound, this.latencyTargetMs);
        const spins = nextSpins(slot[SPINS]!, this.baseSpins, parksDelta, parkedDelta, dt);
        if (quantum !== slot[QUANTUM] || batch !== slot[BATCH] || spins !== slot[SPINS]) this.writeKnobs(w, { quantum, batch, spins });
      }
    }
  }

  private watch(w: number, slot: Float64Array, track: WorkerTrack, loops: number, t: number): void {
    const current = slot[CURRENT]!;
    if (loops !== track.loops || current !== track.current || current === 0) {
      track.current = current;
      track.stuckSince = -1;
      track.reported = false;
      track.escalated = false;
      return;
    }
    // Neither the loop nor CURRENT has moved since the last look, and a handler is running: loop
    // turns are bounded (a light one by its batch, a heavy one by time, see Runtime.runActors).
    if (track.stuckSince < 0) track.stuckSince = t - this.intervalMs;
    const ms = t - track.stuckSince;
    const stuck = (phase: StuckHandler['phase']): void => {
      const name = new TypeNameTable(this.statsBuffer, w).name(current % TYPE_CODE_SPAN);
      this.onStuck({ worker: w, actorId: Math.floor(current / TYPE_CODE_SPAN), messageType: name ?? 'unknown', ms, phase });
    };
    if (!track.reported && ms >= this.limitMs) {
      track.reported = true;
      stuck('detected');
    }
    // The worker's guard interrupts within `interruptMs` of the slice's start; past that and a
    // grace period, nothing JavaScript can do will: replace the worker.
    if (this.restartStuck && !track.escalated && ms >= this.interruptMs + Math.max(500, this.limitMs / 2)) {
      track.escalated = true;
      stuck('unresponsive');
    }
  }

  /** Busy share (0–1) of each pool worker since the previous call (index 0: worker 1), from the block. */
  windowUtilisation(): number[] {
    const t = this.now();
    const out: number[] = [];
    for (let w = 1; w <= this.poolWorkers; w++) {
      const slot = this.slots[w]!;
      const parked = parkedMs(slot, t);
      const mark = this.windowMarks[w];
      out.push(mark === undefined || t <= mark.at ? 0 : Math.min(1, Math.max(0, 1 - (parked - mark.parked) / (t - mark.at))));
      this.windowMarks[w] = { at: t, parked };
    }
    return out;
  }

  /** Figures of every pool worker, as of the last look (counters as of now). */
  stats(): WorkerStats[] {
    const out: WorkerStats[] = [];
    for (let w = 1; w <= this.workers; w++) {
      const slot = this.slots[w]!;
      const track = this.tracks[w]!;
      out.push({
        worker: w,
        actors: slot[ACTORS]!,
        processed: slot[PROCESSED]!,
        rate: track.rate,
        utilisation: track.utilisation,
        busyMs: slot[BUSY_MS]!,
        handlerMs: slot[HANDLER_MS]!,
        parkedMs: slot[PARKED_MS]!,
        parks: slot[PARKS]!,
        wakeups: slot[WAKEUPS]!,
        runQueue: slot[RUN_QUEUE]!,
        deadLetters: slot[DEAD_LETTERS]!,
        overflow: slot[OVERFLOW]!,
        suspended: slot[SUSPENDED]!,
        unkept: slot[UNKEPT]!,
        quantum: slot[QUANTUM]!,
        batch: slot[BATCH]!,
        spins: slot[SPINS]!,
        loopMs: track.loopMs,
      });
    }
    return out;
  }
}
