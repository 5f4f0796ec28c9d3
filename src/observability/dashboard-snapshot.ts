import { HANDLER_BUCKETS_S } from '../../native-free-core/layout/metrics-layout.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { MetricsReader, PeerFigures, ThreadFigures } from './metrics-reader.js';

/** A thread as the dashboard shows it: its figures, its message rate and how busy it was since the last snapshot. */
export interface ThreadView extends ThreadFigures {
  /** Messages per second since the previous snapshot. */
  rate: number;
  /** Share of the wall time spent working since the previous snapshot (0…1). */
  utilisation: number;
}

/** A kind summed over the threads. */
export interface KindView {
  kind: string;
  actors: number;
  mailbox: number;
  held: number;
  handled: number;
  /** Messages per second since the previous snapshot. */
  rate: number;
  failures: number;
  restarts: number;
  /** Estimated from the histogram's buckets (upper bounds, seconds); null before any turn was timed. */
  p50: number | null;
  p99: number | null;
  /** Timed turns per bucket (HANDLER_BUCKETS_S), not cumulative. */
  buckets: number[];
}

/** Another node as the dashboard shows it (with `remote`): its figures and its message rates since the last snapshot. */
export interface PeerView extends PeerFigures {
  /** User messages per second written to it and read from it. */
  rateOut: number;
  rateIn: number;
}

/** A dead letter as the dashboard lists it: when, to whom, of what type, from whom. */
export interface DeadLetterView {
  at: number;
  target: string;
  messageType: string;
  sender: string | null;
  reason: string;
}

/** What `/snapshot` and each `/events` frame carry (JSON). */
export interface DashboardSnapshot {
  /** Epoch milliseconds. */
  at: number;
  intervalMs: number;
  /** Over how many ms the rates (and utilisation) were measured: 0 in the first snapshot, when they are not known yet (0 in the figures). */
  rateWindowMs: number;
  totals: { actors: number; processed: number; rate: number; deadLetters: number; mailbox: number; held: number; stuckHandlers: number };
  threads: ThreadView[];
  kinds: KindView[];
  /** The other nodes (empty without `remote`). */
  peers: PeerView[];
  /** Bucket bounds of the kinds' histograms, seconds ('+Inf' for the last). */
  bucketBounds: (number | '+Inf')[];
  /** The latest dead letters, newest last (at most DEAD_LETTERS_KEPT). */
  deadLetters: DeadLetterView[];
  /** The latest failures and other events that are not dead letters, newest last. */
  events: { at: number; type: string; text: string }[];
}

interface Baseline {
  at: number;
  threads: ThreadFigures[];
  peers: Map<string, PeerFigures>;
  handled: Map<string, number>;
}

/** Dead letters and events the dashboard keeps. */
export const DEAD_LETTERS_KEPT = 100;
const EVENTS_KEPT = 50;

function quantile(buckets: number[], q: number): number | null {
  let total = 0;
  for (const n of buckets) total += n;
  if (total === 0) return null;
  let seen = 0;
  for (let b = 0; b < buckets.length; b++) {
    seen += buckets[b]!;
    if (seen >= q * total) return HANDLER_BUCKETS_S[b] === Infinity ? HANDLER_BUCKETS_S[b - 1]! : HANDLER_BUCKETS_S[b]!;
  }
  return null;
}

/**
 * The dashboard's view of a system: the shared blocks' figures, rates against the previous
 * snapshot at least half an interval old, and the latest dead letters and failures (kept from the
 * event stream as they come).
 */
export class Snapshots {
  /** The figures rates are measured against: the latest kept, and the one before (for a snapshot taken right after a new one was kept). */
  private base: Baseline | null = null;
  private older: Baseline | null = null;
  /** Handler-stuck events so far. */
  private stuck = 0;
  private readonly dead: DeadLetterView[] = [];
  private readonly events: { at: number; type: string; text: string }[] = [];

  constructor(
    private readonly reader: MetricsReader,
    private readonly intervalMs: number,
  ) {}

  /** Keeps what the dashboard lists of an event of the system's stream. */
  note(event: RuntimeEvent): void {
    const at = Date.now();
    // (An actor's trace is for whoever asked for it, not the dashboard's list.)
    if (event.type === 'actor-trace') return;
    if (event.type === 'handler-stuck') this.stuck++;
    if (event.type === 'dead-letter') {
      this.dead.push({ at, target: event.target, messageType: event.messageType, sender: event.sender, reason: event.reason });
      if (this.dead.length > DEAD_LETTERS_KEPT) this.dead.shift();
      return;
    }
    const text =
      event.type === 'actor-failed'
        ? `${event.actor}: ${event.error.message} (${event.directive})`
        : event.type === 'handler-stuck'
          ? `${event.actor} stuck ${Math.round(event.ms)} ms on ${event.messageType} (${event.action})`
          : JSON.stringify(event);
    this.events.push({ at, type: event.type, text });
    if (this.events.length > EVENTS_KEPT) this.events.shift();
  }

  /** The latest dead letters, newest last. */
  deadLetters(): DeadLetterView[] {
    return [...this.dead];
  }

  take(): DashboardSnapshot {
    const at = Date.now();
    const threads = this.reader.threads();
    const kinds = new Map<string, KindView>();
    for (const k of this.reader.kinds()) {
      let v = kinds.get(k.kind);
      if (v === undefined) {
        v = {
          kind: k.kind,
          actors: 0,
          mailbox: 0,
          held: 0,
          handled: 0,
          rate: 0,
          failures: 0,
          restarts: 0,
          p50: null,
          p99: null,
          buckets: k.buckets.map(() => 0),
        };
        kinds.set(k.kind, v);
      }
      v.actors += k.actors;
      v.mailbox += k.mailbox;
      v.held += k.held;
      v.handled += k.handled;
      v.failures += k.failures;
      v.restarts += k.restarts;
      for (let b = 0; b < k.buckets.length; b++) v.buckets[b]! += k.buckets[b]!;
    }
    // Rates over at least a quarter of an interval: a snapshot right after the latest baseline uses the one before.
    const base = this.base !== null && at - this.base.at < this.intervalMs / 4 ? this.older : this.base;
    const seconds = base === null ? 0 : (at - base.at) / 1000;
    const views: ThreadView[] = threads.map((t, i) => {
      const before = base?.threads[i];
      if (before === undefined || seconds <= 0) return { ...t, rate: 0, utilisation: 0 };
      // A replacement worker counts from 0 again: no negative rate.
      const rate = Math.max(0, t.processed - before.processed) / seconds;
      const utilisation = Math.min(1, Math.max(0, t.busySeconds - before.busySeconds) / seconds);
      return { ...t, rate, utilisation };
    });
    for (const v of kinds.values()) {
      if (base !== null && seconds > 0) v.rate = Math.max(0, v.handled - (base.handled.get(v.kind) ?? 0)) / seconds;
      v.p50 = quantile(v.buckets, 0.5);
      v.p99 = quantile(v.buckets, 0.99);
    }
    const peers = this.reader.peers();
    const peerViews: PeerView[] = peers.map((p) => {
      const before = base?.peers.get(p.peer);
      if (before === undefined || seconds <= 0) return { ...p, rateOut: 0, rateIn: 0 };
      return {
        ...p,
        rateOut: Math.max(0, p.messagesOut - before.messagesOut) / seconds,
        rateIn: Math.max(0, p.messagesIn - before.messagesIn) / seconds,
      };
    });
    if (this.base === null || at - this.base.at >= this.intervalMs / 2) {
      this.older = this.base;
      this.base = {
        at,
        threads,
        peers: new Map(peers.map((p) => [p.peer, p])),
        handled: new Map([...kinds.values()].map((v) => [v.kind, v.handled])),
      };
    }
    const kindList = [...kinds.values()].sort((a, b) => b.rate - a.rate || b.actors - a.actors || a.kind.localeCompare(b.kind));
    let mailbox = 0;
    let held = 0;
    for (const v of kindList) {
      mailbox += v.mailbox;
      held += v.held;
    }
    return {
      at,
      intervalMs: this.intervalMs,
      rateWindowMs: seconds * 1000,
      totals: {
        actors: views.reduce((n, t) => n + t.actors, 0),
        processed: views.reduce((n, t) => n + t.processed, 0),
        rate: views.reduce((n, t) => n + t.rate, 0),
        deadLetters: views.reduce((n, t) => n + t.deadLetters, 0),
        mailbox,
        held,
        stuckHandlers: this.stuck,
      },
      threads: views,
      kinds: kindList,
      peers: peerViews,
      bucketBounds: HANDLER_BUCKETS_S.map((b) => (b === Infinity ? '+Inf' : b)),
      deadLetters: [...this.dead],
      events: [...this.events],
    };
  }
}
