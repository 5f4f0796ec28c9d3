import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { ActorSystem } from '../../src/index.js';
import type { EchoMsg } from '../fixtures/remote-echo.actor.js';
import { startNode, stopNode } from '../helpers/remote-nodes.js';

test(
  'a traced message to a node without tracing reaches its handler as itself; the send span is exported here',
  { timeout: 60_000 },
  async (t) => {
    const b = await startNode();
    t.after(() => stopNode(b.child));
    const exporter = new InMemorySpanExporter();
    const system = await ActorSystem.start({
      workers: 1,
      remote: { listen: '127.0.0.1:0', secret: 'cluster-secret' },
      tracing: { exporter, sampleRate: 1 },
    });
    t.after(() => system.shutdown());
    const echo = await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo');
    assert.ok(echo !== undefined);
    assert.deepEqual(await echo.ask({ type: 'ping', n: 7 }, { timeout: 5000 }), { pong: 7, seen: 1 });
    assert.deepEqual(await echo.ask({ type: 'ping', n: 8 }, { timeout: 5000 }), { pong: 8, seen: 2 });
    await system.tracing!.flush();
    const sends = exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'send echo' || s.attributes['messaging.destination.name'] === echo.kind);
    assert.equal(
      sends.length,
      2,
      exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(', '),
    );
  },
);
