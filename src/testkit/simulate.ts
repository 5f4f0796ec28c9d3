import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { ActorSystem, type ActorSystemOptions } from '../system/actor-system.js';
import type { Simulation } from '../system/simulation.js';
import { checkBag, describe, invalidOption, isInteger, requireNumber, checkNumber } from '../util/option-bag.js';

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

const SEED_CHECK = [isInteger(0, 2 ** 32 - 1), 'an integer from 0 to 4294967295'] as const;

/**
 * Runs `scenario` once in a deterministic system started with `seed` (and `options`), then shuts
 * the system down. Resolves with the run's result, turn count and digest; a failing scenario
 * rejects with its own error. The same seed replays the same interleaving.
 */
export async function simulate<T>(options: { seed: number } & SimulatedSystemOptions, scenario: Scenario<T>): Promise<SimulationRun<T>> {
  if (options === null || typeof options !== 'object')
    throw invalidOption('simulate', `options must be { seed, ... }, got ${describe(options)}`);
  requireNumber(options.seed, SEED_CHECK[0], 'simulate', 'seed', SEED_CHECK[1]);
  if (typeof scenario !== 'function')
    throw invalidOption('simulate', `scenario must be a function (system, sim) => …, got ${describe(scenario)}`);
  const { seed, ...rest } = options;
  const system = await ActorSystem.start({ ...rest, deterministic: { seed } } as ActorSystemOptions);
  const sim = system.simulation!;
  try {
    const result = await scenario(system, sim);
    return { seed, result, turns: sim.turns, digest: sim.digest, virtualMs: sim.clock.now() };
  } catch (error) {
    if (error !== null && typeof error === 'object') Object.assign(error as object, { seed, digest: sim.digest });
    throw error;
  } finally {
    await system.shutdown();
  }
}

/** How `explore` runs. */
export interface ExploreOptions {
  /** How many seeds to run (default 100). */
  seeds?: number;
  /** The first seed (default 1): seeds `from` … `from + seeds − 1` run in order. */
  from?: number;
  /** Options of each run's system. */
  system?: SimulatedSystemOptions;
}

/** What `explore` ran: how many seeds passed, and how many distinct interleavings (turn digests) they took. */
export interface ExploreReport {
  seeds: number;
  interleavings: number;
}

/**
 * Runs `scenario` once per seed, each in a fresh deterministic system, and rejects at the first
 * seed that fails with ERR_SIMULATION_FAILED: the message names the seed, `error.seed` has it
 * and `error.cause` is the scenario's error. Replay it with `simulate({ seed }, scenario)`, or run
 * the same test with BACTOR_SEED=<seed> in the environment: `explore` then runs that seed only.
 */
export async function explore(scenario: Scenario, options: ExploreOptions = {}): Promise<ExploreReport> {
  if (typeof scenario !== 'function')
    throw invalidOption('explore', `scenario must be a function (system, sim) => …, got ${describe(scenario)}`);
  checkBag(options, ['seeds', 'from', 'system'], 'explore');
  checkNumber(options.seeds, isInteger(1, 1_000_000), 'explore', 'seeds', 'an integer from 1 to 1,000,000');
  checkNumber(options.from, SEED_CHECK[0], 'explore', 'from', SEED_CHECK[1]);
  if (options.system !== undefined && (options.system === null || typeof options.system !== 'object'))
    throw invalidOption('explore', `system must be an options object of ActorSystem.start, got ${describe(options.system)}`);
  let first = options.from ?? 1;
  let count = options.seeds ?? 100;
  const pinned = process.env.BACTOR_SEED;
  if (pinned !== undefined && pinned !== '') {
    const seed = Number(pinned);
    if (!SEED_CHECK[0](seed)) throw invalidOption('explore', `BACTOR_SEED must be ${SEED_CHECK[1]}, got ${JSON.stringify(pinned)}`);
    first = seed;
    count = 1;
  }
  const digests = new Set<string>();
  let ran = 0;
  for (let seed = first; seed < first + count && seed <= 2 ** 32 - 1; seed++) {
    try {
      const run = await simulate({ ...options.system, seed }, scenario);
      digests.add(run.digest);
      ran++;
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const digest = (cause as { digest?: string } | null)?.digest ?? '';
      const error = new BactorError(
        ErrorCode.SIMULATION_FAILED,
        `explore: seed ${seed} failed (${seed - first} seed(s) passed before it): ${reason}\n` +
          `  replay it: simulate({ seed: ${seed} }, scenario), or this test with BACTOR_SEED=${seed}`,
        { cause },
      );
      throw Object.assign(error, { seed, digest }) as SimulationFailure;
    }
  }
  return { seeds: ran, interleavings: digests.size };
}
