import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { test } from 'node:test';
import { ActorSystem, ErrorCode } from '../../src/index.js';
import { Collector, Echo, type EchoMsg, Victim } from '../fixtures/remote-echo.actor.js';
import { startNode, stopNode } from '../helpers/remote-nodes.js';

test('two nodes: lookup, ask, and refs inside messages replied to across nodes, in order', { timeout: 60_000 }, async (t) => {
  const b = await startNode();
  t.after(() => stopNode(b.child));
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: 'cluster-secret' } });
  t.after(() => system.shutdown());
  assert.match(system.address!, /^127\.0\.0\.1:\d+$/);

  const echo = await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo');
  assert.ok(echo !== undefined, 'the named actor is found on the other node');
  assert.notEqual(echo.incarnation, system.incarnation, 'a ref of the other node carries its incarnation');
  assert.deepEqual(await echo.ask({ type: 'ping', n: 7 }, { timeout: 5000 }), { pong: 7, seen: 1 });
  assert.equal(await system.lookupRemote(b.address, 'nobody'), undefined);
  // What the codec cannot carry fails at the tell, named by its path in the message.
  assert.throws(() => echo.tell({ type: 'ping', n: (() => 1) as never }), { code: ErrorCode.UNSERIALIZABLE_MESSAGE, message: /msg\.n/ });
  // What is larger than a node accepts fails at the tell too, and the next message goes.
  assert.throws(() => echo.tell({ type: 'ping', n: 'x'.repeat(5 * 2 ** 20) as never }), { code: ErrorCode.MESSAGE_TOO_LARGE });
  assert.deepEqual(await echo.ask({ type: 'ping', n: 8 }, { timeout: 5000 }), { pong: 8, seen: 2 });

  // A ref of this node inside a message: the other node tells it; 5,000 arrive once and in order.
  const collector = await system.spawn(Collector, undefined);
  const N = 5000;
  for (let n = 0; n < N; n++) echo.tell({ type: 'relay', n, replyTo: collector });
  let state = { got: [] as number[], from: '' };
  for (let i = 0; i < 200 && state.got.length < N; i++) {
    await new Promise((r) => setTimeout(r, 50));
    state = await collector.ask({ type: 'get' });
  }
  assert.equal(state.got.length, N, 'nothing lost');
  assert.ok(
    state.got.every((n, i) => n === i),
    'nothing duplicated or reordered',
  );
  assert.match(state.from, /^RemoteEcho#/, "the sender's ref came across as a ref");
});

test('large messages cross in pieces: whole, once, and in order with the small ones around them', { timeout: 60_000 }, async (t) => {
  const b = await startNode();
  t.after(() => stopNode(b.child));
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: 'cluster-secret' } });
  t.after(() => system.shutdown());
  const echo = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo'))!;
  const collector = await system.spawn(Collector, undefined);
  // Every tenth a 1.5 MB message (24 pieces), every tenth but five a 200 KB one, the rest small:
  // there and back, each pad checked byte by byte where it lands.
  const N = 100;
  const sizes: number[] = [];
  for (let n = 0; n < N; n++) {
    const size = n % 10 === 0 ? 1_500_000 : n % 10 === 5 ? 200_000 : 0;
    if (size > 0) sizes.push(size);
    echo.tell({ type: 'relay', n, replyTo: collector, pad: size > 0 ? new Uint8Array(size).fill(n & 255) : undefined });
  }
  let state = { got: [] as number[], from: '', pads: [] as number[], badPads: 0 };
  for (let i = 0; i < 300 && state.got.length < N; i++) {
    await new Promise((r) => setTimeout(r, 50));
    state = await collector.ask({ type: 'get' });
  }
  assert.deepEqual(
    state.got,
    Array.from({ length: N }, (_, n) => n),
    'all arrived once, in the order sent',
  );
  assert.deepEqual(state.pads, sizes, 'each large message arrived whole');
  assert.equal(state.badPads, 0, 'and byte for byte');
});

test(
  'listening where something already listens fails with ERR_ADDRESS_IN_USE and leaves nothing running',
  { timeout: 60_000 },
  async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const taken = `127.0.0.1:${(holder.address() as AddressInfo).port}`;
    try {
      await assert.rejects(ActorSystem.start({ workers: 1, remote: { listen: taken } }), (e: Error & { code?: string }) => {
        assert.equal(e.code, ErrorCode.ADDRESS_IN_USE);
        assert.match(e.message, new RegExp(`remote.listen '${taken}': something already listens there`));
        return true;
      });
      // Nothing of the failed start is left: a system starts on this thread right after.
      const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0' } });
      await system.shutdown();
    } finally {
      holder.close();
    }
  },
);

test('a wrong secret is refused on both sides with ERR_REMOTE_REFUSED; an unreachable node rejects', { timeout: 60_000 }, async (t) => {
  const b = await startNode('right');
  t.after(() => stopNode(b.child));
  const system = await ActorSystem.start({ workers: 0, remote: { listen: '127.0.0.1:0', secret: 'wrong' } });
  t.after(() => system.shutdown());
  await assert.rejects(system.lookupRemote(b.address, 'echo'), (e: Error & { code?: string }) => {
    assert.equal(e.code, ErrorCode.REMOTE_REFUSED);
    assert.match(e.message, /wrong secret/);
    return true;
  });
  // A port nothing listens on: taken from the OS, then let go.
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = `127.0.0.1:${(probe.address() as AddressInfo).port}`;
  probe.close();
  await once(probe, 'close');
  await assert.rejects(system.lookupRemote(address, 'echo'), { code: ErrorCode.REMOTE_UNREACHABLE });
});

test('a node that dies: asks to its actors fail at once, not at their timeout', { timeout: 60_000 }, async (t) => {
  const b = await startNode();
  t.after(() => stopNode(b.child));
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: 'cluster-secret' } });
  t.after(() => system.shutdown());
  const echo = (await system.lookupRemote<EchoMsg, { pong: number }>(b.address, 'echo'))!;
  assert.equal((await echo.ask({ type: 'ping', n: 1 })).pong, 1);
  const exited = once(b.child, 'exit');
  process.kill(b.child.pid!, 'SIGKILL');
  await exited;
  const started = performance.now();
  await assert.rejects(echo.ask({ type: 'ping', n: 2 }, { timeout: 20_000 }), (e: Error & { code?: string }) => {
    assert.notEqual(e.code, ErrorCode.ASK_TIMEOUT, e.message);
    return true;
  });
  assert.ok(performance.now() - started < 15_000, 'failed before its timeout');
});

test('remote options and calls check their input', { timeout: 30_000 }, async (t) => {
  await assert.rejects(ActorSystem.start({ remote: { listen: 'nowhere' } }), { code: ErrorCode.INVALID_OPTION, message: /remote.listen/ });
  await assert.rejects(ActorSystem.start({ remote: { listen: '127.0.0.1:1', secret: '' } }), {
    code: ErrorCode.INVALID_OPTION,
    message: /remote.secret/,
  });
  await assert.rejects(ActorSystem.start({ remote: { lisen: '127.0.0.1:0' } as never }), {
    code: ErrorCode.INVALID_OPTION,
    message: /did you mean 'listen'/,
  });
  const system = await ActorSystem.start({ workers: 0 });
  t.after(() => system.shutdown());
  assert.equal(system.address, null);
  await assert.rejects(system.lookupRemote('127.0.0.1:4100', 'echo'), { code: ErrorCode.NO_REMOTE });
  await assert.rejects(system.lookupRemote('not an address', 'echo'), { code: ErrorCode.INVALID_OPTION });
});

test(
  'a node killed and restarted at its address is a new incarnation: old refs fail fast, never reach it; the new one is reachable',
  { timeout: 90_000 },
  async (t) => {
    const first = await startNode();
    t.after(() => stopNode(first.child));
    const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: 'cluster-secret' } });
    t.after(() => system.shutdown());
    const old = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(first.address, 'echo'))!;
    assert.equal((await old.ask({ type: 'ping', n: 1 })).seen, 1);
    const exited = once(first.child, 'exit');
    process.kill(first.child.pid!, 'SIGKILL');
    await exited;
    // The port may linger a moment after the kill: try the same address for up to 10 s.
    let second: { child: ChildProcess; address: string } | null = null;
    for (let i = 0; i < 20 && second === null; i++) {
      try {
        second = await startNode('cluster-secret', first.address);
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    assert.ok(second !== null, 'the node restarted at its address');
    t.after(() => stopNode(second!.child));
    const fresh = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(second.address, 'echo'))!;
    assert.notEqual(fresh.incarnation, old.incarnation, 'a restarted node is a new incarnation');
    assert.deepEqual(await fresh.ask({ type: 'ping', n: 2 }, { timeout: 5000 }), { pong: 2, seen: 1 });
    // The old ref: fails at once (not at its timeout) and never reaches the new node's echo.
    for (let i = 0; i < 3; i++) {
      await assert.rejects(old.ask({ type: 'ping', n: 3 }, { timeout: 20_000 }), (e: Error & { code?: string }) => {
        assert.notEqual(e.code, ErrorCode.ASK_TIMEOUT, e.message);
        return true;
      });
      await new Promise((r) => setTimeout(r, 150));
    }
    assert.equal((await fresh.ask({ type: 'ping', n: 4 })).seen, 2, "the new echo saw only the new ref's pings");
  },
);

test('remote spawn: only the kinds the target node allows; the ref answers; a name registers it there', { timeout: 60_000 }, async (t) => {
  const b = await startNode();
  t.after(() => stopNode(b.child));
  const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: 'cluster-secret' } });
  t.after(() => system.shutdown());
  const victim = await system.spawnRemote(b.address, Victim, undefined, { name: 'spawned-victim' });
  assert.notEqual(victim.incarnation, system.incarnation);
  assert.equal(victim.kind, 'RemoteVictim');
  assert.equal(await victim.ask({ type: 'ping' }, { timeout: 5000 }), 'pong');
  const found = await system.lookupRemote(b.address, 'spawned-victim');
  assert.ok(found?.equals(victim), 'registered under its name on that node');
  // By name too.
  assert.equal(
    await (await system.spawnRemote<{ type: 'ping' }, string, void>(b.address, 'RemoteVictim', undefined)).ask({ type: 'ping' }),
    'pong',
  );

  await assert.rejects(system.spawnRemote(b.address, Echo, undefined), (e: Error & { code?: string }) => {
    assert.equal(e.code, ErrorCode.REMOTE_SPAWN_REFUSED);
    assert.match(e.message, /does not let other nodes spawn 'RemoteEcho'.*'RemoteVictim'/);
    return true;
  });
  await assert.rejects(system.spawnRemote(b.address, 'NoSuchKind', undefined), { code: ErrorCode.REMOTE_SPAWN_REFUSED });
  // The name is taken there: that node's own spawn error comes back.
  await assert.rejects(system.spawnRemote(b.address, Victim, undefined, { name: 'spawned-victim' }), (e: Error & { code?: string }) => {
    assert.ok(e.code !== undefined && e.code !== ErrorCode.REMOTE_SPAWN_REFUSED, `${e.code}: ${e.message}`);
    return true;
  });
  await assert.rejects(system.spawnRemote(b.address, 42 as never, undefined), { code: ErrorCode.INVALID_OPTION });
  await assert.rejects(system.spawnRemote(b.address, Victim, undefined, { worker: 1 } as never), { code: ErrorCode.INVALID_OPTION });
  await assert.rejects(system.spawnRemote(b.address, Victim, (() => 1) as never), { code: ErrorCode.UNSERIALIZABLE_MESSAGE });
  await assert.rejects(ActorSystem.start({ remote: { listen: '127.0.0.1:0', spawnable: [{}] as never } }), {
    code: ErrorCode.INVALID_OPTION,
    message: /spawnable\[0\]/,
  });
});
