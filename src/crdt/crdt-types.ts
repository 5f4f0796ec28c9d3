import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { GCounter, PNCounter } from './counters.js';
import { LWWMap, LWWRegister } from './registers.js';
import { GSet, ORSet } from './sets.js';

/**
 * The replicated data types by name, so that an update can cross threads and nodes as data: a
 * named operation with its arguments (`{ op: 'increment', args: [5] }`), applied by the
 * replicator that holds the value with its own replica id. Each entry has `empty`, `merge`, the
 * operations and `value` (what a read returns).
 */

/** What each type's operations take and what a read of it gives; `E` is the element (or value) type. */
export interface CrdtSpec<E = unknown> {
  GCounter: { state: GCounter; value: number; ops: { increment: [by?: number] } };
  PNCounter: { state: PNCounter; value: number; ops: { increment: [by?: number]; decrement: [by?: number] } };
  GSet: { state: GSet<E>; value: E[]; ops: { add: [element: E] } };
  ORSet: { state: ORSet<E>; value: E[]; ops: { add: [element: E]; remove: [element: E] } };
  LWWRegister: { state: LWWRegister<E | null>; value: E | null; ops: { set: [value: E] } };
  LWWMap: { state: LWWMap<E>; value: Record<string, E>; ops: { set: [key: string, value: E]; remove: [key: string] } };
}

export type CrdtType = keyof CrdtSpec;
export type CrdtOp<T extends CrdtType> = keyof CrdtSpec[T]['ops'] & string;
export type CrdtOpArgs<T extends CrdtType, O extends CrdtOp<T>, E = unknown> = CrdtSpec<E>[T]['ops'][O] & unknown[];
export type CrdtValue<T extends CrdtType, E = unknown> = CrdtSpec<E>[T]['value'];

/**
 * A key of a replicated store with the type of its value (as Akka's `GCounterKey("hits")`):
 * plain data, so it travels in messages. `E` types the elements of sets, registers and maps.
 */
export interface CrdtKey<T extends CrdtType = CrdtType, E = unknown> {
  readonly id: string;
  readonly type: T;
  /** Type marker of the elements (never set). */
  readonly __element?: E;
}

/** `crdtKey('hits', 'GCounter')`, `crdtKey<'ORSet', string>('cart-7', 'ORSet')`. */
export function crdtKey<T extends CrdtType, E = unknown>(id: string, type: T): CrdtKey<T, E> {
  checkKey({ id, type }, 'crdtKey');
  return { id, type };
}

/** One type's entry: states and arguments are erased to unknown (the typed face is CrdtSpec). */
export interface CrdtEntry {
  empty(): unknown;
  merge(a: unknown, b: unknown): unknown;
  value(state: unknown): unknown;
  /** Each operation: the new state, applied by `replica` (its id in the state) at `now` (ms). */
  ops: Record<string, (state: unknown, replica: string, args: readonly unknown[], now: number) => unknown>;
}

const num = (args: readonly unknown[]): number | undefined => {
  const by = args[0];
  if (by !== undefined && typeof by !== 'number') throw new RangeError(`by must be a number, got ${typeof by}`);
  return by;
};
const key = (args: readonly unknown[]): string => {
  if (typeof args[0] !== 'string') throw new RangeError(`the map key must be a string, got ${typeof args[0]}`);
  return args[0];
};

export const CRDT_TYPES: Readonly<Record<CrdtType, CrdtEntry>> = {
  GCounter: {
    empty: GCounter.empty,
    merge: (a, b) => GCounter.merge(a as GCounter, b as GCounter),
    value: (s) => GCounter.value(s as GCounter),
    ops: { increment: (s, r, args) => GCounter.increment(s as GCounter, r, num(args)) },
  },
  PNCounter: {
    empty: PNCounter.empty,
    merge: (a, b) => PNCounter.merge(a as PNCounter, b as PNCounter),
    value: (s) => PNCounter.value(s as PNCounter),
    ops: {
      increment: (s, r, args) => PNCounter.increment(s as PNCounter, r, num(args)),
      decrement: (s, r, args) => PNCounter.decrement(s as PNCounter, r, num(args)),
    },
  },
  GSet: {
    empty: GSet.empty,
    merge: (a, b) => GSet.merge(a as GSet<unknown>, b as GSet<unknown>),
    value: (s) => GSet.values(s as GSet<unknown>),
    ops: { add: (s, _r, args) => GSet.add(s as GSet<unknown>, args[0]) },
  },
  ORSet: {
    empty: ORSet.empty,
    merge: (a, b) => ORSet.merge(a as ORSet<unknown>, b as ORSet<unknown>),
    value: (s) => ORSet.values(s as ORSet<unknown>),
    ops: {
      add: (s, r, args) => ORSet.add(s as ORSet<unknown>, r, args[0]),
      remove: (s, _r, args) => ORSet.remove(s as ORSet<unknown>, args[0]),
    },
  },
  LWWRegister: {
    // Never written: loses to any write (time 0, the smallest replica name).
    empty: () => LWWRegister.of(null, '', 0),
    merge: (a, b) => LWWRegister.merge(a as LWWRegister<unknown>, b as LWWRegister<unknown>),
    value: (s) => (s as LWWRegister<unknown>).value,
    ops: { set: (s, r, args, now) => LWWRegister.set(s as LWWRegister<unknown>, args[0], r, now) },
  },
  LWWMap: {
    empty: LWWMap.empty,
    merge: (a, b) => LWWMap.merge(a as LWWMap<unknown>, b as LWWMap<unknown>),
    value: (s) => LWWMap.toObject(s as LWWMap<unknown>),
    ops: {
      set: (s, r, args, now) => LWWMap.set(s as LWWMap<unknown>, key(args), args[1], r, now),
      remove: (s, r, args, now) => LWWMap.remove(s as LWWMap<unknown>, key(args), r, now),
    },
  },
};

/** Operations whose arguments are required (the others take an optional `by`). */
const REQUIRED_ARGS: Record<string, number> = {
  'GSet.add': 1,
  'ORSet.add': 1,
  'ORSet.remove': 1,
  'LWWRegister.set': 1,
  'LWWMap.set': 2,
  'LWWMap.remove': 1,
};

const TYPE_NAMES = Object.keys(CRDT_TYPES) as CrdtType[];

/** The entry of `type`; throws ERR_INVALID_ARGUMENT naming the known types. */
export function crdtEntry(type: unknown, where: string): CrdtEntry {
  if (typeof type === 'string' && Object.hasOwn(CRDT_TYPES, type)) return CRDT_TYPES[type as CrdtType];
  throw new BactorError(ErrorCode.INVALID_ARGUMENT, `${where}: unknown CRDT type ${JSON.stringify(type)}; known: ${TYPE_NAMES.join(', ')}`);
}

/** Checks a key: `{ id: non-empty string, type: a known type }`. */
export function checkKey(key: unknown, where: string): asserts key is CrdtKey {
  const k = key as Partial<CrdtKey> | null;
  if (k === null || typeof k !== 'object' || typeof k.id !== 'string' || k.id === '')
    throw new BactorError(
      ErrorCode.INVALID_ARGUMENT,
      `${where}: a key is { id: a non-empty string, type } (crdtKey(id, type)), got ${JSON.stringify(key)}`,
    );
  crdtEntry(k.type, where);
}

/**
 * Applies `op(args)` of `type` to `state` as `replica`: the new state. A wrong op or arguments
 * (a negative GCounter increment, a map key that is not a string) throw ERR_INVALID_ARGUMENT.
 */
export function applyOp(type: CrdtType, state: unknown, op: string, args: readonly unknown[], replica: string, now: number): unknown {
  const entry = CRDT_TYPES[type];
  const fn = Object.hasOwn(entry.ops, op) ? entry.ops[op] : undefined;
  if (fn === undefined)
    throw new BactorError(
      ErrorCode.INVALID_ARGUMENT,
      `${type} has no operation ${JSON.stringify(op)}; it has ${Object.keys(entry.ops).join(', ')}`,
    );
  if (!Array.isArray(args)) throw new BactorError(ErrorCode.INVALID_ARGUMENT, `${type}.${op}: args must be an array, got ${typeof args}`);
  const min = REQUIRED_ARGS[`${type}.${op}`] ?? 0;
  if (args.length < min || args.slice(0, min).includes(undefined))
    throw new BactorError(ErrorCode.INVALID_ARGUMENT, `${type}.${op} takes ${min} argument(s), got ${JSON.stringify(args)}`);
  try {
    return fn(state, replica, args, now);
  } catch (error) {
    throw new BactorError(ErrorCode.INVALID_ARGUMENT, `${type}.${op}: ${(error as Error).message}`, { cause: error });
  }
}
