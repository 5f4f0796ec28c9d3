import {
  ACTORS,
  BUCKETS,
  HANDLER_BUCKETS_S,
  HELD,
  KIND_SLOT_FLOAT64,
  MAILBOX,
  SAMPLES,
  SAMPLE_SUM_S,
} from '../../native-free-core/layout/metrics-layout.js';
import type { NameTable } from '../../native-free-core/stats/name-table.js';
import { kindNameTable, metricsRegion } from '../../native-free-core/stats/metrics-block.js';

/** Participant `p`'s side of the metrics block `buffer`. */
export function kindMetricsOf(buffer: SharedArrayBuffer, p: number, intervalMs: number): KindMetrics {
  return new KindMetrics(metricsRegion(buffer, p), kindNameTable(buffer, p), intervalMs);
}

/** What the gauges read of a live actor. */
export interface GaugedCell {
  readonly metricsBase: number;
  readonly isStopped: boolean;
  readonly held: boolean;
  readonly queue: { readonly length: number };
}

const LAST_BUCKET = HANDLER_BUCKETS_S.length - 1;

/**
 * One thread's side of the metrics block (metrics-layout.ts): the kind slots its actors count
 * into. A cell keeps its kind's base index (`metricsBase`, -1 without monitoring); the run queue
 * adds the messages of each actor turn at that base, the turn timer observes each timed turn,
 * the lifecycle counts failures and restarts, and the loop publishes the gauges every
 * `intervalMs`. Nothing here sends a message or allocates per turn.
 */
export class KindMetrics {
  /** Gauge totals of one publication, copied into the region at its end (a reader never sees them half counted). */
  private readonly scratch: Float64Array;

  constructor(
    /** This thread's region of the metrics block. */
    readonly words: Float64Array,
    private readonly kinds: NameTable,
    /** How often the gauges are published (ms). */
    readonly intervalMs: number,
  ) {
    this.scratch = new Float64Array((words.length / KIND_SLOT_FLOAT64) * 3);
  }

  /** The base index of `kind`'s slot (slot 0, "(other)", once the table is full). */
  base(kind: string): number {
    return this.kinds.ordinal(kind) * KIND_SLOT_FLOAT64;
  }

  /** A timed turn of an actor of the kind at `base` took `seconds` per message on average. */
  observe(base: number, seconds: number): void {
    const words = this.words;
    words[base + SAMPLES]! += 1;
    words[base + SAMPLE_SUM_S]! += seconds;
    let b = 0;
    while (b < LAST_BUCKET && seconds > HANDLER_BUCKETS_S[b]!) b++;
    words[base + BUCKETS + b]! += 1;
  }

  /** Adds one to word `word` of the kind at `base` (RESTARTS, FAILURES). */
  count(base: number, word: number): void {
    this.words[base + word]! += 1;
  }

  /** Live actors, queued messages and held actors per kind, from a walk over the thread's cells. */
  publishGauges(cells: Iterable<GaugedCell>): void {
    const totals = this.scratch.fill(0);
    const slots = totals.length / 3;
    for (const cell of cells) {
      if (cell.isStopped || cell.metricsBase < 0) continue;
      const k = (cell.metricsBase / KIND_SLOT_FLOAT64) * 3;
      totals[k]! += 1;
      totals[k + 1]! += cell.queue.length;
      if (cell.held) totals[k + 2]! += 1;
    }
    const words = this.words;
    for (let s = 0; s < slots; s++) {
      const base = s * KIND_SLOT_FLOAT64;
      words[base + ACTORS] = totals[s * 3]!;
      words[base + MAILBOX] = totals[s * 3 + 1]!;
      words[base + HELD] = totals[s * 3 + 2]!;
    }
  }
}
