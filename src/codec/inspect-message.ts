import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { NegativeZero, hasMessageClass } from './message-classes.js';

/** Deepest nesting a message may have; deeper usually means a cycle. */
export const MAX_DEPTH = 512;

const TYPED_ARRAY_PROTO = Object.getPrototypeOf(Uint8Array.prototype) as object;

/** Prototypes of the built-in classes the codec carries. */
const BUILTIN_PROTOS = new Set<object>([
  Date.prototype,
  Map.prototype,
  Set.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Error.prototype,
  TypeError.prototype,
  RangeError.prototype,
  SyntaxError.prototype,
  ReferenceError.prototype,
  EvalError.prototype,
  URIError.prototype,
]);

interface Problem {
  path: string;
  what: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
function prefixKey(key: string | number, rest: string): string {
  if (typeof key === 'number') return `[${key}]${rest}`;
  return IDENTIFIER.test(key) ? `.${key}${rest}` : `[${JSON.stringify(key)}]${rest}`;
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `a symbol (${String(value)})`;
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor;
  return `an instance of ${ctor?.name || 'an unnamed class'} with no registered codec (see registerMessageClass)`;
}

/** Set while a walk meets a -0 nested below the top level. */
let sawNegativeZero = false;

function check(value: unknown, depth: number): Problem | null {
  switch (typeof value) {
    case 'number':
      if (value === 0 && 1 / value < 0) sawNegativeZero = true;
      return null;
    case 'string':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return null;
    case 'function':
    case 'symbol':
      return { path: '', what: describe(value) };
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) return { path: '', what: `nesting deeper than ${MAX_DEPTH} levels (a cycle?)` };
  const proto = Object.getPrototypeOf(value) as object | null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = check(value[i], depth + 1);
      if (p !== null) return { path: prefixKey(i, p.path), what: p.what };
    }
    return null;
  }
  if (proto === Object.prototype || proto === null) {
    const obj = value as Record<string, unknown>;
    for (const key in obj) {
      const p = check(obj[key], depth + 1);
      if (p !== null) return { path: prefixKey(key, p.path), what: p.what };
    }
    return null;
  }
  if (value instanceof Map) {
    let i = 0;
    for (const [k, v] of value) {
      let p = check(k, depth + 1);
      if (p !== null) return { path: `.<map key ${i}>${p.path}`, what: p.what };
      p = check(v, depth + 1);
      if (p !== null) return { path: prefixKey(typeof k === 'string' ? k : `<map value ${i}>`, p.path), what: p.what };
      i++;
    }
    return proto === Map.prototype ? null : { path: '', what: describe(value) };
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) {
      const p = check(v, depth + 1);
      if (p !== null) return { path: `.<set item ${i}>${p.path}`, what: p.what };
      i++;
    }
    return proto === Set.prototype ? null : { path: '', what: describe(value) };
  }
  if (proto !== null && (BUILTIN_PROTOS.has(proto) || Object.getPrototypeOf(proto) === TYPED_ARRAY_PROTO)) return null;
  if (proto !== null && hasMessageClass(proto)) return null;
  return { path: '', what: describe(value) };
}

/**
 * Checks that the codec can carry `value`; throws `ERR_UNSERIALIZABLE_MESSAGE` naming the path
 * of the first value it cannot (`msg.items[3].cb`). Returns true when the message holds a
 * nested -0 (see `replaceNegativeZero`).
 */
export function inspectMessage(value: unknown): boolean {
  sawNegativeZero = false;
  const problem = check(value, 0);
  if (problem !== null) {
    // Too deep: name the cycle if there is one, with a short path (the walk's own path is 512 steps long).
    const cycle = problem.what.startsWith('nesting deeper') ? findCycle(value, '', new Map(), 0) : null;
    const text =
      cycle !== null
        ? `cannot send msg${cycle.path}: it refers back to msg${cycle.to} (a cycle: the codec carries trees of values)`
        : `cannot send msg${shorten(problem.path)}: it is ${problem.what}`;
    throw new BactorError(ErrorCode.UNSERIALIZABLE_MESSAGE, text);
  }
  return sawNegativeZero;
}

/** A path cut to its first and last steps when it is long. */
function shorten(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 80)}…${path.slice(-80)}`;
}

/** The first object reached again below itself (arrays, plain objects, Maps and Sets): where, and which ancestor it is. */
function findCycle(value: unknown, path: string, ancestors: Map<object, string>, depth: number): { path: string; to: string } | null {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return null;
  const seen = ancestors.get(value);
  if (seen !== undefined) return { path: shorten(path), to: shorten(seen) };
  ancestors.set(value, path);
  let found: { path: string; to: string } | null = null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && found === null; i++) found = findCycle(value[i], `${path}[${i}]`, ancestors, depth + 1);
  } else if (value instanceof Map) {
    for (const [k, v] of value)
      if (found === null) found = findCycle(v, `${path}${prefixKey(typeof k === 'string' ? k : '<map value>', '')}`, ancestors, depth + 1);
  } else if (value instanceof Set) {
    let i = 0;
    for (const v of value) if (found === null) found = findCycle(v, `${path}.<set item ${i++}>`, ancestors, depth + 1);
  } else {
    const obj = value as Record<string, unknown>;
    for (const key in obj) {
      if (found !== null) break;
      found = findCycle(obj[key], path + prefixKey(key, ''), ancestors, depth + 1);
    }
  }
  ancestors.delete(value);
  return found;
}

/** A copy of `value` with each nested -0 replaced by a `NegativeZero` marker (rare path). */
export function replaceNegativeZero(value: unknown): unknown {
  if (typeof value === 'number') return value === 0 && 1 / value < 0 ? new NegativeZero() : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(replaceNegativeZero);
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = proto === null ? (Object.create(null) as Record<string, unknown>) : {};
    for (const key in value as Record<string, unknown>) out[key] = replaceNegativeZero((value as Record<string, unknown>)[key]);
    return out;
  }
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [replaceNegativeZero(k), replaceNegativeZero(v)]));
  if (value instanceof Set) return new Set([...value].map(replaceNegativeZero));
  return value;
}
