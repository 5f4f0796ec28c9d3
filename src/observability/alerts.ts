import { errorInfo } from '../errors/error-info.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { AlertRule, AlertWebhook } from './alert-rules.js';
import type { DashboardSnapshot } from './dashboard-snapshot.js';

/** A rule's state between evaluations. */
interface RuleState {
  /** Since when (epoch ms) the condition holds (0: it does not). */
  since: number;
  firing: boolean;
}

/** What an alert event says (also the body of its webhook call). */
export type AlertEvent = Extract<RuntimeEvent, { type: 'alert' }>;

/**
 * Evaluates the `monitoring.alerts` rules on each dashboard snapshot (every `intervalMs`): a rule
 * whose condition has held for its `forMs` fires, and resolves at the first evaluation where it
 * no longer holds. Both are published on `system.events` (`type: 'alert'`) and POSTed to the
 * webhook, if any; a failed call is published as 'alert-webhook-failed' and not retried.
 */
export class Alerts {
  private readonly states: RuleState[];
  /** The previous evaluation's cumulative figures, for the per-second metrics. */
  private last: { at: number; dead: number; stuck: number; failures: Map<string, number>; failuresAll: number } | null = null;

  constructor(
    private readonly rules: readonly AlertRule[],
    private readonly webhook: AlertWebhook | null,
    private readonly publish: (event: RuntimeEvent) => void,
  ) {
    this.states = rules.map(() => ({ since: 0, firing: false }));
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  evaluate(snap: DashboardSnapshot): void {
    const seconds = this.last === null ? 0 : (snap.at - this.last.at) / 1000;
    const failures = new Map(snap.kinds.map((k) => [k.kind, k.failures]));
    const failuresAll = snap.kinds.reduce((n, k) => n + k.failures, 0);
    const previous = this.last;
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const value = this.value(rule, snap, seconds, previous, failures, failuresAll);
      if (value === null) continue;
      const threshold = (rule.above ?? rule.below)!;
      const holds = rule.above !== undefined ? value > threshold : value < threshold;
      const state = this.states[i]!;
      const event = (phase: 'firing' | 'resolved'): AlertEvent => ({
        type: 'alert',
        name: rule.name,
        state: phase,
        metric: rule.metric,
        kind: rule.kind ?? null,
        value,
        threshold,
        since: state.since,
        at: snap.at,
      });
      if (holds) {
        if (state.since === 0) state.since = snap.at;
        if (!state.firing && snap.at - state.since >= (rule.forMs ?? 0)) {
          state.firing = true;
          this.send(event('firing'));
        }
      } else {
        if (state.firing) this.send(event('resolved'));
        state.since = 0;
        state.firing = false;
      }
    }
    this.last = { at: snap.at, dead: snap.totals.deadLetters, stuck: snap.totals.stuckHandlers, failures, failuresAll };
  }

  /** The rule's metric now (null: not known yet, a rate before its second evaluation). */
  private value(
    rule: AlertRule,
    snap: DashboardSnapshot,
    seconds: number,
    previous: Alerts['last'],
    failures: Map<string, number>,
    failuresAll: number,
  ): number | null {
    const kinds = rule.kind === undefined ? snap.kinds : snap.kinds.filter((k) => k.kind === rule.kind);
    const total = (pick: (k: DashboardSnapshot['kinds'][number]) => number): number => kinds.reduce((n, k) => n + pick(k), 0);
    const workers = snap.threads.filter((t) => t.thread !== 'main');
    switch (rule.metric) {
      case 'mailbox':
        return total((k) => k.mailbox);
      case 'held':
        return total((k) => k.held);
      case 'actors':
        return total((k) => k.actors);
      case 'messages-per-s':
        // Not known in the first snapshot: not 0.
        if (snap.rateWindowMs === 0) return null;
        return rule.kind === undefined ? snap.totals.rate : total((k) => k.rate);
      case 'failures-per-s': {
        if (previous === null || seconds <= 0) return null;
        const now = rule.kind === undefined ? failuresAll : (failures.get(rule.kind) ?? 0);
        const before = rule.kind === undefined ? previous.failuresAll : (previous.failures.get(rule.kind) ?? 0);
        return Math.max(0, now - before) / seconds;
      }
      case 'dead-letters-per-s':
        if (previous === null || seconds <= 0) return null;
        return Math.max(0, snap.totals.deadLetters - previous.dead) / seconds;
      case 'utilisation':
        if (snap.rateWindowMs === 0) return null;
        return workers.reduce((m, t) => Math.max(m, t.utilisation), 0);
      case 'ring-fill':
        return workers.reduce((m, t) => Math.max(m, t.ringFill), 0);
      case 'stuck-handlers':
        return snap.totals.stuckHandlers - (previous?.stuck ?? 0);
    }
  }

  private send(event: AlertEvent): void {
    this.publish(event);
    const hook = this.webhook;
    if (hook === null) return;
    void fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...hook.headers },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(hook.timeoutMs ?? 5000),
    })
      .then(async (res) => {
        await res.body?.cancel();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      })
      .catch((error: unknown) =>
        this.publish({ type: 'alert-webhook-failed', name: event.name, state: event.state, error: errorInfo(error) }),
      );
  }
}
