import { BactorError, CoreErrorCode } from '../errors.js';
import { BELL_AWAKE, BELL_SLEEPING, BELL_STRIDE_INT32, doorbellByteLength } from '../layout/doorbell-layout.js';

/** Allocates the doorbell block for `participants` participants (main thread only). */
export function createDoorbellBuffer(participants: number): SharedArrayBuffer {
  if (!Number.isInteger(participants) || participants < 1) {
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participants=${participants} must be a positive integer`);
  }
  return new SharedArrayBuffer(doorbellByteLength(participants));
}

/** Result of a park: woken by a producer or a timeout, or not parked because work was there. */
export type ParkResult = 'woken' | 'timed-out' | 'not-parked';

/**
 * The doorbell of one participant. The participant itself uses `prepareToPark` /
 * `park` / `parkAsync` / `cancelPark`; every producer that publishes into one of its rings calls
 * `ring()` afterwards. See `../layout/doorbell-layout.ts` for the protocol.
 */
export class Doorbell {
  private readonly i32: Int32Array;
  private readonly index: number;

  constructor(sab: SharedArrayBuffer, participant: number) {
    if (!Number.isInteger(participant) || participant < 0 || (participant + 1) * BELL_STRIDE_INT32 * 4 > sab.byteLength) {
      throw new BactorError(
        CoreErrorCode.INVALID_ARGUMENT,
        `participant=${participant} is outside a doorbell block of ${sab.byteLength / (BELL_STRIDE_INT32 * 4)} bells`,
      );
    }
    this.i32 = new Int32Array(sab);
    this.index = participant * BELL_STRIDE_INT32;
  }

  /** Producer side, after `flush()` published records: wakes the owner if it parks. */
  ring(): boolean {
    // Seq-cst load, ordered after the producer's TAIL store: pairs with the owner's
    // store(SLEEPING) in prepareToPark. The common case (owner awake) costs this one load.
    if (Atomics.load(this.i32, this.index) !== BELL_SLEEPING) return false;
    // Only one producer wins the CAS, so only one notify is paid per park.
    if (Atomics.compareExchange(this.i32, this.index, BELL_SLEEPING, BELL_AWAKE) !== BELL_SLEEPING) return false;
    Atomics.notify(this.i32, this.index, 1);
    return true;
  }

  /** Owner side: announce the intent to park. The owner must look at its rings after this. */
  prepareToPark(): void {
    // Seq-cst store: pairs with ring()'s load. After it, any TAIL store the owner does not see in
    // its next look is followed by a producer that sees SLEEPING.
    Atomics.store(this.i32, this.index, BELL_SLEEPING);
  }

  /** Owner side: work was found after `prepareToPark`; stay awake. */
  cancelPark(): void {
    Atomics.store(this.i32, this.index, BELL_AWAKE);
  }

  /**
   * Owner side, after `prepareToPark` and a look that found nothing: blocks until rung or
   * `timeoutMs` passes. Only where blocking is allowed (worker threads, never the main thread).
   */
  park(timeoutMs: number): ParkResult {
    // Passes SLEEPING, the value this thread stored: if a producer flipped it to AWAKE in
    // between, wait returns "not-equal" at once and no wakeup is lost.
    const r = Atomics.wait(this.i32, this.index, BELL_SLEEPING, timeoutMs);
    Atomics.store(this.i32, this.index, BELL_AWAKE);
    return r === 'timed-out' ? 'timed-out' : 'woken';
  }

  /**
   * Owner side, non-blocking park for the main thread: resolves when rung or after `timeoutMs`.
   * A pending waitAsync does not keep a Node.js thread alive; the caller holds a handle.
   */
  parkAsync(timeoutMs: number): Promise<ParkResult> | ParkResult {
    const r = Atomics.waitAsync(this.i32, this.index, BELL_SLEEPING, timeoutMs);
    if (!r.async) {
      Atomics.store(this.i32, this.index, BELL_AWAKE);
      return r.value === 'timed-out' ? 'timed-out' : 'woken';
    }
    return r.value.then((v) => {
      Atomics.store(this.i32, this.index, BELL_AWAKE);
      return v === 'timed-out' ? 'timed-out' : 'woken';
    });
  }

  /** True when the owner has announced it parks (for stats and tests). */
  isParked(): boolean {
    return Atomics.load(this.i32, this.index) === BELL_SLEEPING;
  }
}
