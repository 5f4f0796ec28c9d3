import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { OTHER_PEER, PEER_SLOTS } from '../../native-free-core/layout/peers-layout.js';
import { createPeersBuffer } from '../../native-free-core/stats/peers-block.js';
import { MetricsReader } from '../../src/observability/metrics-reader.js';
import type { InboundTraffic } from '../../src/remote/inbound.js';
import type { PeerLink } from '../../src/remote/peer-link.js';
import { PeerMetrics } from '../../src/remote/peer-metrics.js';
import type { EchoMsg } from '../fixtures/remote-echo.actor.js';
import { poll } from '../helpers/poll.js';
import { startNode, stopNode } from '../helpers/remote-nodes.js';

/** The value of `name{peer="…"}` in Prometheus text (undefined when absent). */
function valueOf(text: string, name: string, peer: string): number | undefined {
  const m = new RegExp(`^${name}\\{peer="${peer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\} (\\S+)$`, 'm').exec(text);
  return m === null ? undefined : Number(m[1]);
}

test(
  'per-peer metrics: messages, bytes and frames each way, the link up, then the node lost after kill -9',
  { timeout: 60_000 },
  async (t) => {
    const b = await startNode();
    t.after(() => stopNode(b.child));
    const system = await ActorSystem.start({
      workers: 1,
      remote: { listen: '127.0.0.1:0', secret: 'cluster-secret', lostAfterMs: 1500 },
      monitoring: { port: 0, intervalMs: 50 },
    });
    t.after(() => system.shutdown());
    const echo = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo'))!;
    const replies = await Promise.all(Array.from({ length: 200 }, (_, n) => echo.ask({ type: 'ping', n })));
    assert.deepEqual(
      replies.map((r) => r.pong),
      Array.from({ length: 200 }, (_, n) => n),
    );
    const monitoring = system.monitoring!;
    const peer = b.address;
    // The gateway publishes every 250 ms: exact once it has.
    const text = await poll(
      () => monitoring.metrics(),
      (m) =>
        valueOf(m, 'bactor_remote_messages_sent_total', peer) === 200 && valueOf(m, 'bactor_remote_messages_received_total', peer) === 200,
      5000,
    );
    assert.equal(valueOf(text, 'bactor_remote_messages_sent_total', peer), 200, text);
    assert.equal(valueOf(text, 'bactor_remote_messages_received_total', peer), 200);
    assert.equal(valueOf(text, 'bactor_remote_peer_up', peer), 1);
    assert.equal(valueOf(text, 'bactor_remote_backlog_messages', peer), 0);
    assert.equal(valueOf(text, 'bactor_remote_reconnects_total', peer), 0);
    assert.equal(valueOf(text, 'bactor_remote_nodes_lost_total', peer), 0);
    // Each ping and pong is a few bytes of msgpack; the frames batch them (and carry lookups and heartbeats).
    const bytesOut = valueOf(text, 'bactor_remote_message_bytes_sent_total', peer)!;
    const bytesIn = valueOf(text, 'bactor_remote_message_bytes_received_total', peer)!;
    assert.ok(bytesOut >= 200 * 5 && bytesOut < 200 * 200, `bytes sent ${bytesOut}`);
    assert.ok(bytesIn >= 200 * 5 && bytesIn < 200 * 200, `bytes received ${bytesIn}`);
    const framesOut = valueOf(text, 'bactor_remote_frames_sent_total', peer)!;
    assert.ok(framesOut >= 2 && framesOut <= 200 + 50, `frames sent ${framesOut}`);
    assert.ok(valueOf(text, 'bactor_remote_frames_received_total', peer)! >= 2);
    assert.match(text, /# TYPE bactor_remote_messages_sent_total counter/);
    assert.match(text, /# TYPE bactor_remote_peer_up gauge/);

    const view = monitoring.snapshot().peers.find((p) => p.peer === peer)!;
    assert.equal(view.state, 'open');
    assert.equal(view.incarnation, echo.incarnation);
    assert.ok(view.lastHeard > Date.now() - 5000 && view.lastHeard <= Date.now() + 1);

    const exited = once(b.child, 'exit');
    process.kill(b.child.pid!, 'SIGKILL');
    await exited;
    const after = await poll(
      () => monitoring.metrics(),
      (m) => valueOf(m, 'bactor_remote_nodes_lost_total', peer) === 1,
      15_000,
    );
    assert.equal(valueOf(after, 'bactor_remote_nodes_lost_total', peer), 1);
    assert.equal(valueOf(after, 'bactor_remote_peer_up', peer), 0);
    assert.equal(valueOf(after, 'bactor_remote_messages_sent_total', peer), 200, 'counters stay after the loss');
    const lost = monitoring.snapshot().peers.find((p) => p.peer === peer)!;
    assert.notEqual(lost.state, 'open');
    assert.equal(lost.incarnation, 0);
  },
);

test('per-peer metrics without remote: none exported', async (t) => {
  const system = await ActorSystem.start({ workers: 1, monitoring: true });
  t.after(() => system.shutdown());
  assert.doesNotMatch(await system.monitoring!.metrics(), /bactor_remote_/);
  assert.deepEqual(system.monitoring!.snapshot().peers, []);
});

test('the peers block: a slot per address, peers past its room summed in "(other)"', () => {
  const buffer = createPeersBuffer();
  const writer = new PeerMetrics(buffer);
  const links = new Map<string, PeerLink>();
  const inbound = new Map<string, InboundTraffic>();
  const total = PEER_SLOTS + 9;
  for (let i = 0; i < total; i++) {
    const address = `10.0.0.${i}:7000`;
    links.set(address, {
      state: i % 2 === 0 ? 'open' : 'down',
      incarnation: 1000 + i,
      backlog: i,
      lastHeard: 0,
      traffic: { framesOut: 10 + i, framesIn: 1, messagesOut: 100 + i, bytesOut: 1000, opens: 2, lost: 0 },
    } as unknown as PeerLink);
    inbound.set(address, { frames: 2, messages: 3, bytes: 40 });
  }
  // A node that only opened streams here.
  writer.publish(links, inbound);
  const reader = new MetricsReader({
    statsBuffer: new SharedArrayBuffer(8),
    metricsBuffer: new SharedArrayBuffer(8),
    hosts: 0,
    ringFill: () => 0,
    peersBuffer: buffer,
  });
  const peers = reader.peers();
  const own = peers.filter((p) => p.peer !== OTHER_PEER);
  assert.equal(own.length, PEER_SLOTS - 1);
  assert.deepEqual(own[0], {
    peer: '10.0.0.0:7000',
    state: 'open',
    incarnation: 1000,
    framesOut: 10,
    framesIn: 3,
    messagesOut: 100,
    messagesIn: 3,
    bytesOut: 1000,
    bytesIn: 40,
    backlog: 0,
    reconnects: 1,
    lost: 0,
    lastHeard: 0,
  });
  assert.equal(own[1]!.state, 'down');
  const other = peers.find((p) => p.peer === OTHER_PEER)!;
  const rest = total - (PEER_SLOTS - 1);
  assert.equal(
    other.messagesOut,
    Array.from({ length: rest }, (_, j) => 100 + PEER_SLOTS - 1 + j).reduce((a, b) => a + b),
  );
  assert.equal(other.messagesIn, 3 * rest);
  // Published again: the same figures, not doubled.
  writer.publish(links, inbound);
  assert.deepEqual(reader.peers(), peers);
});
