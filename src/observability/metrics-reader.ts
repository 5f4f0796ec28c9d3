import {
  ACTORS as KIND_ACTORS,
  BUCKETS,
  FAILURES,
  HANDLED,
  HANDLER_BUCKETS_S,
  HELD,
  KIND_SLOT_FLOAT64,
  MAILBOX,
  OTHER_KIND,
  RESTARTS,
  SAMPLES,
  SAMPLE_SUM_S,
} from '../../native-free-core/layout/metrics-layout.js';
import {
  ACTORS,
  BUSY_MS,
  DEAD_LETTERS,
  HANDLER_MS,
  OVERFLOW,
  PARKED_MS,
  PROCESSED,
  RUN_QUEUE,
  SUSPENDED,
} from '../../native-free-core/layout/stats-layout.js';
import { kindNameTable, metricsRegion } from '../../native-free-core/stats/metrics-block.js';
import type { NameTable } from '../../native-free-core/stats/name-table.js';
import { statsSlot } from '../../native-free-core/stats/stats-block.js';
import {
  BACKLOG,
  BYTES_IN,
  BYTES_OUT,
  FRAMES_IN,
  FRAMES_OUT,
  INCARNATION,
  LAST_HEARD,
  LOST,
  MESSAGES_IN,
  MESSAGES_OUT,
  OTHER_PEER,
  PEER_SLOT_FLOAT64,
  PEER_STATES,
  RECONNECTS,
  STATE,
} from '../../native-free-core/layout/peers-layout.js';
import { peerNameTable, peerSlots } from '../../native-free-core/stats/peers-block.js';

/** One thread's figures, read off the stats block (stats-layout.ts). */
export interface ThreadFigures {
  /** 'main', or 'w1', 'w2', … as in refs (`Counter#5@w1`). */
  thread: string;
  /** Messages handled (user and system), cumulative (a replacement worker counts from 0 again). */
  processed: number;
  busySeconds: number;
  parkedSeconds: number;
  /** Seconds in actor handlers, estimated from the timed turns. */
  handlerSeconds: number;
  deadLetters: number;
  runQueue: number;
  actors: number;
  /** Records waiting for room in a full outbound ring. */
  overflow: number;
  /** Actors held because a ring they send into is full (backpressure). */
  held: number;
  /** Fill of the fullest ring toward this worker, 0…1 (0 for the main thread). */
  ringFill: number;
}

/** One kind's figures on one thread, read off the metrics block (metrics-layout.ts). */
export interface KindFigures {
  thread: string;
  kind: string;
  /** Messages handled, cumulative. */
  handled: number;
  restarts: number;
  failures: number;
  actors: number;
  mailbox: number;
  held: number;
  /** Timed turns (the histogram's count), their summed mean seconds per message, and the counts per bucket (not cumulative). */
  samples: number;
  sampleSumS: number;
  buckets: number[];
}

/** What the gateway knows of one other node, read off the peers block (peers-layout.ts; at most one gateway tick old). */
export interface PeerFigures {
  /** Where the node listens (`host:port`), or '(other)' for the peers past the block's room (summed). */
  peer: string;
  state: (typeof PEER_STATES)[number];
  /** The incarnation the link reaches (0: none now, e.g. after it was lost). */
  incarnation: number;
  framesOut: number;
  framesIn: number;
  /** User envelopes (a large message counts once per piece) and their body bytes, cumulative. */
  messagesOut: number;
  messagesIn: number;
  bytesOut: number;
  bytesIn: number;
  /** User messages waiting to be written to it. */
  backlog: number;
  reconnects: number;
  /** Its incarnations declared lost. */
  lost: number;
  /** When it was last heard from (ms since the epoch; 0: never). */
  lastHeard: number;
}

/** What the reader needs of a running system. */
export interface MetricsSource {
  readonly statsBuffer: SharedArrayBuffer;
  readonly metricsBuffer: SharedArrayBuffer;
  /** Participants that host actors: the main thread (0) and the workers (1…). */
  readonly hosts: number;
  /** Fill of the fullest ring toward worker `p` (0…1). */
  ringFill(p: number): number;
  /** The gateway's peers block (null: no `remote`). */
  readonly peersBuffer: SharedArrayBuffer | null;
}

export function threadName(p: number): string {
  return p === 0 ? 'main' : `w${p}`;
}

/**
 * Reads the figures of every thread and kind off the shared blocks, without a message to any
 * thread: plain loads of words each thread writes alone (a figure may be one publication old).
 */
export class MetricsReader {
  private readonly regions: Float64Array[] = [];
  private readonly tables: NameTable[] = [];
  private readonly slots: Float64Array[] = [];
  private readonly peerWords: Float64Array | null;
  private readonly peerNames: NameTable | null;

  constructor(private readonly source: MetricsSource) {
    this.peerWords = source.peersBuffer === null ? null : peerSlots(source.peersBuffer);
    this.peerNames = source.peersBuffer === null ? null : peerNameTable(source.peersBuffer);
    for (let p = 0; p < source.hosts; p++) {
      this.regions.push(metricsRegion(source.metricsBuffer, p));
      this.tables.push(kindNameTable(source.metricsBuffer, p));
      this.slots.push(statsSlot(source.statsBuffer, p));
    }
  }

  threads(): ThreadFigures[] {
    const out: ThreadFigures[] = [];
    for (let p = 0; p < this.slots.length; p++) {
      const s = this.slots[p]!;
      out.push({
        thread: threadName(p),
        processed: s[PROCESSED]!,
        busySeconds: s[BUSY_MS]! / 1000,
        parkedSeconds: s[PARKED_MS]! / 1000,
        handlerSeconds: s[HANDLER_MS]! / 1000,
        deadLetters: s[DEAD_LETTERS]!,
        runQueue: s[RUN_QUEUE]!,
        actors: s[ACTORS]!,
        overflow: s[OVERFLOW]!,
        held: s[SUSPENDED]!,
        ringFill: p === 0 ? 0 : this.source.ringFill(p),
      });
    }
    return out;
  }

  /** Every kind seen on every thread (slot 0, "(other)", only once something was counted there). */
  kinds(): KindFigures[] {
    const out: KindFigures[] = [];
    for (let p = 0; p < this.regions.length; p++) {
      const words = this.regions[p]!;
      const names = this.tables[p]!.names();
      for (let k = 0; k <= names.length; k++) {
        const base = k * KIND_SLOT_FLOAT64;
        if (k === 0 && words[base + HANDLED] === 0 && words[base + KIND_ACTORS] === 0) continue;
        const buckets: number[] = [];
        for (let b = 0; b < HANDLER_BUCKETS_S.length; b++) buckets.push(words[base + BUCKETS + b]!);
        out.push({
          thread: threadName(p),
          kind: k === 0 ? OTHER_KIND : names[k - 1]!,
          handled: words[base + HANDLED]!,
          restarts: words[base + RESTARTS]!,
          failures: words[base + FAILURES]!,
          actors: words[base + KIND_ACTORS]!,
          mailbox: words[base + MAILBOX]!,
          held: words[base + HELD]!,
          samples: words[base + SAMPLES]!,
          sampleSumS: words[base + SAMPLE_SUM_S]!,
          buckets,
        });
      }
    }
    return out;
  }

  /** Whether the system has a gateway (the `remote` option), whose peers block this reads. */
  get remote(): boolean {
    return this.peerWords !== null;
  }

  /** Every other node the gateway wrote to or heard from (none without `remote`). */
  peers(): PeerFigures[] {
    const words = this.peerWords;
    if (words === null) return [];
    const names = this.peerNames!.names();
    const out: PeerFigures[] = [];
    for (let k = 0; k <= names.length; k++) {
      const base = k * PEER_SLOT_FLOAT64;
      if (k === 0 && words[base + FRAMES_OUT] === 0 && words[base + FRAMES_IN] === 0) continue;
      out.push({
        peer: k === 0 ? OTHER_PEER : names[k - 1]!,
        state: PEER_STATES[words[base + STATE]!] ?? 'idle',
        incarnation: words[base + INCARNATION]!,
        framesOut: words[base + FRAMES_OUT]!,
        framesIn: words[base + FRAMES_IN]!,
        messagesOut: words[base + MESSAGES_OUT]!,
        messagesIn: words[base + MESSAGES_IN]!,
        bytesOut: words[base + BYTES_OUT]!,
        bytesIn: words[base + BYTES_IN]!,
        backlog: words[base + BACKLOG]!,
        reconnects: words[base + RECONNECTS]!,
        lost: words[base + LOST]!,
        lastHeard: words[base + LAST_HEARD]!,
      });
    }
    return out;
  }
}
