import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { ActorSystem, type SystemEvent } from '../../src/index.js';
import { Collector, type EchoMsg, Victim, type VictimMsg, Watcher } from '../fixtures/remote-echo.actor.js';
import { startNode, stopNode } from '../helpers/remote-nodes.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { poll } from '../helpers/poll.js';

const SECRET = 'cluster-secret';

test(
  'watch across nodes: terminated when a remote actor stops, and a remote watcher hears of a local stop',
  { timeout: 60_000 },
  async (t) => {
    const b = await startNode();
    t.after(() => stopNode(b.child));
    const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: SECRET } });
    t.after(() => system.shutdown());
    const watcher = await system.spawn(Watcher, undefined);
    const victim = (await system.lookupRemote<VictimMsg, string>(b.address, 'victim'))!;
    assert.equal(await victim.ask({ type: 'ping' }), 'pong');

    // An actor here watches one there; it stops there.
    watcher.tell({ type: 'watch', target: victim });
    victim.tell({ type: 'stop' });
    let gone = await poll(
      () => watcher.ask({ type: 'get' }),
      (g) => g.length >= 1,
    );
    assert.deepEqual(gone, [`RemoteVictim@${victim.incarnation}`], 'the watcher got terminated with the remote ref');

    // An actor there watches one here; it stops here: the watcher there hears of it (and reports back).
    const echo = (await system.lookupRemote<EchoMsg>(b.address, 'echo'))!;
    const local = await system.spawn(Victim, undefined);
    echo.tell({ type: 'watch', target: local, replyTo: watcher });
    // The watch travels on the system lane: wait until it is there (a watch after the stop would also get terminated at once).
    await new Promise((r) => setTimeout(r, 200));
    local.tell({ type: 'stop' });
    gone = await poll(
      () => watcher.ask({ type: 'get' }),
      (g) => g.length >= 2,
    );
    assert.deepEqual(gone, [`RemoteVictim@${victim.incarnation}`, `RemoteVictim@${system.incarnation}`]);
  },
);

test('kill -9 of a node: watchers here get terminated once it is declared lost, with a node-lost event', { timeout: 60_000 }, async (t) => {
  const b = await startNode();
  t.after(() => stopNode(b.child));
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: SECRET, lostAfterMs: 2000 } });
  t.after(() => system.shutdown());
  const events: SystemEvent[] = [];
  system.events.subscribe((e) => e.type === 'node-lost' && events.push(e));
  const watcher = await system.spawn(Watcher, undefined);
  const victim = (await system.lookupRemote<VictimMsg, string>(b.address, 'victim'))!;
  const echo = (await system.lookupRemote<EchoMsg>(b.address, 'echo'))!;
  watcher.tell({ type: 'watch', target: victim });
  watcher.tell({ type: 'watch', target: echo });
  assert.equal(await victim.ask({ type: 'ping' }), 'pong');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await watcher.ask({ type: 'get' }), [], 'nothing ended yet');

  const exited = once(b.child, 'exit');
  process.kill(b.child.pid!, 'SIGKILL');
  await exited;
  const killed = performance.now();
  const gone = await poll(
    () => watcher.ask({ type: 'get' }),
    (g) => g.length >= 2,
    20_000,
  );
  const tookMs = performance.now() - killed;
  assert.deepEqual(gone.sort(), [`RemoteEcho@${echo.incarnation}`, `RemoteVictim@${victim.incarnation}`]);
  // Not before lostAfterMs (a short blip is not a loss), and well before the 20 s poll gives up.
  assert.ok(tookMs >= 1500, `terminated came after ${tookMs.toFixed(0)} ms, before lostAfterMs`);
  // The event comes on the gateway's ring to the main thread, the watcher's answer on the
  // worker's: either may be read first.
  await poll(
    async () => events.length,
    (n) => n >= 1,
    5000,
  );
  assert.equal(events.length, 1);
  const lost = events[0] as Extract<SystemEvent, { type: 'node-lost' }>;
  assert.equal(lost.incarnation, victim.incarnation);
  assert.match(lost.reason, /unreachable for 2000 ms/);
  t.diagnostic(`terminated ${tookMs.toFixed(0)} ms after kill -9 (lostAfterMs 2000)`);
  // A watch of an actor of the lost node: terminated at once.
  watcher.tell({ type: 'watch', target: victim });
  assert.equal(
    (
      await poll(
        () => watcher.ask({ type: 'get' }),
        (g) => g.length >= 3,
        5000,
      )
    ).length,
    3,
  );
});

test(
  'a dropped connection: messages and a watch sent while it is down wait and arrive after the reconnect, in order, once',
  { timeout: 90_000 },
  async (t) => {
    const b = await startNode();
    t.after(() => stopNode(b.child));
    const proxy = new TcpProxy(b.address);
    await proxy.start();
    t.after(() => proxy.close());
    const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: SECRET, lostAfterMs: 10_000 } });
    t.after(() => system.shutdown());
    const echo = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(proxy.address, 'echo'))!;
    const victim = (await system.lookupRemote<VictimMsg, string>(proxy.address, 'victim'))!;
    const collector = await system.spawn(Collector, undefined);
    const watcher = await system.spawn(Watcher, undefined);
    const N = 1000;
    for (let n = 0; n < N; n++) echo.tell({ type: 'relay', n, replyTo: collector });
    await poll(
      () => collector.ask({ type: 'get' }),
      (s) => s.got.length >= N,
    );

    proxy.cut();
    // The link sees the cut (an ask on it fails when its connection breaks), then more is sent.
    await assert.rejects(echo.ask({ type: 'ping', n: 0 }, { timeout: 8000 }));
    for (let n = N; n < 2 * N; n++) echo.tell({ type: 'relay', n, replyTo: collector });
    watcher.tell({ type: 'watch', target: victim });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await collector.ask({ type: 'get' })).got.length, N, 'nothing goes while the connection is down');
    proxy.restore();

    const state = await poll(
      () => collector.ask({ type: 'get' }),
      (s) => s.got.length >= 2 * N,
      20_000,
    );
    assert.equal(state.got.length, 2 * N, 'what waited was delivered');
    assert.ok(
      state.got.every((n, i) => n === i),
      'nothing duplicated or reordered',
    );
    // The watch sent while down arrived: the victim's stop reaches the watcher.
    victim.tell({ type: 'stop' });
    assert.deepEqual(
      await poll(
        () => watcher.ask({ type: 'get' }),
        (g) => g.length >= 1,
      ),
      [`RemoteVictim@${victim.incarnation}`],
    );
  },
);

test(
  'three nodes: a ref of a third node, passed along, reaches it (found through the node that passed it)',
  { timeout: 90_000 },
  async (t) => {
    const b = await startNode();
    t.after(() => stopNode(b.child));
    const c = await startNode();
    t.after(() => stopNode(c.child));
    const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: SECRET } });
    t.after(() => system.shutdown());
    const echoB = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo'))!;
    const victimC = (await system.lookupRemote<VictimMsg, string>(c.address, 'victim'))!;
    const watcher = await system.spawn(Watcher, undefined);
    watcher.tell({ type: 'watch', target: victimC });
    assert.equal(await victimC.ask({ type: 'ping' }), 'pong');

    // B never heard of C: it asks the nodes it knows where C listens, then tells C's victim to stop.
    echoB.tell({ type: 'forward', target: victimC, message: { type: 'stop' } });
    assert.deepEqual(
      await poll(
        () => watcher.ask({ type: 'get' }),
        (g) => g.length >= 1,
      ),
      [`RemoteVictim@${victimC.incarnation}`],
    );
    // And B watches an actor of C it got from here: C's echo; it stops; B reports to the watcher here.
    const echoC = (await system.lookupRemote<EchoMsg>(c.address, 'echo'))!;
    echoB.tell({ type: 'watch', target: echoC, replyTo: watcher });
    await new Promise((r) => setTimeout(r, 300));
    echoC.tell({ type: 'stop' });
    assert.deepEqual(
      await poll(
        () => watcher.ask({ type: 'get' }),
        (g) => g.length >= 2,
      ),
      [`RemoteVictim@${victimC.incarnation}`, `RemoteEcho@${echoC.incarnation}`],
    );
  },
);
