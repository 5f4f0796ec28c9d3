import { type MailboxOptions, validateMailboxOptions } from '../mailbox/mailbox.js';
import { checkBag, checkNumber, checkOneOf, describe, invalidOption, isInteger, show } from '../util/option-bag.js';
import type { ActorDefinition } from './actor-definition.js';

/** Where an actor runs. */
export type Dispatcher =
  /** On the worker pool (the default), placed by the scheduler. */
  | 'pool'
  /** On the main thread, for glue code and tests. */
  | 'inline'
  /** Alone on a worker reserved for it (ActorSystemOptions.dedicatedWorkers): for actors that block. */
  | 'dedicated';

export interface SpawnOptions {
  /** A name to look the actor up by (`system.lookup(name)`); unique per system. */
  name?: string;
  /** Where it runs. Default 'pool'. */
  dispatcher?: Dispatcher;
  /** Pin to this worker (1-based worker index). */
  worker?: number;
  /** Put it on the worker of this actor (a chatty pair shares a thread: no ring between them). */
  near?: { readonly participant: number };
  /**
   * Messages per actor turn before the worker moves on to the next actor; the turn also ends
   * after the message during which its handlers' sends reach this number (a producer yields to
   * its consumer). Default: the worker's quantum (100, tuned by the scheduler).
   */
  throughput?: number;
  /** Overrides the definition's mailbox. */
  mailbox?: MailboxOptions;
}

/** The keys of SpawnOptions. */
export const SPAWN_OPTION_KEYS = ['name', 'dispatcher', 'worker', 'near', 'throughput', 'mailbox'] as const;

/** Throws ERR_INVALID_OPTION unless `definition` is an actor definition (as defineActor makes them). */
export function checkDefinition(definition: unknown, where: string): asserts definition is ActorDefinition<unknown, unknown, unknown> {
  const d = definition as Partial<ActorDefinition<unknown, unknown, unknown>> | null;
  if (
    d === null ||
    typeof d !== 'object' ||
    typeof d.moduleUrl !== 'string' ||
    typeof d.name !== 'string' ||
    typeof d.behavior?.init !== 'function' ||
    typeof d.behavior.receive !== 'function'
  ) {
    throw invalidOption(where, `the first argument must be an actor definition made by defineActor, got ${describe(definition)}`);
  }
}

/**
 * Checks the definition and options of a spawn (system.spawn, spawnPool, ctx.spawn) where it is
 * called: unknown keys and values of the wrong type. `allowed` narrows the keys (spawnPool takes
 * no name). Which workers exist is checked by the system.
 */
export function checkSpawnArguments(
  definition: unknown,
  options: unknown,
  call = 'spawn',
  allowed: readonly string[] = SPAWN_OPTION_KEYS,
): asserts definition is ActorDefinition<unknown, unknown, unknown> {
  checkDefinition(definition, call);
  if (options === undefined) return;
  const where = `${call}(${definition.name})`;
  const bag = checkBag(options, allowed, where)!;
  if (bag.name !== undefined && (typeof bag.name !== 'string' || bag.name.length === 0))
    throw invalidOption(where, `name=${show(bag.name)} must be a non-empty string`);
  checkOneOf(bag.dispatcher, DISPATCHERS, where, 'dispatcher');
  checkNumber(bag.worker, isInteger(1), where, 'worker', 'a worker number (an integer from 1)');
  const near = bag.near as { participant?: unknown } | undefined;
  if (near !== undefined && (near === null || typeof near !== 'object' || !Number.isInteger(near.participant)))
    throw invalidOption(where, `near must be an ActorRef, got ${describe(near)}`);
  checkNumber(bag.throughput, isInteger(1), where, 'throughput', 'a positive integer');
  validateMailboxOptions(bag.mailbox as MailboxOptions | undefined, where);
}

const DISPATCHERS: readonly Dispatcher[] = ['pool', 'inline', 'dedicated'];
