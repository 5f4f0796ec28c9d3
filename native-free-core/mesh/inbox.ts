import type { RecordHandler, RingConsumer } from '../ring/ring-consumer.js';
import type { Doorbell, ParkResult } from '../sync/doorbell.js';

/**
 * Every inbound ring of one participant, with its doorbell: drains the rings in turn and parks
 * when all are empty, without losing a wakeup (protocol in `../layout/doorbell-layout.ts`).
 */
export class Inbox {
  readonly rings: readonly RingConsumer[];
  readonly bell: Doorbell;
  /** Which ring `drain` starts with, so no sender is always served last. */
  private start = 0;

  constructor(rings: readonly RingConsumer[], bell: Doorbell) {
    this.rings = rings;
    this.bell = bell;
  }

  /** Reads up to `limitPerRing` records from each ring; returns how many were read in total. */
  drain(handler: RecordHandler, limitPerRing = 0x7fffffff): number {
    const rings = this.rings;
    const n = rings.length;
    let total = 0;
    for (let k = 0; k < n; k++) {
      let i = this.start + k;
      if (i >= n) i -= n;
      total += rings[i]!.read(handler, limitPerRing);
    }
    if (++this.start >= n) this.start = 0;
    return total;
  }

  /** True when any inbound ring has unread records. */
  hasData(): boolean {
    const rings = this.rings;
    for (let i = 0; i < rings.length; i++) if (rings[i]!.hasData()) return true;
    return false;
  }

  /** Blocks until a producer rings or `timeoutMs` passes (worker threads only). */
  park(timeoutMs: number): ParkResult {
    this.bell.prepareToPark();
    if (this.hasData()) {
      this.bell.cancelPark();
      return 'not-parked';
    }
    return this.bell.park(timeoutMs);
  }

  /** Like `park`, without blocking the thread (the main thread parks this way). */
  parkAsync(timeoutMs: number): Promise<ParkResult> | ParkResult {
    this.bell.prepareToPark();
    if (this.hasData()) {
      this.bell.cancelPark();
      return 'not-parked';
    }
    return this.bell.parkAsync(timeoutMs);
  }
}
