import { checkBag, describe, invalidOption, listOf, show } from '../util/option-bag.js';

/** What an alert rule watches (see the README's *Alerts*). */
export const ALERT_METRICS = [
  /** Messages waiting in mailboxes (of `kind`, or of all). */
  'mailbox',
  /** Actors that take no message now (of `kind`, or of all). */
  'held',
  /** Live actors (of `kind`, or of all). */
  'actors',
  /** Messages handled per second (of `kind`, or of all). */
  'messages-per-s',
  /** Handler failures per second (of `kind`, or of all). */
  'failures-per-s',
  /** Dead letters per second. */
  'dead-letters-per-s',
  /** The busiest worker's share of time spent working, 0…1. */
  'utilisation',
  /** The fullest ring toward a worker, 0…1. */
  'ring-fill',
  /** Handlers the watchdog saw run past its limit since the last evaluation. */
  'stuck-handlers',
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];
const PER_KIND: readonly AlertMetric[] = ['mailbox', 'held', 'actors', 'messages-per-s', 'failures-per-s'];

/** A rule: fires when `metric` is above (or below) its threshold for `forMs`, resolves when it no longer is. */
export interface AlertRule {
  /** Names the alert in its events and webhook calls (unique). */
  name: string;
  metric: AlertMetric;
  /** Only the actors of this kind (mailbox, held, actors, messages-per-s, failures-per-s). */
  kind?: string;
  /** Fires while the value is above this… */
  above?: number;
  /** …or below this (exactly one of the two). */
  below?: number;
  /** How long the condition must hold before the alert fires (ms). Default 0: at the first evaluation that sees it. */
  forMs?: number;
}

/** Where alerts are sent besides the event stream: a URL that gets a POST of each firing and resolution (JSON). */
export interface AlertWebhook {
  url: string;
  /** Extra request headers (an authorization token). */
  headers?: Record<string, string>;
  /** Per call (ms). Default 5000. */
  timeoutMs?: number;
}

const RULE_KEYS = ['name', 'metric', 'kind', 'above', 'below', 'forMs'] as const;
const WEBHOOK_KEYS = ['url', 'headers', 'timeoutMs'] as const;

export function checkAlertRules(value: unknown, where: string): AlertRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidOption(where, `monitoring.alerts must be an array of rules, got ${describe(value)}`);
  const names = new Set<string>();
  return value.map((raw: unknown, i) => {
    const at = `monitoring.alerts[${i}]`;
    const rule = checkBag(raw, RULE_KEYS, where, at) as AlertRule | undefined;
    if (rule === undefined) throw invalidOption(where, `${at} must be a rule { name, metric, above | below, forMs?, kind? }`);
    if (typeof rule.name !== 'string' || rule.name.length === 0)
      throw invalidOption(where, `${at}.name must be a non-empty string, got ${describe(rule.name)}`);
    if (names.has(rule.name)) throw invalidOption(where, `${at}.name '${rule.name}' names two rules`);
    names.add(rule.name);
    if (!ALERT_METRICS.includes(rule.metric))
      throw invalidOption(where, `${at}.metric=${show(rule.metric)} must be ${listOf(ALERT_METRICS)}`);
    if (rule.kind !== undefined) {
      if (typeof rule.kind !== 'string' || rule.kind.length === 0)
        throw invalidOption(where, `${at}.kind must be an actor kind's name, got ${describe(rule.kind)}`);
      if (!PER_KIND.includes(rule.metric))
        throw invalidOption(where, `${at}.kind: '${rule.metric}' is not per kind (per kind: ${listOf(PER_KIND)})`);
    }
    if ((rule.above === undefined) === (rule.below === undefined)) throw invalidOption(where, `${at} needs exactly one of above and below`);
    const threshold = rule.above ?? rule.below;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold))
      throw invalidOption(where, `${at}.${rule.above !== undefined ? 'above' : 'below'}=${show(threshold)} must be a finite number`);
    if (rule.forMs !== undefined && (typeof rule.forMs !== 'number' || !(rule.forMs >= 0) || !Number.isFinite(rule.forMs)))
      throw invalidOption(where, `${at}.forMs=${show(rule.forMs)} must be a number of ms, 0 or more`);
    return { ...rule };
  });
}

export function checkAlertWebhook(value: unknown, where: string): AlertWebhook | null {
  if (value === undefined) return null;
  const hook = (typeof value === 'string'
    ? { url: value }
    : checkBag(value, WEBHOOK_KEYS, where, 'monitoring.webhook')) as unknown as AlertWebhook;
  let url: URL | null;
  try {
    url = typeof hook.url === 'string' ? new URL(hook.url) : null;
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw invalidOption(
      where,
      `monitoring.webhook must be an http(s) URL or { url, headers?, timeoutMs? }, got ${describe(hook.url ?? value)}`,
    );
  if (
    hook.headers !== undefined &&
    (typeof hook.headers !== 'object' || hook.headers === null || Object.values(hook.headers).some((v) => typeof v !== 'string'))
  )
    throw invalidOption(where, `monitoring.webhook.headers must map header names to strings`);
  if (
    hook.timeoutMs !== undefined &&
    (typeof hook.timeoutMs !== 'number' || !Number.isInteger(hook.timeoutMs) || hook.timeoutMs < 1 || hook.timeoutMs > 3_600_000)
  )
    throw invalidOption(where, `monitoring.webhook.timeoutMs=${show(hook.timeoutMs)} must be a whole number of ms from 1 to 3,600,000`);
  return { ...hook };
}
