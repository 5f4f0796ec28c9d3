import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ActorSystem, ErrorCode, type SystemEvent } from '../../src/index.js';
import { Metered } from '../fixtures/metered.actor.js';
import { poll } from '../helpers/poll.js';

type AlertEvent = Extract<SystemEvent, { type: 'alert' }>;

/** A webhook receiver on 127.0.0.1: the JSON bodies it was POSTed, in order. */
async function receiver(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push({ auth: req.headers.authorization, body: JSON.parse(text) as unknown });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('monitoring: alerts', () => {
  it('fires after the condition held for forMs, resolves when it ends, as events and webhook calls', async () => {
    const hook = await receiver();
    const system = await ActorSystem.start({
      workers: 1,
      monitoring: {
        intervalMs: 50,
        alerts: [
          { name: 'metered-backlog', metric: 'mailbox', kind: 'Metered', above: 100, forMs: 300 },
          { name: 'never', metric: 'actors', kind: 'Nobody', above: 0 },
        ],
        webhook: { url: hook.url, headers: { authorization: 'Bearer t0k3n' } },
      },
    });
    try {
      const alerts: AlertEvent[] = [];
      system.events.subscribe((e) => {
        if (e.type === 'alert') alerts.push(e);
      });
      const ref = await system.spawn(Metered, undefined);
      // Held for 1.5 s with 500 messages queued behind it, then they drain.
      ref.tell({ type: 'park', ms: 1500 });
      for (let i = 0; i < 500; i++) ref.tell({ type: 'n' });
      await poll(
        async () => alerts.length,
        (n) => n >= 2,
        10_000,
      );
      assert.deepEqual(
        alerts.map((a) => [a.name, a.state]),
        [
          ['metered-backlog', 'firing'],
          ['metered-backlog', 'resolved'],
        ],
      );
      const [firing, resolved] = alerts as [AlertEvent, AlertEvent];
      assert.equal(firing.value, 500);
      assert.equal(firing.threshold, 100);
      assert.equal(firing.kind, 'Metered');
      assert.ok(firing.at - firing.since >= 300, `fired ${firing.at - firing.since} ms after the condition began`);
      assert.equal(resolved.since, firing.since);
      assert.ok(resolved.value <= 100);
      const bodies = await poll(
        async () => hook.bodies,
        (b) => b.length >= 2,
        5_000,
      );
      assert.deepEqual(bodies, [
        { auth: 'Bearer t0k3n', body: firing },
        { auth: 'Bearer t0k3n', body: resolved },
      ]);
    } finally {
      await system.shutdown();
      await hook.close();
    }
  });

  it('reports a webhook that fails as an event, and goes on evaluating', async () => {
    // A port nothing listens on: the call is refused.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const system = await ActorSystem.start({
      workers: 1,
      monitoring: { intervalMs: 50, alerts: [{ name: 'any-actor', metric: 'actors', above: 0 }], webhook: `http://127.0.0.1:${port}/` },
    });
    try {
      const failed: SystemEvent[] = [];
      system.events.subscribe((e) => {
        if (e.type === 'alert-webhook-failed') failed.push(e);
      });
      const ref = await system.spawn(Metered, undefined);
      await poll(
        async () => failed.length,
        (n) => n >= 1,
        10_000,
      );
      assert.equal(failed.length, 1);
      assert.deepEqual((({ name, state }) => ({ name, state }))(failed[0] as Extract<SystemEvent, { type: 'alert-webhook-failed' }>), {
        name: 'any-actor',
        state: 'firing',
      });
      await system.stop(ref);
      await poll(
        async () => system.events.count('alert'),
        (n) => n >= 2,
        10_000,
      );
      assert.equal(system.events.count('alert'), 2);
    } finally {
      await system.shutdown();
    }
  });

  it('refuses wrong rules with ERR_INVALID_OPTION naming the rule', async () => {
    const cases: [unknown, RegExp][] = [
      [{ alerts: 'x' }, /alerts must be an array/],
      [{ alerts: [{ name: 'a', metric: 'cpu', above: 1 }] }, /alerts\[0\]\.metric="cpu"/],
      [{ alerts: [{ name: 'a', metric: 'mailbox' }] }, /exactly one of above and below/],
      [{ alerts: [{ name: 'a', metric: 'mailbox', above: 1, below: 2 }] }, /exactly one of above and below/],
      [{ alerts: [{ name: 'a', metric: 'utilisation', kind: 'X', above: 0.9 }] }, /not per kind/],
      [{ alerts: [{ name: 'a', metric: 'mailbox', above: 1, forMs: -1 }] }, /forMs=-1/],
      [
        {
          alerts: [
            { name: 'a', metric: 'mailbox', above: 1 },
            { name: 'a', metric: 'held', above: 1 },
          ],
        },
        /names two rules/,
      ],
      [{ alerts: [{ name: 'a', metric: 'mailbox', above: 1, fourMs: 5 }] }, /fourMs/],
      [{ alerts: [{ name: 'a', metric: 'mailbox', above: 1 }], webhook: 'ftp://x' }, /webhook must be an http/],
      [{ webhook: 'http://127.0.0.1:1/' }, /webhook without monitoring.alerts/],
    ];
    for (const [monitoring, message] of cases) {
      await assert.rejects(ActorSystem.start({ workers: 1, monitoring: monitoring as never }), (e: { code?: string; message: string }) => {
        assert.equal(e.code, ErrorCode.INVALID_OPTION);
        assert.match(e.message, message);
        return true;
      });
    }
  });
});
