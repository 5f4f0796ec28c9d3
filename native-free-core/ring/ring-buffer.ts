import { BactorError, CoreErrorCode } from '../errors.js';
import {
  CAPACITY_INDEX,
  DATA_OFFSET,
  MAGIC_INDEX,
  MAX_CAPACITY,
  MIN_CAPACITY,
  RING_MAGIC,
  isValidCapacity,
  ringByteLength,
} from '../layout/ring-layout.js';

/**
 * Allocates the SharedArrayBuffer of one ring with `capacity` bytes of body (a power of two).
 * Only the owner (the main thread) allocates; the buffer is then handed to the producer and the
 * consumer, which `attach` to it.
 */
export function createRingBuffer(capacity: number): SharedArrayBuffer {
  if (!isValidCapacity(capacity)) {
    throw new BactorError(
      CoreErrorCode.INVALID_CAPACITY,
      `ring capacity=${capacity} must be a power of two between ${MIN_CAPACITY} and ${MAX_CAPACITY} bytes`,
    );
  }
  const sab = new SharedArrayBuffer(ringByteLength(capacity));
  const i32 = new Int32Array(sab);
  // Plain writes: the buffer is not shared with any other thread yet. postMessage, which hands
  // it over, orders these writes before anything the receiver reads.
  i32[CAPACITY_INDEX] = capacity;
  i32[MAGIC_INDEX] = RING_MAGIC;
  return sab;
}

/** Checks that `sab` is a ring made by `createRingBuffer` and returns its body capacity. */
export function ringCapacityOf(sab: SharedArrayBuffer): number {
  if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < DATA_OFFSET + MIN_CAPACITY) {
    throw new BactorError(CoreErrorCode.BAD_LAYOUT, 'not a ring buffer: expected a SharedArrayBuffer from createRingBuffer');
  }
  const i32 = new Int32Array(sab, 0, DATA_OFFSET / 4);
  const capacity = i32[CAPACITY_INDEX]!;
  if (i32[MAGIC_INDEX] !== RING_MAGIC || !isValidCapacity(capacity) || sab.byteLength !== ringByteLength(capacity)) {
    throw new BactorError(
      CoreErrorCode.BAD_LAYOUT,
      `not a ring buffer: magic=${i32[MAGIC_INDEX]}, capacity=${capacity}, byteLength=${sab.byteLength}`,
    );
  }
  return capacity;
}
