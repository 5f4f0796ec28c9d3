import { ManualClock } from '../runtime/clock.js';
import type { Runtime } from '../runtime/runtime.js';
import { SeededRandom, SeededTurns, setThreadRandom } from '../runtime/seeded-turns.js';
import type { TimerQueue } from '../runtime/timer-queue.js';

/** The `deterministic` option of ActorSystem.start. */
export interface DeterministicOptions {
  /** Chooses the interleaving: the same seed and the same test replay the same turns (an integer from 0 to 2³²−1). */
  seed: number;
}

/**
 * A deterministic system's run (`ActorSystem.start({ deterministic: { seed } })`): every actor
 * on the main thread, the run queue's order and turn lengths drawn from the seed, routers and
 * backoff jitter drawn from it too, and a virtual clock that jumps to the next timer whenever
 * nothing can run, so timeouts, receive timeouts and backoff take no real time. A run that
 * fails replays from its seed; `digest` shows that two runs took the same turns.
 *
 * What stays outside: handlers that await real I/O, worker tasks (`ctx.runTask`), and real
 * timers a test or a handler starts (`setTimeout`) make a run depend on real time.
 */
export class Simulation {
  /** The virtual clock: ms since the start, moved only when the system is idle (or by `advance`). */
  readonly clock: ManualClock;
  private readonly random: SeededRandom;
  private readonly turnSource: SeededTurns;
  private timers: TimerQueue | null = null;
  private wake: () => void = () => {};

  constructor(
    readonly seed: number,
    clock: ManualClock | undefined,
  ) {
    this.clock = clock ?? new ManualClock();
    this.random = new SeededRandom(seed);
    const clockNow = this.clock;
    this.turnSource = new SeededTurns(new SeededRandom(this.random.below(2 ** 32)), () => clockNow.now());
  }

  /** Actor turns taken so far. */
  get turns(): number {
    return this.turnSource.turns;
  }

  /** A digest of the turns taken (which actor, how many messages, at which virtual time, in order): equal for runs that interleaved alike. */
  get digest(): string {
    return this.turnSource.digest;
  }

  /** The seeded source the runtime draws from (backoff jitter). */
  readonly draw = (): number => this.random.next();

  /**
   * The main thread's runtime takes its turns from the seed, and the thread's random draws
   * (routers) too: after the system drew its incarnation, which stays random (it only names the
   * system's refs, and is drawn again when it equals the last system's, which would shift every
   * draw after it in a replay).
   */
  attach(runtime: Runtime, wake: () => void): void {
    setThreadRandom(this.draw);
    runtime.runs.seeded = this.turnSource;
    this.timers = runtime.timers;
    this.wake = wake;
  }

  /** The system shut down: Math.random again. */
  detach(): void {
    setThreadRandom(null);
  }

  /**
   * The loop found nothing to run twice, an event-loop round apart: time jumps to the next
   * timer (false: none, the loop parks until something is sent).
   */
  advanceIdle(): boolean {
    const timers = this.timers;
    if (timers === null || timers.size === 0) return false;
    this.clock.advance(timers.untilNext());
    return true;
  }

  /** Runs `fn` after `ms` of virtual time (a test probe's timeout). */
  after(ms: number, fn: () => void): { cancel(): void } {
    const handle = this.timers!.schedule(ms, fn);
    this.wake();
    return handle;
  }
}
