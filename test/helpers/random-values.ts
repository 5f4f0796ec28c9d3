import type { Prng } from './prng.js';

const KEY_POOL = ['type', 'id', 'value', 'name', 'x', 'y', 'payload', 'ok', 'é', 'a b', '0', '12', 'ключ', '🎉'];

/** A random string of any Unicode scalar values (no lone surrogates), ASCII-heavy. */
export function randomString(prng: Prng, maxLength: number): string {
  const n = prng.int(maxLength + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = prng.int(10);
    if (r < 6) s += String.fromCharCode(32 + prng.int(95));
    else if (r < 8) s += String.fromCharCode(0x80 + prng.int(0x7ff - 0x80));
    else if (r < 9) s += String.fromCharCode(0x800 + prng.int(0xd7ff - 0x800));
    else s += String.fromCodePoint(0x10000 + prng.int(0x10ffff - 0x10000));
  }
  return s;
}

function randomNumber(prng: Prng): number {
  switch (prng.int(9)) {
    case 0:
      return prng.int(128);
    case 1:
      return prng.int(0x7fffffff) - 0x40000000;
    case 2:
      return (prng.float() - 0.5) * 1e12;
    case 3:
      return [-0, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, -1][prng.int(7)]!;
    case 4:
      return prng.int(2 ** 31) * 2 ** 21;
    default:
      return prng.int(1000) - 500;
  }
}

function randomPrimitive(prng: Prng): unknown {
  switch (prng.int(7)) {
    case 0:
      return randomNumber(prng);
    case 1:
      return randomString(prng, prng.int(4) === 0 ? 200 : 12);
    case 2:
      return prng.int(2) === 0;
    case 3:
      return null;
    case 4:
      return undefined;
    default:
      return randomNumber(prng);
  }
}

/** A flat object of primitives: the fast path. Keys from a pool, so shapes repeat. */
export function randomFlat(prng: Prng): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = prng.int(6);
  for (let i = 0; i < n; i++) o[KEY_POOL[prng.int(KEY_POOL.length)]!] = randomPrimitive(prng);
  return o;
}

/** Any value a message may hold, nested up to `depth`. */
export function randomValue(prng: Prng, depth = 3): unknown {
  const r = prng.int(depth > 0 ? 16 : 6);
  switch (r) {
    case 0:
    case 1:
    case 2:
      return randomPrimitive(prng);
    case 3:
      return BigInt(prng.int(1000) - 500) * 10n ** BigInt(prng.int(30));
    case 4:
      return new Date(prng.int(2 ** 31) * 1000);
    case 5: {
      const kinds = [Uint8Array, Int16Array, Uint32Array, Float32Array, Float64Array, Int8Array] as const;
      const Kind = kinds[prng.int(kinds.length)]!;
      return new Kind(Array.from({ length: prng.int(20) }, () => prng.int(100)));
    }
    case 6:
    case 7:
      return randomFlat(prng);
    case 8:
    case 9:
      return Array.from({ length: prng.int(5) }, () => randomValue(prng, depth - 1));
    case 10:
    case 11: {
      const o: Record<string, unknown> = {};
      const n = prng.int(5);
      for (let i = 0; i < n; i++)
        o[KEY_POOL[prng.int(KEY_POOL.length)]! + (prng.int(3) === 0 ? String(prng.int(50)) : '')] = randomValue(prng, depth - 1);
      return o;
    }
    case 12:
      return new Map(Array.from({ length: prng.int(4) }, () => [randomPrimitive(prng), randomValue(prng, depth - 1)] as const));
    case 13:
      return new Set(Array.from({ length: prng.int(4) }, () => randomPrimitive(prng)));
    case 14:
      return { nested: { deeper: [randomValue(prng, depth - 1), -0] } };
    default:
      return randomString(prng, 40);
  }
}

/** A message for the stress tests: mostly fast-path shapes, sometimes anything, rarely large. */
export function randomMessage(prng: Prng, largeEvery: number): unknown {
  if (largeEvery > 0 && prng.int(largeEvery) === 0) {
    return { big: new Uint8Array(70_000 + prng.int(50_000)).fill(prng.int(256)), tail: randomString(prng, 10) };
  }
  return prng.int(3) === 0 ? randomValue(prng) : randomFlat(prng);
}
