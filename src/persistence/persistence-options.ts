import { checkBag, checkBoolean, checkFunction, checkNumber, describe, invalidOption, isInteger } from '../util/option-bag.js';

/**
 * An event-sourced actor (`behavior.persistence` with `apply`): its handlers record what happened
 * with `ctx.persist(event)`; the journal keeps the events; `apply` folds each into the state —
 * after it is stored, and again when the actor starts (recovery, also after a restart or the
 * re-creation of its worker).
 */
export interface EventSourcedOptions<S, A> {
  /** The persistence id from the spawn arguments: one live actor per id (a second writer's persist fails with ERR_PERSISTENCE_CONFLICT). */
  id(args: A): string;
  /** Applies one event to the state: mutate it and return nothing, or return the next state. No side effects: it runs again at every recovery. */
  apply(state: S, event: unknown): S | void;
  /** Saves a snapshot of the state after every this many events (recovery then starts from it). Default: none. */
  snapshotEvery?: number;
  /** With snapshotEvery: delete the events a saved snapshot covers. Default false. */
  deleteOnSnapshot?: boolean;
}

/**
 * A durable-state actor (`behavior.persistence` with `durableState: true`): `ctx.persist(state)`
 * stores the whole state (each call a new revision, `ctx.lastSequenceNr`); the actor starts from
 * the last one stored.
 */
export interface DurableStateOptions<A> {
  id(args: A): string;
  durableState: true;
}

export type PersistenceOptions<S, A> = EventSourcedOptions<S, A> | DurableStateOptions<A>;

const KEYS = ['id', 'apply', 'snapshotEvery', 'deleteOnSnapshot', 'durableState'] as const;

/** Checks `behavior.persistence`: an id function, and either `apply` (event sourcing) or `durableState: true`. */
export function checkPersistenceOptions(value: unknown, where: string): void {
  const bag = checkBag(value, KEYS, where, 'behavior.persistence', 'pass { id: (args) => string, apply: (state, event) => … }');
  if (bag === undefined) return;
  if (typeof bag.id !== 'function')
    throw invalidOption(where, `behavior.persistence.id must be a function (args) => string, got ${describe(bag.id)}`);
  checkFunction(bag.apply, where, 'behavior.persistence.apply');
  checkBoolean(bag.durableState, where, 'behavior.persistence.durableState');
  const durable = bag.durableState === true;
  if (durable === (bag.apply !== undefined)) {
    throw invalidOption(
      where,
      durable
        ? 'behavior.persistence has both apply and durableState: an actor is event-sourced (apply) or keeps durable state, not both'
        : 'behavior.persistence needs apply(state, event) for an event-sourced actor, or durableState: true',
    );
  }
  checkNumber(bag.snapshotEvery, isInteger(1), where, 'behavior.persistence.snapshotEvery', 'an integer ≥ 1');
  checkBoolean(bag.deleteOnSnapshot, where, 'behavior.persistence.deleteOnSnapshot');
  if (durable && (bag.snapshotEvery !== undefined || bag.deleteOnSnapshot !== undefined))
    throw invalidOption(
      where,
      'behavior.persistence: snapshotEvery and deleteOnSnapshot are for event-sourced actors (durable state keeps only its last revision)',
    );
}

/** The persistence id of an actor spawned with `args`: a non-empty string, or ERR_INVALID_OPTION. */
export function persistenceIdOf(options: PersistenceOptions<unknown, unknown>, args: unknown, actor: string): string {
  const id = options.id(args);
  if (typeof id !== 'string' || id.length === 0)
    throw invalidOption(actor, `behavior.persistence.id(args) must return a non-empty string, got ${describe(id)}`);
  return id;
}
