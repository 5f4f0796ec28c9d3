import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { ActorSystem, type ActorSystemOptions } from '../system/actor-system.js';
import type { Simulation } from '../system/simulation.js';
import { checkBag, checkNumber, describe, invalidOption, isInteger, requireNumber } from '../util/option-bag.js';

/** A test run in a deterministic system: what it awaits and asserts; it may return a result. */
export type Scenario<T = unknown> = (system: ActorSystem, sim: Simulation) => Promise<T> | T;

/** The system's options a scenario may set (it runs on the main thread, with the virtual clock). */
export type SimulatedSystemOptions = Omit<ActorSystemOptions, 'deterministic' | 'workers' | 'dedicatedWorkers' | 'remote'>;

/** What one seeded run did. */
export interface SimulationRun<T> {
  seed: number;
  /** What the scenario returned. */
  result: T;
  /** Actor turns taken, and their digest: two runs with equal digests interleaved alike. */
  turns: number;
  digest: string;
  /** Virtual time the run took (ms). */
  virtualMs: number;
}

/** ERR_SIMULATION_FAILED from `explore`: the seed that failed, its turn digest, and (as `cause`) the scenario's error. */
export type SimulationFailure = BactorError & { seed: number; digest: string };

const MAX_SEED = 2 ** 32 - 1;
const SEED = [isInteger(0, MAX_SEED), 'an integer from 0 to 4294967295'] as const;
/** A scenario that has not settled after this long (real time) fails, and its system is shut down. */
const DEFAULT_TIMEOUT_MS = 60_000;
/** Options of the system a scenario may not set: the seed's and the thread's. */
const NOT_SYSTEM_OPTIONS = ['seed', 'deterministic', 'workers', 'dedicatedWorkers', 'remote'] as const;

/** How one seed's run ended: its result, or the scenario's error (a system that would not start throws instead). */
type Outcome<T> = { ok: true; run: SimulationRun<T> } | { ok: false; error: unknown; digest: string };

function checkSystemOptions(options: object, where: string, name: string): void {
  for (const key of NOT_SYSTEM_OPTIONS) {
    if (key in options)
      throw invalidOption(where, `${name} cannot set '${key}': a deterministic run is on the main thread, with the seed ${where} gives it`);
  }
}

async function runSeed<T>(seed: number, options: SimulatedSystemOptions, scenario: Scenario<T>, timeoutMs: number): Promise<Outcome<T>> {
  const system = await ActorSystem.start({ ...options, deterministic: { seed } } as ActorSystemOptions);
  const sim = system.simulation!;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BactorError(
            ErrorCode.SIMULATION_FAILED,
            `the scenario did not settle within ${timeoutMs} ms of real time (virtual time ${sim.clock.now()} ms, ${sim.turns} turns): it awaits something nothing will do`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const result = await Promise.race([scenario(system, sim), late]);
    return { ok: true, run: { seed, result, turns: sim.turns, digest: sim.digest, virtualMs: sim.clock.now() } };
  } catch (error) {
    return { ok: false, error, digest: sim.digest };
  } finally {
    clearTimeout(timer);
    await system.shutdown();
  }
}

function checkTimeout(value: unknown, where: string): number {
  checkNumber(value, isInteger(1, 3_600_000), where, 'timeoutMs', 'a whole number of ms from 1 to 3,600,000');
  return (value as number | undefined) ?? DEFAULT_TIMEOUT_MS;
}

/**
 * Runs `scenario` once in a deterministic system started with `seed` (and the other options),
 * then shuts the system down. Resolves with the run's result, turn count, digest and virtual
 * time; a failing scenario rejects with its own error (an object gets `seed` and `digest`
 * added). The same seed replays the same interleaving. `timeoutMs` (real time, default 60 s)
 * bounds a scenario that never settles: it fails with ERR_SIMULATION_FAILED.
 */
export async function simulate<T>(
  options: { seed: number; timeoutMs?: number } & SimulatedSystemOptions,
  scenario: Scenario<T>,
): Promise<SimulationRun<T>> {
  if (options === null || typeof options !== 'object')
    throw invalidOption('simulate', `options must be { seed, ... }, got ${describe(options)}`);
  requireNumber(options.seed, SEED[0], 'simulate', 'seed', SEED[1]);
  if (typeof scenario !== 'function')
    throw invalidOption('simulate', `scenario must be a function (system, sim) => …, got ${describe(scenario)}`);
  const { seed, timeoutMs, ...rest } = options;
  checkSystemOptions(rest, 'simulate', 'options');
  const outcome = await runSeed(seed, rest, scenario, checkTimeout(timeoutMs, 'simulate'));
  if (outcome.ok) return outcome.run;
  const error = outcome.error;
  if (error !== null && typeof error === 'object') Object.assign(error, { seed, digest: outcome.digest });
  throw error;
}

/** How `explore` runs. */
export interface ExploreOptions {
  /** How many seeds to run (default 100). */
  seeds?: number;
  /** The first seed (default 1): seeds `from` … `from + seeds − 1` run in order. */
  from?: number;
  /** Options of each run's system, or a function of the seed that makes them (a fresh journal per run). */
  system?: SimulatedSystemOptions | ((seed: number) => SimulatedSystemOptions);
  /** Real time a run may take before it fails (default 60 s). */
  timeoutMs?: number;
}

/** What `explore` ran: how many seeds passed, and how many distinct interleavings (turn digests) they took. */
export interface ExploreReport {
  seeds: number;
  interleavings: number;
}

/** BACTOR_SEED, when set: the one seed `explore` runs. */
function pinnedSeed(): number | null {
  const pinned = process.env.BACTOR_SEED;
  if (pinned === undefined || pinned === '') return null;
  const seed = /^\d+$/.test(pinned) ? Number(pinned) : NaN;
  if (!SEED[0](seed)) throw invalidOption('explore', `BACTOR_SEED must be ${SEED[1]} in decimal digits, got ${JSON.stringify(pinned)}`);
  return seed;
}

/**
 * Runs `scenario` once per seed, each in a fresh deterministic system, and rejects at the first
 * seed that fails with ERR_SIMULATION_FAILED: the message names the seed, `error.seed` has it
 * and `error.cause` is the scenario's error. Replay it with `simulate({ seed }, scenario)`, or run
 * the same test with BACTOR_SEED=<seed> in the environment: `explore` then runs that seed only.
 * A wrong option, or a system that does not start, rejects as such, not as a seed's failure.
 */
export async function explore(scenario: Scenario, options: ExploreOptions = {}): Promise<ExploreReport> {
  if (typeof scenario !== 'function')
    throw invalidOption('explore', `scenario must be a function (system, sim) => …, got ${describe(scenario)}`);
  checkBag(options, ['seeds', 'from', 'system', 'timeoutMs'], 'explore');
  checkNumber(options.seeds, isInteger(1, 1_000_000), 'explore', 'seeds', 'an integer from 1 to 1,000,000');
  checkNumber(options.from, SEED[0], 'explore', 'from', SEED[1]);
  const timeoutMs = checkTimeout(options.timeoutMs, 'explore');
  const system = options.system;
  if (system !== undefined && typeof system !== 'function') {
    if (system === null || typeof system !== 'object')
      throw invalidOption(
        'explore',
        `system must be options of ActorSystem.start or a function (seed) => options, got ${describe(system)}`,
      );
    checkSystemOptions(system, 'explore', 'system');
  }
  let first = options.from ?? 1;
  let count = options.seeds ?? 100;
  if (first + count - 1 > MAX_SEED)
    throw invalidOption('explore', `from + seeds − 1 = ${first + count - 1} is past the last seed, ${MAX_SEED}`);
  const pinned = pinnedSeed();
  if (pinned !== null) {
    first = pinned;
    count = 1;
  }
  const digests = new Set<string>();
  for (let seed = first; seed < first + count; seed++) {
    let systemOptions: SimulatedSystemOptions = {};
    if (typeof system === 'function') {
      systemOptions = system(seed);
      if (systemOptions === null || typeof systemOptions !== 'object')
        throw invalidOption('explore', `system(${seed}) must return options of ActorSystem.start, got ${describe(systemOptions)}`);
      checkSystemOptions(systemOptions, 'explore', `system(${seed})`);
    } else if (system !== undefined) systemOptions = system;
    const outcome = await runSeed(seed, systemOptions, scenario, timeoutMs);
    if (outcome.ok) {
      digests.add(outcome.run.digest);
      continue;
    }
    const cause = outcome.error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new BactorError(
      ErrorCode.SIMULATION_FAILED,
      `explore: seed ${seed} failed (${seed - first} seed(s) passed before it): ${reason}\n` +
        `  replay it: simulate({ seed: ${seed} }, scenario), or this test with BACTOR_SEED=${seed}`,
      { cause },
    );
    throw Object.assign(error, { seed, digest: outcome.digest }) as SimulationFailure;
  }
  return { seeds: count, interleavings: digests.size };
}
