import { BactorError, ErrorCode } from '../errors/error-codes.js';

/**
 * Checks of the options and arguments of public calls. An option bag is a plain object or
 * `undefined` (the defaults); an unknown key is an error that names it, the call and the keys
 * allowed there (with the closest one when it looks like a typo), so a misspelt option never runs
 * silently with its default. Every check throws ERR_INVALID_OPTION.
 */

/** The error of a bad option or argument of `where` (the call that received it). */
export function invalidOption(where: string, text: string): BactorError {
  return new BactorError(ErrorCode.INVALID_OPTION, `${where}: ${text}`);
}

const MAX_SHOWN = 60;

function clip(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

function shortJson(value: unknown): string {
  try {
    return clip(JSON.stringify(value) ?? String(value));
  } catch {
    return Array.isArray(value) ? '[…]' : '{…}';
  }
}

/** A plain object: `{…}` or `Object.create(null)`, not an array, a class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A value as it reads after `name=` in a message: `-1`, `"2"`, `{"kind":"x"}`, `[function f]`. */
export function show(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return clip(JSON.stringify(value));
    case 'function':
      return `[function${value.name ? ` ${value.name}` : ''}]`;
    case 'symbol':
      return value.toString();
    case 'bigint':
      return `${value}n`;
    case 'object':
      if (value === null) return 'null';
      if (isPlainObject(value) || Array.isArray(value)) return shortJson(value);
      return `[${(value as object).constructor?.name ?? 'object'}]`;
    default:
      return String(value);
  }
}

/** A value as it reads after "got": `the number 5`, `the string "x"`, `null`, `an array []`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array ${show(value)}`;
  switch (typeof value) {
    case 'function':
      return `a function ${show(value)}`;
    case 'object':
      return isPlainObject(value)
        ? `the object ${show(value)}`
        : `an instance of ${(value as object).constructor?.name ?? 'an unknown class'}`;
    default:
      return `the ${typeof value} ${show(value)}`;
  }
}

/** Levenshtein distance (small strings only: option names). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/** The allowed name closest to `name`, if one is within two edits (case ignored). */
export function closestName(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let distance = 3;
  for (const candidate of allowed) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < distance) {
      distance = d;
      best = candidate;
    }
  }
  return best;
}

/** `'a', 'b' or 'c'`. */
export function listOf(names: readonly string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/**
 * Checks an option bag of `where`: returns it (a plain object whose keys are all in `allowed`),
 * or undefined when it is undefined (the defaults). `what` names the bag in messages: `options`,
 * `scheduler.watchdog`, … `hint` is added when the value is not an object (`pass { timeout }`).
 */
export function checkBag(
  value: unknown,
  allowed: readonly string[],
  where: string,
  what = 'options',
  hint = '',
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw invalidOption(
      where,
      `${what} must be an object (or undefined for the defaults), got ${describe(value)}${hint ? `: ${hint}` : ''}`,
    );
  }
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const near = closestName(key, allowed);
    const path = what === 'options' ? `'${key}'` : `'${what}.${key}'`;
    throw invalidOption(
      where,
      `unknown option ${path}${near !== undefined ? ` (did you mean '${near}'?)` : ''}; ${what} allows ${allowed.length === 0 ? 'no keys' : listOf(allowed)}`,
    );
  }
  return value;
}

/** Throws unless `value` is undefined or a number for which `ok` holds; `requirement` reads after "must be". */
export function checkNumber(value: unknown, ok: (n: number) => boolean, where: string, name: string, requirement: string): void {
  if (value !== undefined) requireNumber(value, ok, where, name, requirement);
}

/** `checkNumber` for an argument that has no default: undefined is an error too. */
export function requireNumber(value: unknown, ok: (n: number) => boolean, where: string, name: string, requirement: string): void {
  if (typeof value !== 'number' || !ok(value)) throw invalidOption(where, `${name}=${show(value)} must be ${requirement}`);
}

export const isInteger =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (n: number): boolean =>
    Number.isInteger(n) && n >= min && n <= max;
export const isPositive = (n: number): boolean => n > 0 && Number.isFinite(n);
export const isNonNegative = (n: number): boolean => n >= 0 && Number.isFinite(n);

/** Throws unless `value` is undefined or one of `allowed`. */
export function checkOneOf(value: unknown, allowed: readonly unknown[], where: string, name: string): void {
  if (value === undefined || allowed.includes(value)) return;
  throw invalidOption(where, `${name}=${show(value)} must be ${listOf(allowed.map(String))}`);
}

/** Throws unless `value` is undefined or a function. */
export function checkFunction(value: unknown, where: string, name: string): void {
  if (value === undefined || typeof value === 'function') return;
  throw invalidOption(where, `${name} must be a function, got ${describe(value)}`);
}

/** Throws unless `value` is undefined or a boolean. */
export function checkBoolean(value: unknown, where: string, name: string): void {
  if (value === undefined || typeof value === 'boolean') return;
  throw invalidOption(where, `${name}=${show(value)} must be true or false`);
}
