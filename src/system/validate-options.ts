import os from 'node:os';
import { isValidCapacity, MAX_CAPACITY, MIN_CAPACITY } from '../../native-free-core/layout/ring-layout.js';
import { validateRemoteOptions } from '../remote/remote-options.js';
import { checkMonitoringOptions } from '../observability/monitoring-options.js';
import { checkTracingOptions } from '../observability/tracing/tracing-options.js';
import { checkLogging } from '../observability/system-log.js';
import { SPAWN_OPTION_KEYS, checkDefinition, checkSpawnArguments } from '../actor/spawn-options.js';
import { checkRoutingStrategy } from '../router/router.js';
import { checkSupervisorStrategy } from '../supervision/supervisor-strategy.js';
import { ManualClock } from '../runtime/clock.js';
import {
  checkBag,
  checkBoolean,
  checkNumber,
  checkOneOf,
  describe,
  invalidOption,
  isInteger,
  isNonNegative,
  isPositive,
  requireNumber,
} from '../util/option-bag.js';
import type { ActorSystemOptions } from './system-options.js';

/**
 * The checks of ActorSystem's public calls (start and the system's methods), run at the top of
 * each before anything starts or changes: a wrong option fails there with ERR_INVALID_OPTION,
 * naming the call, the key or value and what is allowed.
 */

const START = 'ActorSystem.start';

const SYSTEM_KEYS = [
  'workers',
  'ringCapacity',
  'guardian',
  'spins',
  'clock',
  'taskThreads',
  'dedicatedWorkers',
  'scheduler',
  'overflowLimit',
  'remote',
  'journal',
  'monitoring',
  'tracing',
  'logging',
  'deterministic',
] as const;
/** What makes a journal (see persistence/journal.ts). */
const JOURNAL_METHODS = ['write', 'replay', 'replayEach', 'highestSeq', 'deleteTo', 'saveSnapshot', 'loadSnapshot', 'close'] as const;
const SCHEDULER_KEYS = ['placement', 'adaptive', 'quantum', 'batch', 'latencyTargetMs', 'watchdog', 'intervalMs', 'rebalance'] as const;
const ADAPTIVE_KEYS = ['min', 'max', 'noise', 'windowMs', 'minUtilisation', 'momentum'] as const;
const WATCHDOG_KEYS = ['limitMs', 'restart'] as const;
const REBALANCE_KEYS = ['everyMs', 'minMessagesPerSecond', 'minImbalance'] as const;
/** The most worker threads a system has (participant numbers fit in a byte, the main thread is 0). */
export const MAX_THREADS = 254;

/** Checks the options of ActorSystem.start; returns them ({} for undefined). */
export function validateSystemOptions(options: unknown): ActorSystemOptions {
  const bag = checkBag(options, SYSTEM_KEYS, START);
  if (bag === undefined) return {};
  checkNumber(bag.workers, isInteger(0, MAX_THREADS), START, 'workers', `an integer from 0 to ${MAX_THREADS}`);
  checkNumber(bag.dedicatedWorkers, isInteger(0, MAX_THREADS), START, 'dedicatedWorkers', `an integer from 0 to ${MAX_THREADS}`);
  checkNumber(
    bag.ringCapacity,
    isValidCapacity,
    START,
    'ringCapacity',
    `a power of two from ${MIN_CAPACITY} to ${MAX_CAPACITY} (bytes of each ring's body)`,
  );
  if (bag.guardian !== undefined) checkSupervisorStrategy(bag.guardian, START, 'guardian');
  checkNumber(bag.spins, isInteger(0), START, 'spins', 'a non-negative integer');
  if (bag.clock !== undefined) {
    const clock = bag.clock as { now?: unknown } | null;
    if (clock === null || typeof clock !== 'object' || typeof clock.now !== 'function')
      throw invalidOption(START, `clock must be an object with a now() method (a ManualClock in tests), got ${describe(bag.clock)}`);
  }
  checkNumber(bag.taskThreads, isInteger(1), START, 'taskThreads', 'a positive integer');
  checkNumber(bag.overflowLimit, isInteger(1), START, 'overflowLimit', 'a positive integer');
  validateSchedulerOptions(bag.scheduler);
  validateRemoteOptions(bag.remote, START);
  checkMonitoringOptions(bag.monitoring, START);
  checkTracingOptions(bag.tracing, START);
  checkLogging(bag.logging, START);
  checkDeterministic(bag);
  if (bag.journal !== undefined) {
    const journal = bag.journal as Record<string, unknown> | null;
    const missing =
      journal === null || typeof journal !== 'object' ? JOURNAL_METHODS : JOURNAL_METHODS.filter((m) => typeof journal[m] !== 'function');
    if (missing.length > 0) {
      throw invalidOption(
        START,
        `journal must be a Journal (a SqliteJournal, a MemoryJournal, or an object with ${JOURNAL_METHODS.join(', ')}), got ${describe(bag.journal)} (missing ${missing.join(', ')})`,
      );
    }
  }
  return bag as ActorSystemOptions;
}

/** The pool's worker count of checked options (default: cores − 1, at least 1; 0 in deterministic mode); refuses more threads than the mesh holds. */
export function threadCounts(checked: ActorSystemOptions): number {
  const workers = checked.workers ?? (checked.deterministic ? 0 : Math.max(1, os.availableParallelism() - 1));
  const dedicated = checked.dedicatedWorkers ?? 0;
  if (workers + dedicated > MAX_THREADS)
    throw invalidOption(START, `workers + dedicatedWorkers = ${workers} + ${dedicated} must be at most ${MAX_THREADS}`);
  return workers;
}

/** Checks `deterministic`, and that nothing beside it needs a second thread or real time. */
function checkDeterministic(bag: Record<string, unknown>): void {
  const det = checkBag(bag.deterministic, ['seed'], START, 'deterministic');
  if (det === undefined) return;
  requireNumber(det.seed, isInteger(0, 2 ** 32 - 1), START, 'deterministic.seed', 'an integer from 0 to 4294967295');
  for (const key of ['workers', 'dedicatedWorkers'] as const) {
    if (bag[key] !== undefined && bag[key] !== 0)
      throw invalidOption(START, `deterministic runs everything on the main thread: ${key} must be 0 or absent, got ${describe(bag[key])}`);
  }
  if (bag.remote !== undefined) throw invalidOption(START, 'deterministic cannot be combined with remote (other nodes run in real time)');
  if (bag.clock !== undefined && !(bag.clock instanceof ManualClock))
    throw invalidOption(START, `deterministic needs a ManualClock as clock (or none: it makes one), got ${describe(bag.clock)}`);
}

/** Checks `scheduler` of ActorSystem.start and its nested options (watchdog, adaptive, rebalance). */
function validateSchedulerOptions(options: unknown): void {
  const bag = checkBag(options, SCHEDULER_KEYS, START, 'scheduler');
  if (bag === undefined) return;
  checkOneOf(bag.placement, ['least-loaded', 'round-robin'], START, 'scheduler.placement');
  checkNumber(bag.quantum, isInteger(1), START, 'scheduler.quantum', 'a positive integer');
  checkNumber(bag.batch, isInteger(1), START, 'scheduler.batch', 'a positive integer');
  checkNumber(bag.latencyTargetMs, isPositive, START, 'scheduler.latencyTargetMs', 'a positive number of ms');
  checkNumber(bag.intervalMs, (n) => n >= 1 && Number.isFinite(n), START, 'scheduler.intervalMs', 'a number of ms ≥ 1');
  if (bag.watchdog !== false) {
    const watchdog = checkBag(
      bag.watchdog,
      WATCHDOG_KEYS,
      START,
      'scheduler.watchdog',
      'pass false to turn it off, { restart: true } to interrupt',
    );
    checkNumber(watchdog?.limitMs, isPositive, START, 'scheduler.watchdog.limitMs', 'a positive number of ms');
    checkBoolean(watchdog?.restart, START, 'scheduler.watchdog.restart');
  }
  if (typeof bag.adaptive !== 'boolean') {
    const adaptive = checkBag(bag.adaptive, ADAPTIVE_KEYS, START, 'scheduler.adaptive', 'pass true, false or HillClimberOptions');
    if (adaptive !== undefined) {
      const where = START;
      checkNumber(adaptive.min, isInteger(1), where, 'scheduler.adaptive.min', 'a positive integer (the smallest quantum tried)');
      const min = (adaptive.min as number | undefined) ?? 10;
      checkNumber(adaptive.max, isInteger(min), where, 'scheduler.adaptive.max', `an integer ≥ min (${min})`);
      checkNumber(adaptive.noise, isNonNegative, where, 'scheduler.adaptive.noise', 'a share ≥ 0');
      checkNumber(adaptive.windowMs, isPositive, where, 'scheduler.adaptive.windowMs', 'a positive number of ms');
      checkNumber(adaptive.minUtilisation, (n) => n >= 0 && n <= 1, where, 'scheduler.adaptive.minUtilisation', 'a share from 0 to 1');
      checkBoolean(adaptive.momentum, where, 'scheduler.adaptive.momentum');
    }
  }
  if (typeof bag.rebalance !== 'boolean') {
    const rebalance = checkBag(bag.rebalance, REBALANCE_KEYS, START, 'scheduler.rebalance', 'pass true, false or RebalanceOptions');
    checkNumber(rebalance?.everyMs, (n) => n >= 10 && Number.isFinite(n), START, 'scheduler.rebalance.everyMs', '≥ 10 (ms)');
    checkNumber(rebalance?.minMessagesPerSecond, isNonNegative, START, 'scheduler.rebalance.minMessagesPerSecond', '≥ 0');
    checkNumber(rebalance?.minImbalance, (n) => n > 0 && n <= 1, START, 'scheduler.rebalance.minImbalance', 'a share of a core in (0, 1]');
  }
}

/** The options of spawnPool: a size, a routing strategy, and spawn options without a name. */
const POOL_KEYS = ['size', 'strategy', 'respawn', ...SPAWN_OPTION_KEYS.filter((k) => k !== 'name')];

/** Checks spawnPool's arguments (before any routee is spawned). */
export function validatePoolArguments(definition: unknown, options: unknown): void {
  checkDefinition(definition, 'spawnPool');
  const where = `spawnPool(${definition.name})`;
  const bag = checkBag(options, POOL_KEYS, where);
  if (bag === undefined) throw invalidOption(where, 'options { size, strategy } are required');
  const { size, strategy, respawn, ...spawnOptions } = bag;
  checkSpawnArguments(definition, spawnOptions, 'spawnPool', POOL_KEYS);
  requireNumber(size, isInteger(1), where, 'size', 'a positive integer');
  if (respawn !== undefined && typeof respawn !== 'boolean')
    throw invalidOption(where, `respawn must be true or false, got ${describe(respawn)}`);
  checkRoutingStrategy(strategy, where);
}

/** Checks the options of system.shutdown. */
export function validateShutdownOptions(options: unknown): void {
  const bag = checkBag(options, ['timeoutMs'], 'shutdown');
  checkNumber(bag?.timeoutMs, isNonNegative, 'shutdown', 'timeoutMs', 'a finite number of ms ≥ 0');
}

/** Checks the name given to system.lookup. */
export function validateLookupName(name: unknown, where = 'lookup'): void {
  if (typeof name !== 'string' || name.length === 0)
    throw invalidOption(where, `name must be a non-empty string (the name given at spawn), got ${describe(name)}`);
}

/** Checks the worker number of move / terminateWorker against the system's workers. */
export function validateWorkerNumber(worker: unknown, where: string, name: string, last: number): void {
  requireNumber(worker, isInteger(1, last), where, name, last >= 1 ? `from 1 to ${last}` : 'a worker number, but the system has no worker');
}
