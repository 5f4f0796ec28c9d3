// The README's monitoring guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, type SystemEvent } from '../../src/index.js';
import { Orders } from './monitoring.actor.js';

test('monitoring guide: metrics over HTTP, the dashboard, an alert', { timeout: 30_000 }, async (t) => {
  const system = await ActorSystem.start({
    workers: 2,
    monitoring: {
      port: 0, // any free port (Prometheus would scrape a fixed one, e.g. 9464)
      intervalMs: 100, // gauges and dashboard frames (default 1000)
      alerts: [{ name: 'orders-backlog', metric: 'mailbox', kind: 'Orders', above: 1000, forMs: 300 }],
    },
  });
  const alerts: SystemEvent[] = [];
  system.events.subscribe((e) => e.type === 'alert' && alerts.push(e));
  t.after(() => system.shutdown());

  const url = system.monitoring!.url; // http://127.0.0.1:<port>: the dashboard at /, Prometheus text at /metrics
  const orders = await system.spawn(Orders, undefined);
  orders.tell({ type: 'hold', ms: 1000 }); // busy for a second: 5,000 orders wait behind it
  for (let id = 0; id < 5000; id++) orders.tell({ type: 'order', id });
  // The alert fires after 300 ms of backlog and resolves once the orders drain (this waits at most 5 s).
  for (let i = 0; i < 100 && alerts.length < 2; i++) await new Promise((r) => setTimeout(r, 50));

  const metrics = await (await fetch(`${url}/metrics`)).text();
  // bactor_actor_messages_total{thread="w1",kind="Orders"} 5001
  const handled = /bactor_actor_messages_total\{thread="w\d",kind="Orders"\} (\d+)/.exec(metrics)?.[1];
  const fired = alerts.map((e) => e.type === 'alert' && e.state); // ['firing', 'resolved']
  const snapshot = system.monitoring!.snapshot(); // what the dashboard shows, as data

  assert.equal(handled, '5001');
  assert.deepEqual(fired, ['firing', 'resolved']);
  assert.equal(snapshot.kinds.find((k) => k.kind === 'Orders')?.actors, 1);
});
