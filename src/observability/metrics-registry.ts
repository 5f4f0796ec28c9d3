import type { Metric, Registry } from 'prom-client';
import { HANDLER_BUCKETS_S } from '../../native-free-core/layout/metrics-layout.js';
import type { KindFigures, MetricsReader, PeerFigures, ThreadFigures } from './metrics-reader.js';
import { invalidOption } from '../util/option-bag.js';

interface Value {
  value: number;
  labels: Record<string, string>;
  metricName?: string;
}

type Row<T> = (figures: T) => number;

/** Prometheus' metric types, as prom-client writes them on the `# TYPE` line. */
type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * One exported metric whose values are read off the shared blocks at each scrape: it implements
 * what prom-client's Registry asks of a metric (`get`, `reset`, name, help, type), keeps no state
 * and counts nothing itself, so a scrape costs the threads nothing.
 */
class BlockMetric {
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly values: () => Value[],
  ) {}

  get(): Promise<{ name: string; help: string; type: MetricType; aggregator: string; values: Value[] }> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() });
  }

  reset(): void {}
}

function perThread(reader: MetricsReader, row: Row<ThreadFigures>): () => Value[] {
  return () => reader.threads().map((t) => ({ value: row(t), labels: { thread: t.thread } }));
}

function perKind(reader: MetricsReader, row: Row<KindFigures>): () => Value[] {
  return () => reader.kinds().map((k) => ({ value: row(k), labels: { thread: k.thread, kind: k.kind } }));
}

function perPeer(reader: MetricsReader, row: Row<PeerFigures>): () => Value[] {
  return () => reader.peers().map((p) => ({ value: row(p), labels: { peer: p.peer } }));
}

/** The handler-duration histogram per kind, summed over the threads (Prometheus' cumulative `le` buckets). */
function histogram(reader: MetricsReader, name: string): () => Value[] {
  return () => {
    const byKind = new Map<string, { buckets: number[]; count: number; sum: number }>();
    for (const k of reader.kinds()) {
      let h = byKind.get(k.kind);
      if (h === undefined) byKind.set(k.kind, (h = { buckets: new Array<number>(HANDLER_BUCKETS_S.length).fill(0), count: 0, sum: 0 }));
      for (let b = 0; b < k.buckets.length; b++) h.buckets[b]! += k.buckets[b]!;
      h.count += k.samples;
      h.sum += k.sampleSumS;
    }
    const out: Value[] = [];
    for (const [kind, h] of byKind) {
      let cumulative = 0;
      for (let b = 0; b < HANDLER_BUCKETS_S.length; b++) {
        cumulative += h.buckets[b]!;
        const le = HANDLER_BUCKETS_S[b] === Infinity ? '+Inf' : String(HANDLER_BUCKETS_S[b]);
        out.push({ metricName: `${name}_bucket`, value: cumulative, labels: { kind, le } });
      }
      out.push({ metricName: `${name}_sum`, value: h.sum, labels: { kind } });
      out.push({ metricName: `${name}_count`, value: h.count, labels: { kind } });
    }
    return out;
  };
}

/** Every metric bactor exports, by name (see the README's *Monitoring* for what each means). */
export function blockMetrics(reader: MetricsReader): BlockMetric[] {
  return [
    new BlockMetric(
      'bactor_messages_processed_total',
      'Messages handled by the actors of a thread (user and system).',
      'counter',
      perThread(reader, (t) => t.processed),
    ),
    new BlockMetric(
      'bactor_thread_busy_seconds_total',
      'Seconds a thread spent working (rings, actors, timers).',
      'counter',
      perThread(reader, (t) => t.busySeconds),
    ),
    new BlockMetric(
      'bactor_thread_parked_seconds_total',
      'Seconds a thread spent parked, waiting for work.',
      'counter',
      perThread(reader, (t) => t.parkedSeconds),
    ),
    new BlockMetric(
      'bactor_handler_seconds_total',
      'Seconds in actor handlers, estimated from the timed turns.',
      'counter',
      perThread(reader, (t) => t.handlerSeconds),
    ),
    new BlockMetric(
      'bactor_dead_letters_total',
      'Messages that reached no actor.',
      'counter',
      perThread(reader, (t) => t.deadLetters),
    ),
    new BlockMetric(
      'bactor_run_queue_actors',
      'Actors with work waiting for a turn.',
      'gauge',
      perThread(reader, (t) => t.runQueue),
    ),
    new BlockMetric(
      'bactor_overflow_messages',
      'Messages waiting for room in a full ring toward another thread.',
      'gauge',
      perThread(reader, (t) => t.overflow),
    ),
    new BlockMetric(
      'bactor_backpressure_held_actors',
      'Actors held because a ring they send into is full.',
      'gauge',
      perThread(reader, (t) => t.held),
    ),
    new BlockMetric(
      'bactor_ring_fill_ratio',
      'Fill of the fullest ring toward a worker (0 to 1).',
      'gauge',
      perThread(reader, (t) => t.ringFill),
    ),
    new BlockMetric(
      'bactor_actors',
      'Live actors per kind.',
      'gauge',
      perKind(reader, (k) => k.actors),
    ),
    new BlockMetric(
      'bactor_mailbox_messages',
      'Messages waiting in the mailboxes of a kind.',
      'gauge',
      perKind(reader, (k) => k.mailbox),
    ),
    new BlockMetric(
      'bactor_held_actors',
      'Actors of a kind that take no message now (backpressure, a pending promise, a persist, a failure).',
      'gauge',
      perKind(reader, (k) => k.held),
    ),
    new BlockMetric(
      'bactor_actor_messages_total',
      'Messages handled by the actors of a kind.',
      'counter',
      perKind(reader, (k) => k.handled),
    ),
    new BlockMetric(
      'bactor_actor_failures_total',
      'Handler failures of the actors of a kind.',
      'counter',
      perKind(reader, (k) => k.failures),
    ),
    new BlockMetric(
      'bactor_actor_restarts_total',
      'Restarts of the actors of a kind by their supervisors.',
      'counter',
      perKind(reader, (k) => k.restarts),
    ),
    new BlockMetric(
      'bactor_handler_duration_seconds',
      'Mean seconds per message of sampled actor turns (about 1 turn in 256; every turn of slow actors).',
      'histogram',
      histogram(reader, 'bactor_handler_duration_seconds'),
    ),
    ...(reader.remote ? peerMetrics(reader) : []),
  ];
}

/** Per other node (with `remote`): the link's state and what went over it. */
function peerMetrics(reader: MetricsReader): BlockMetric[] {
  const counter = (name: string, help: string, row: Row<PeerFigures>): BlockMetric =>
    new BlockMetric(name, help, 'counter', perPeer(reader, row));
  const gauge = (name: string, help: string, row: Row<PeerFigures>): BlockMetric =>
    new BlockMetric(name, help, 'gauge', perPeer(reader, row));
  return [
    gauge('bactor_remote_peer_up', 'Whether the link to the node is open (1) or not (0).', (p) => (p.state === 'open' ? 1 : 0)),
    counter(
      'bactor_remote_frames_sent_total',
      'gRPC frames written to the node (batches, system batches, heartbeats, requests).',
      (p) => p.framesOut,
    ),
    counter(
      'bactor_remote_frames_received_total',
      'gRPC frames read from the node (its batches and requests, and its answers: acks, heartbeat echoes, lookup replies).',
      (p) => p.framesIn,
    ),
    counter(
      'bactor_remote_messages_sent_total',
      'User messages written to the node (a large message once per piece).',
      (p) => p.messagesOut,
    ),
    counter(
      'bactor_remote_messages_received_total',
      'User messages read from the node (a large message once per piece).',
      (p) => p.messagesIn,
    ),
    counter(
      'bactor_remote_message_bytes_sent_total',
      'Encoded message bytes written to the node (framing not counted).',
      (p) => p.bytesOut,
    ),
    counter(
      'bactor_remote_message_bytes_received_total',
      'Encoded message bytes read from the node (framing not counted).',
      (p) => p.bytesIn,
    ),
    gauge('bactor_remote_backlog_messages', 'User messages waiting to be written to the node.', (p) => p.backlog),
    counter('bactor_remote_reconnects_total', 'Connections to the node opened after the first.', (p) => p.reconnects),
    counter(
      'bactor_remote_nodes_lost_total',
      'Incarnations at the address declared lost (unreachable past lostAfterMs, or restarted).',
      (p) => p.lost,
    ),
  ];
}

/**
 * Registers bactor's metrics in `registry` (a new one of prom-client's when absent); returns it
 * and a function that takes them out again (at shutdown: a registry of yours then serves only
 * yours, and a next system may register its own).
 */
export async function metricsRegistry(reader: MetricsReader, registry?: Registry): Promise<{ registry: Registry; remove: () => void }> {
  const prom = await import('prom-client');
  const target = registry ?? new prom.Registry();
  const metrics = blockMetrics(reader);
  if (registry !== undefined && metrics.some((m) => registry.getSingleMetric(m.name) !== undefined))
    throw invalidOption(
      'ActorSystem.start',
      "monitoring.registry already holds bactor's metrics: another system registered them and has not shut down",
    );
  for (const metric of metrics) target.registerMetric(metric as unknown as Metric);
  return { registry: target, remove: () => metrics.forEach((m) => target.removeSingleMetric(m.name)) };
}
