import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, ErrorCode, type RemoteOptions, type RemotePeer } from '../../src/index.js';
import { Collector, type CollectorMsg, type EchoMsg } from '../fixtures/remote-echo.actor.js';
import { startNode, stopNode } from '../helpers/remote-nodes.js';

const SECRET = 'cluster-secret';

/** A one-worker system listening on any port, with the cluster's secret, these credentials and, if given, an authenticator. */
function startWith(credentials: string, authenticate?: RemoteOptions['authenticate']): Promise<ActorSystem> {
  return ActorSystem.start({
    workers: 1,
    remote: { listen: '127.0.0.1:0', secret: SECRET, credentials, ...(authenticate ? { authenticate } : {}) },
  });
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test(
  'remote.authenticate: a node is let in by what its credentials say; refused on both sides with the reason otherwise',
  { timeout: 90_000 },
  async (t) => {
    // Node B lets in only the credentials 'good', and shows 'b-token' when it dials.
    const b = await startNode(SECRET, undefined, undefined, { REMOTE_ACCEPT: 'good', REMOTE_CREDENTIALS: 'b-token' });
    t.after(() => stopNode(b.child));

    // 1. This node shows the wrong credentials: B refuses, and the reason B gave reaches here.
    let system = await startWith('bad');
    await assert.rejects(system.lookupRemote(b.address, 'echo'), (e: Error & { code?: string }) => {
      assert.equal(e.code, ErrorCode.REMOTE_REFUSED);
      assert.match(e.message, /unknown credentials 'bad'/);
      return true;
    });
    await system.shutdown();

    // 2. The right credentials: let in; and B, dialling back to answer, is let in by this node's authenticator.
    const seen: RemotePeer[] = [];
    system = await startWith('good', async (peer) => {
      seen.push(peer);
      await new Promise((r) => setTimeout(r, 20)); // an asynchronous check (a token service, say)
      return peer.credentials === 'b-token' || 'not on the list';
    });
    const echo = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo'))!;
    assert.equal((await echo.ask({ type: 'ping', n: 1 }, { timeout: 5000 })).pong, 1);
    const collector = await system.spawn(Collector, undefined);
    for (let n = 0; n < 50; n++) echo.tell({ type: 'relay', n, replyTo: collector as never });
    assert.ok(
      await until(async () => (await collector.ask({ type: 'get' } as CollectorMsg)).got.length === 50, 10_000),
      'B dialled back and was let in: every relay arrived',
    );
    assert.deepEqual((await collector.ask({ type: 'get' } as CollectorMsg)).got, [...Array(50).keys()], 'in order, once');
    assert.ok(seen.length >= 1, 'the authenticator was asked');
    assert.equal(seen[0]!.address, b.address, 'with where the node listens');
    assert.equal(seen[0]!.credentials, 'b-token');
    assert.ok(seen[0]!.incarnation > 0);
    await system.shutdown();

    // 3. An authenticator that throws refuses: B's answers never arrive, this node stays up.
    let asked = 0;
    system = await startWith('good', () => {
      asked++;
      throw new Error('token service down');
    });
    const refusals: string[] = [];
    system.events.subscribe((e) => void (e.type === 'remote-error' && e.what === 'refused' && refusals.push(e.detail)));
    const echo3 = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo'))!;
    const collector3 = await system.spawn(Collector, undefined);
    echo3.tell({ type: 'relay', n: 1, replyTo: collector3 as never });
    assert.ok(await until(async () => asked > 0, 10_000), 'B tried to dial back and was asked about');
    assert.ok(await until(async () => refusals.length > 0, 5000), 'the refusal is published here as an event');
    assert.match(refusals[0]!, /ERR_REMOTE_REFUSED.*the authenticator threw: token service down/);
    assert.deepEqual((await collector3.ask({ type: 'get' } as CollectorMsg)).got, [], 'nothing from a refused node');
    // Replies travel on a stream B opens to this node: refused too, so an ask is never answered.
    await assert.rejects(echo3.ask({ type: 'ping', n: 2 }, { timeout: 1000 }), { code: ErrorCode.ASK_TIMEOUT });
    await system.shutdown();
  },
);

test('remote.authenticate and remote.credentials check their input', async () => {
  await assert.rejects(ActorSystem.start({ remote: { listen: '127.0.0.1:0', authenticate: 'yes' as never } }), {
    code: ErrorCode.INVALID_OPTION,
    message: /remote\.authenticate must be a function/,
  });
  await assert.rejects(ActorSystem.start({ remote: { listen: '127.0.0.1:0', credentials: 5 as never } }), {
    code: ErrorCode.INVALID_OPTION,
    message: /remote\.credentials must be a string/,
  });
});
