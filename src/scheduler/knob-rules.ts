/**
 * The scheduler's rules for the knobs beside the hill climber's quantum (see scheduler.ts
 * `tick`): how long a worker spins before parking, how many messages a loop turn takes between
 * looks at the rings, and the cap on the quantum while other threads send to the worker. Pure
 * functions of what one look at the stats block measured.
 */

const MIN_BATCH = 256;
/** The latency rule never caps the quantum below this (shorter turns cost more than they save). */
const MIN_QUANTUM = 10;
const MAX_BATCH = 16_384;
/**
 * Records from other threads per look (100 ms) above which the latency rule tightens (see
 * nextBatch): 400 a second. An ask a millisecond counts; the tuning suite's steady load (the main
 * thread starts a blast of 500k every ~20 ms per worker: ~10 records a look) does not.
 */
export const INBOUND_RECORDS = 40;
/**
 * While other threads keep sending to a worker, its loop turns aim at this share of
 * latencyTargetMs: a message from another thread (an ask) waits up to one loop turn to be read.
 * An eighth (125 µs by default): at a quarter the batch settled at 512 on the tuning suite's
 * latency load (~0.2 ms turns, ask p99 2.4 ms against 1.1 ms at 256), and a look at the rings
 * per 125 µs costs ~1% of throughput here (bench/RESULTS.md, tuning).
 */
const INBOUND_SHARE = 8;
/** The spin rule never spins longer than this before parking. */
const MAX_SPINS = 64_000;

/** What one look measured of a worker (scheduler.ts WorkerTrack). */
export interface Measured {
  /** Share of the last look's interval not parked (0–1). */
  utilisation: number;
  /** Busy milliseconds per loop turn. */
  loopMs: number;
  /** Busy milliseconds per message handled (0 when none were). */
  msPerMessage: number;
}

/**
 * The spin rule: a park costs a wake-up (tens of µs here). When a worker parks often (500+ per
 * second) and its parks are short (under 0.1 ms on average: work came right after it gave up
 * spinning), it spins twice as long before parking, up to MAX_SPINS; when its parks are long
 * (2 ms or more: it is idle), it comes back toward the configured spins (`base`), which spend less CPU.
 */
export function nextSpins(spins: number, base: number, parks: number, parkedMs: number, dt: number): number {
  if (parks <= 0) return spins;
  const perPark = parkedMs / parks;
  if ((parks / dt) * 1000 >= 500 && perPark < 0.1 && spins < MAX_SPINS) return Math.min(MAX_SPINS, Math.max(1, spins) * 2);
  if (perPark >= 2 && spins > base) return Math.max(base, spins >> 1);
  return spins;
}

/**
 * The latency rule's cap on the quantum: a message from another thread, once read, waits behind
 * the actors already in the run queue, each taking a turn of up to `quantum` messages. While other
 * threads keep sending, the cap keeps that wait under an eighth of `latencyTargetMs` at the
 * worker's measured time per message; never under MIN_QUANTUM.
 */
export function quantumCeiling(measured: Measured, runQueue: number, latencyTargetMs: number): number {
  if (measured.msPerMessage <= 0 || measured.utilisation < 0.5) return Infinity;
  return Math.max(MIN_QUANTUM, Math.floor(latencyTargetMs / INBOUND_SHARE / (measured.msPerMessage * Math.max(1, runQueue))));
}

/**
 * The latency rule: halve the batch while a busy worker's turns run past the target, double it
 * while a doubled turn would stay under three quarters of it (so the next look does not halve
 * it). While other threads keep sending to the worker (asks, tells: INBOUND_RECORDS or more per
 * look), the target is an eighth of `latencyTargetMs`: those messages wait for the next loop
 * turn, so its length is their latency.
 */
export function nextBatch(batch: number, measured: Measured, inbound: boolean, latencyTargetMs: number): number {
  if (measured.utilisation < 0.5 || measured.loopMs === 0) return batch;
  const target = inbound ? latencyTargetMs / INBOUND_SHARE : latencyTargetMs;
  if (measured.loopMs > target && batch > MIN_BATCH) return Math.max(MIN_BATCH, batch >> 1);
  if (measured.loopMs < (target * 3) / 8 && batch < MAX_BATCH) return Math.min(MAX_BATCH, batch * 2);
  return batch;
}
