import { BactorError, ErrorCode } from '../errors/error-codes.js';
import {
  TAG_FALSE,
  TAG_FLOAT64,
  TAG_INT32,
  TAG_NULL,
  TAG_SMALL_INT_MAX,
  TAG_STR32,
  TAG_STR8,
  TAG_TRUE,
  TAG_UNDEFINED,
} from './wire-format.js';

/**
 * Tagged primitives written straight into ring memory and read straight out of it: the fast
 * path that carries most actor messages (flat objects of numbers, short strings and booleans)
 * without msgpackr. See `wire-format.ts` for the tags.
 */

/** Upper bound of the bytes `writePrimitive` takes for `v`, or -1 when `v` is not a primitive it carries. */
export function primitiveBound(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return 9;
    case 'string':
      return v.length <= 85 ? 2 + v.length * 3 : 5 + v.length * 3;
    case 'boolean':
    case 'undefined':
      return 1;
    case 'object':
      return v === null ? 1 : -1;
    default:
      return -1;
  }
}

/**
 * The memory a fast-path writer or reader works on: the ring's bytes, as a DataView for
 * multi-byte numbers and as a Buffer for UTF-8 (Buffer's UTF-8 routines accept shared memory,
 * TextDecoder does not).
 */
export class RingMemory {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly buffer: Buffer;
  /** Read/write cursor, kept here so the hot loop needs no result objects. */
  pos = 0;
  private readonly stringCache: (string | undefined)[] = new Array<string | undefined>(STRING_CACHE_SIZE).fill(undefined);

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Writes a primitive accepted by `primitiveBound` at `pos` and advances it. */
  writePrimitive(v: unknown): void {
    const bytes = this.bytes;
    let pos = this.pos;
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
          if (v >= 0 && v <= TAG_SMALL_INT_MAX) {
            bytes[pos++] = v;
          } else {
            bytes[pos] = TAG_INT32;
            this.view.setInt32(pos + 1, v, true);
            pos += 5;
          }
        } else {
          bytes[pos] = TAG_FLOAT64;
          this.view.setFloat64(pos + 1, v, true);
          pos += 9;
        }
        break;
      case 'string':
        this.pos = pos;
        this.writeString(v);
        return;
      case 'boolean':
        bytes[pos++] = v ? TAG_TRUE : TAG_FALSE;
        break;
      case 'undefined':
        bytes[pos++] = TAG_UNDEFINED;
        break;
      default:
        bytes[pos++] = TAG_NULL;
    }
    this.pos = pos;
  }

  private writeString(s: string): void {
    const bytes = this.bytes;
    const start = this.pos;
    const n = s.length;
    if (n <= 85) {
      // Short strings: copy ASCII directly, fall back to UTF-8 at the first non-ASCII unit.
      let p = start + 2;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          const written = this.buffer.write(s, start + 2, n * 3, 'utf8');
          bytes[start] = TAG_STR8;
          bytes[start + 1] = written;
          this.pos = start + 2 + written;
          return;
        }
        bytes[p++] = c;
      }
      bytes[start] = TAG_STR8;
      bytes[start + 1] = n;
      this.pos = p;
      return;
    }
    const written = this.buffer.write(s, start + 5, n * 3, 'utf8');
    bytes[start] = TAG_STR32;
    this.view.setUint32(start + 1, written, true);
    this.pos = start + 5 + written;
  }

  /** Reads the primitive at `pos` and advances it; `end` bounds the record. */
  readPrimitive(end: number): unknown {
    const bytes = this.bytes;
    const pos = this.pos;
    if (pos >= end) throw malformed(`primitive at ${pos} past the record end ${end}`);
    const tag = bytes[pos]!;
    if (tag <= TAG_SMALL_INT_MAX) {
      this.pos = pos + 1;
      return tag;
    }
    switch (tag) {
      case TAG_UNDEFINED:
        this.pos = pos + 1;
        return undefined;
      case TAG_NULL:
        this.pos = pos + 1;
        return null;
      case TAG_FALSE:
        this.pos = pos + 1;
        return false;
      case TAG_TRUE:
        this.pos = pos + 1;
        return true;
      case TAG_INT32:
        this.pos = pos + 5;
        if (pos + 5 > end) throw malformed('truncated int32');
        return this.view.getInt32(pos + 1, true);
      case TAG_FLOAT64:
        this.pos = pos + 9;
        if (pos + 9 > end) throw malformed('truncated float64');
        return this.view.getFloat64(pos + 1, true);
      case TAG_STR8:
        return this.readString(pos + 2, bytes[pos + 1]!, end);
      case TAG_STR32:
        return this.readString(pos + 5, this.view.getUint32(pos + 1, true), end);
      default:
        throw malformed(`unknown tag 0x${tag.toString(16)} at ${pos}`);
    }
  }

  private readString(start: number, length: number, end: number): string {
    const stop = start + length;
    if (stop > end) throw malformed(`string of ${length} bytes runs past the record end`);
    this.pos = stop;
    if (length > SHORT_STRING_MAX) return this.buffer.toString('utf8', start, stop);
    // Short strings (message kinds, names, keys) repeat: look them up in a small cache by a hash
    // of their bytes, so the common case allocates nothing.
    const bytes = this.bytes;
    let hash = length;
    for (let i = start; i < stop; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return this.buffer.toString('utf8', start, stop);
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    const slot = hash & (STRING_CACHE_SIZE - 1);
    const cached = this.stringCache[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const s = this.buffer.toString('latin1', start, stop);
    this.stringCache[slot] = s;
    return s;
  }
}

/** ASCII strings up to this many bytes are looked up in the decoder's string cache. */
const SHORT_STRING_MAX = 24;
const STRING_CACHE_SIZE = 1024;

export function malformed(detail: string): BactorError {
  return new BactorError(ErrorCode.MALFORMED_RECORD, `malformed record: ${detail}`);
}
