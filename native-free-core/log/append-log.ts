import { BactorError, CoreErrorCode } from '../errors.js';
import {
  LOG_CAPACITY_INDEX,
  LOG_COUNT_INDEX,
  LOG_DATA_OFFSET,
  LOG_END_INDEX,
  LOG_MAGIC,
  LOG_MAGIC_INDEX,
} from '../layout/append-log-layout.js';

/** Allocates an append-only log with `capacity` bytes for entries (main thread only). */
export function createAppendLogBuffer(capacity: number): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 64 || capacity % 4 !== 0 || capacity > 1 << 30) {
    throw new BactorError(
      CoreErrorCode.INVALID_CAPACITY,
      `log capacity=${capacity} must be a multiple of 4 between 64 and ${1 << 30} bytes`,
    );
  }
  const sab = new SharedArrayBuffer(LOG_DATA_OFFSET + capacity);
  const i32 = new Int32Array(sab);
  i32[LOG_CAPACITY_INDEX] = capacity; // plain: not shared yet
  i32[LOG_MAGIC_INDEX] = LOG_MAGIC;
  i32[LOG_END_INDEX] = LOG_DATA_OFFSET;
  return sab;
}

function checkLog(sab: SharedArrayBuffer): Int32Array {
  const i32 = new Int32Array(sab);
  if (i32[LOG_MAGIC_INDEX] !== LOG_MAGIC || i32[LOG_CAPACITY_INDEX]! + LOG_DATA_OFFSET !== sab.byteLength) {
    throw new BactorError(CoreErrorCode.BAD_LAYOUT, `not an append log: magic=${i32[LOG_MAGIC_INDEX]}, byteLength=${sab.byteLength}`);
  }
  return i32;
}

/** The single writer of an append-only log. A replacement writer continues after the last entry. */
export class AppendLogWriter {
  private readonly i32: Int32Array;
  private readonly bytes: Uint8Array;
  private count: number;
  private end: number;

  constructor(sab: SharedArrayBuffer) {
    this.i32 = checkLog(sab);
    this.bytes = new Uint8Array(sab);
    this.count = Atomics.load(this.i32, LOG_COUNT_INDEX);
    this.end = Atomics.load(this.i32, LOG_END_INDEX);
  }

  /** Entries appended so far. */
  get length(): number {
    return this.count;
  }

  /** Appends `entry`; returns its index, or -1 when the log has no room for it. */
  tryAppend(entry: Uint8Array): number {
    const need = 4 + ((entry.length + 3) & ~3);
    if (this.end + need > this.bytes.length) return -1;
    const at = this.end;
    this.i32[at >> 2] = entry.length; // plain: published by the COUNT store below
    this.bytes.set(entry, at + 4);
    this.end += need;
    Atomics.store(this.i32, LOG_END_INDEX, this.end);
    // Release: a reader whose Atomics.load(COUNT) sees this count sees the entry's bytes.
    Atomics.store(this.i32, LOG_COUNT_INDEX, ++this.count);
    return this.count - 1;
  }
}

/** A reader of an append-only log: reads the entries in order, each once. */
export class AppendLogReader {
  private readonly i32: Int32Array;
  private readonly bytes: Uint8Array;
  private nextIndex = 0;
  private offset = LOG_DATA_OFFSET;

  constructor(sab: SharedArrayBuffer) {
    this.i32 = checkLog(sab);
    this.bytes = new Uint8Array(sab);
  }

  /** Entries read so far. */
  get length(): number {
    return this.nextIndex;
  }

  /** Returns a private copy of the next entry, or null when the writer has not appended more. */
  next(): Uint8Array | null {
    // Acquire: pairs with AppendLogWriter.tryAppend's Atomics.store(COUNT).
    if (this.nextIndex >= Atomics.load(this.i32, LOG_COUNT_INDEX)) return null;
    const length = this.i32[this.offset >> 2]!;
    const entry = this.bytes.slice(this.offset + 4, this.offset + 4 + length);
    this.offset += 4 + ((length + 3) & ~3);
    this.nextIndex++;
    return entry;
  }
}
