import { createMetricsBuffer } from '../../native-free-core/stats/metrics-block.js';
import { ThreadLogs } from '../observability/actor-log.js';
import { type CheckedMonitoring, checkMonitoringOptions } from '../observability/monitoring-options.js';
import { Monitoring } from '../observability/monitoring.js';
import { LOG_LEVELS, type Logger, SystemLog, checkLogging } from '../observability/system-log.js';
import { SystemTracing } from '../observability/tracing/system-tracing.js';
import { checkTracingOptions } from '../observability/tracing/tracing-options.js';
import { kindMetricsOf } from '../runtime/kind-metrics.js';
import type { Runtime } from '../runtime/runtime.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { EventStream } from './event-stream.js';
import type { SystemView } from './actor-traces.js';
import type { ActorSystemOptions } from './system-options.js';
import type { WorkerSet } from './worker-set.js';

/**
 * A system's observability (the `monitoring`, `tracing` and `logging` options; a room of
 * ActorSystem): what each thread gets of it (`workerConfig`, `runtimeOptions`), its start once
 * the threads run, and its end at shutdown.
 */
export class SystemObservability {
  readonly tracing: SystemTracing | null;
  monitoring: Monitoring | null = null;
  log: SystemLog | null = null;
  private readonly logLevel: number | undefined;
  private readonly monitoringOptions: CheckedMonitoring | null;
  private readonly metricsBuffer: SharedArrayBuffer | null;

  constructor(
    options: ActorSystemOptions,
    private readonly statsBuffer: SharedArrayBuffer,
    threads: number,
  ) {
    this.monitoringOptions = checkMonitoringOptions(options.monitoring);
    this.metricsBuffer = this.monitoringOptions === null ? null : createMetricsBuffer(threads + 1);
    const logging = checkLogging(options.logging);
    this.logLevel = logging === null || logging.level === 'silent' ? undefined : LOG_LEVELS.indexOf(logging.level);
    const tracing = checkTracingOptions(options.tracing);
    this.tracing = tracing === null ? null : new SystemTracing(tracing, threads);
  }

  /** Resolves the logger before anything starts (pino loaded if asked: ERR_MISSING_PEER_DEPENDENCY without it). */
  static logger(options: ActorSystemOptions): { logger: Logger | null; min: number } | null {
    const logging = checkLogging(options.logging);
    return logging === null ? null : SystemLog.resolve(logging);
  }

  /** What each worker gets: the metrics block, tracing's settings, the actors' log level. */
  get workerConfig(): {
    metrics?: { buffer: SharedArrayBuffer; intervalMs: number };
    tracing?: SystemTracing['settings'];
    logLevel?: number;
  } {
    return {
      ...(this.metricsBuffer !== null ? { metrics: { buffer: this.metricsBuffer, intervalMs: this.monitoringOptions!.intervalMs } } : {}),
      ...(this.tracing !== null ? { tracing: this.tracing.settings } : {}),
      ...(this.logLevel !== undefined ? { logLevel: this.logLevel } : {}),
    };
  }

  /** What the main thread's runtime gets: its metrics region, tracer and actors' log. */
  runtimeOptions(): Pick<ConstructorParameters<typeof Runtime>[0], 'metrics' | 'tracer' | 'logs'> {
    return {
      ...(this.metricsBuffer !== null ? { metrics: kindMetricsOf(this.metricsBuffer, 0, this.monitoringOptions!.intervalMs) } : {}),
      ...(this.tracing !== null ? { tracer: this.tracing.mainTracer } : {}),
      ...(this.logLevel !== undefined
        ? { logs: new ThreadLogs(this.logLevel, 'main', (entries) => this.log?.actorEntries(entries), true) }
        : {}),
    };
  }

  /** Once the threads run: the monitoring (registry, HTTP server), `@opentelemetry/api`, and the start's log entry. */
  async start(
    workers: WorkerSet,
    events: EventStream<RuntimeEvent>,
    view: SystemView,
    started: Record<string, unknown>,
    peersBuffer: SharedArrayBuffer | null,
  ): Promise<void> {
    if (this.monitoringOptions !== null && this.metricsBuffer !== null) {
      const source = {
        statsBuffer: this.statsBuffer,
        metricsBuffer: this.metricsBuffer,
        hosts: workers.count + 1,
        ringFill: (p: number) => workers.ringFill(p),
        peersBuffer,
      };
      this.monitoring = await Monitoring.start(source, this.monitoringOptions, events, view);
    }
    await this.tracing?.loadApi();
    this.log?.write('info', 'actor system started', {
      ...started,
      ...(this.monitoring?.url ? { dashboard: `${this.monitoring.url}/` } : {}),
    });
  }

  /**
   * At shutdown, once the workers stopped (they shipped their spans then): the server closes and
   * the exporter is flushed — an exporter that fails or never answers holds nothing past `deadline`.
   */
  async stop(deadline: Promise<unknown>): Promise<void> {
    await this.monitoring?.close().catch(() => undefined);
    if (this.tracing !== null) await Promise.race([this.tracing.flushExport().catch(() => undefined), deadline]);
  }

  /** The end of the shutdown: the log's last entry. */
  stopped(): void {
    this.log?.write('info', 'actor system stopped', {});
    this.log?.close();
  }
}
