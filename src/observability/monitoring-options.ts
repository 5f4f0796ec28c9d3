import type { Registry } from 'prom-client';
import { type AlertRule, type AlertWebhook, checkAlertRules, checkAlertWebhook } from './alert-rules.js';
import { checkBag, checkNumber, describe, invalidOption, isInteger, show } from '../util/option-bag.js';

/**
 * `ActorSystem.start({ monitoring })`: `true` counts the metrics (read them with
 * `system.monitoring.metrics()`); an object also serves them over HTTP when it names a port.
 */
export interface MonitoringOptions {
  /**
   * Serves `/metrics` (Prometheus text), `/` (the dashboard), `/snapshot` (its JSON) and
   * `/events` (Server-Sent Events, a snapshot every `intervalMs`) on this port; 0 picks a free
   * one (`system.monitoring.url` tells which). Absent: no server.
   */
  port?: number;
  /** Address the server binds. Default '127.0.0.1' (the figures name your actors: expose them deliberately). */
  host?: string;
  /** How often each thread publishes its per-kind gauges, and the dashboard's refresh (ms). Default 1000. */
  intervalMs?: number;
  /** A prom-client Registry of yours to add bactor's metrics to (one scrape for your service and its actors). Default: a registry of bactor's own. */
  registry?: Registry;
  /** Rules on the metrics, evaluated every `intervalMs`: each firing and resolution is an 'alert' event on `system.events`. */
  alerts?: AlertRule[];
  /** Also POST each alert event (JSON) to this URL. */
  webhook?: string | AlertWebhook;
}

/** Checked monitoring options (null: monitoring is off). */
export interface CheckedMonitoring {
  port: number | null;
  host: string;
  intervalMs: number;
  registry: Registry | undefined;
  alerts: AlertRule[];
  webhook: AlertWebhook | null;
}

const KEYS = ['port', 'host', 'intervalMs', 'registry', 'alerts', 'webhook'] as const;

export function checkMonitoringOptions(value: unknown, where = 'ActorSystem.start'): CheckedMonitoring | null {
  if (value === undefined || value === false) return null;
  if (value === true) return { port: null, host: '127.0.0.1', intervalMs: 1000, registry: undefined, alerts: [], webhook: null };
  const bag = checkBag(
    value,
    KEYS,
    where,
    'monitoring',
    'true, or { port, host, intervalMs, registry, alerts, webhook }',
  ) as MonitoringOptions;
  checkNumber(bag.port, isInteger(0, 65535), where, 'monitoring.port', 'an integer from 0 to 65535 (0: any free port)');
  if (bag.host !== undefined && (typeof bag.host !== 'string' || bag.host.length === 0))
    throw invalidOption(where, `monitoring.host=${show(bag.host)} must be a non-empty host name or address`);
  checkNumber(
    bag.intervalMs,
    (n) => Number.isFinite(n) && n >= 10 && n <= 3_600_000,
    where,
    'monitoring.intervalMs',
    'a number of ms from 10 to 3,600,000',
  );
  const registry = bag.registry as unknown;
  if (
    registry !== undefined &&
    (typeof registry !== 'object' || registry === null || typeof (registry as { registerMetric?: unknown }).registerMetric !== 'function')
  )
    throw invalidOption(where, `monitoring.registry must be a prom-client Registry, got ${describe(registry)}`);
  const alerts = checkAlertRules(bag.alerts, where);
  const webhook = checkAlertWebhook(bag.webhook, where);
  if (webhook !== null && alerts.length === 0)
    throw invalidOption(where, 'monitoring.webhook without monitoring.alerts: no rule would ever call it');
  return {
    port: bag.port ?? null,
    host: bag.host ?? '127.0.0.1',
    intervalMs: bag.intervalMs ?? 1000,
    registry: bag.registry,
    alerts,
    webhook,
  };
}
