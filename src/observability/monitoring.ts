import type { Registry } from 'prom-client';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { EventStream } from '../system/event-stream.js';
import type { SystemView } from '../system/actor-traces.js';
import { type DashboardSnapshot, type DeadLetterView, Snapshots } from './dashboard-snapshot.js';
import { MetricsReader, type MetricsSource } from './metrics-reader.js';
import { metricsRegistry } from './metrics-registry.js';
import { MonitoringServer } from './monitoring-server.js';
import { Alerts } from './alerts.js';
import type { CheckedMonitoring } from './monitoring-options.js';

/**
 * A system's monitoring (`system.monitoring`, with the `monitoring` option): the Prometheus
 * metrics, the dashboard's snapshots and, with a port, the HTTP server of both. Everything is
 * read off the shared stats and metrics blocks on the main thread: a scrape or a dashboard frame
 * sends no message to any worker.
 */
export class Monitoring {
  /** The prom-client Registry holding bactor's metrics (yours, when given as `monitoring.registry`). */
  readonly registry: Registry;
  private readonly snapshots: Snapshots;
  private readonly server: MonitoringServer | null;
  private readonly unsubscribe: () => void;
  private readonly alertTimer: ReturnType<typeof setInterval> | null = null;

  private constructor(
    registry: Registry,
    snapshots: Snapshots,
    server: MonitoringServer | null,
    unsubscribe: () => void,
    alerts: Alerts,
    intervalMs: number,
  ) {
    this.registry = registry;
    this.snapshots = snapshots;
    this.server = server;
    this.unsubscribe = unsubscribe;
    if (!alerts.empty) {
      this.alertTimer = setInterval(() => {
        try {
          alerts.evaluate(snapshots.take());
        } catch {
          // An evaluation that fails (a webhook the platform refuses) must not take the process down: the next one runs.
        }
      }, intervalMs);
      this.alertTimer.unref();
    }
  }

  static async start(
    source: MetricsSource,
    options: CheckedMonitoring,
    events: EventStream<RuntimeEvent>,
    view: SystemView,
  ): Promise<Monitoring> {
    const reader = new MetricsReader(source);
    const { registry, remove } = await metricsRegistry(reader, options.registry);
    const snapshots = new Snapshots(reader, options.intervalMs);
    const subscription = events.subscribe((event) => snapshots.note(event));
    const unsubscribe = (): void => {
      subscription();
      remove();
    };
    let server: MonitoringServer | null = null;
    if (options.port !== null) {
      try {
        server = await MonitoringServer.listen(options, registry, snapshots, view);
      } catch (error) {
        unsubscribe();
        throw error;
      }
    }
    const alerts = new Alerts(options.alerts, options.webhook, (event) => events.publish(event));
    return new Monitoring(registry, snapshots, server, unsubscribe, alerts, options.intervalMs);
  }

  /** The server's address (`http://127.0.0.1:9464`), null without a port. The dashboard is at its root, the metrics at `/metrics`. */
  get url(): string | null {
    return this.server?.url ?? null;
  }

  /** The metrics in Prometheus' text format (what `/metrics` serves). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** What the dashboard shows now (what `/snapshot` serves): rates are against the previous snapshot. */
  snapshot(): DashboardSnapshot {
    return this.snapshots.take();
  }

  /** The latest dead letters (up to 100), newest last: target, message type, sender, reason. */
  deadLetters(): DeadLetterView[] {
    return this.snapshots.deadLetters();
  }

  /** Stops the server (its open dashboards see the stream end) and the event subscription. */
  async close(): Promise<void> {
    if (this.alertTimer !== null) clearInterval(this.alertTimer);
    this.unsubscribe();
    await this.server?.close();
  }
}
