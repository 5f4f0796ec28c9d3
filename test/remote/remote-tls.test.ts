import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, ErrorCode } from '../../src/index.js';
import type { EchoMsg } from '../fixtures/remote-echo.actor.js';
import { startNode, stopNode } from '../helpers/remote-nodes.js';
import { makeCerts } from '../helpers/test-certs.js';

const SECRET = 'cluster-secret';

test(
  'mutual TLS between nodes: certificates of the cluster CA are let in; another CA, none, or plaintext are refused',
  { timeout: 90_000 },
  async (t) => {
    const certs = makeCerts();
    t.after(() => certs.cleanup());
    const b = await startNode(SECRET, undefined, certs.good);
    t.after(() => stopNode(b.child));

    const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: SECRET, tls: certs.good } });
    t.after(() => system.shutdown());
    const echo = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo'))!;
    assert.deepEqual(await echo.ask({ type: 'ping', n: 1 }, { timeout: 5000 }), { pong: 1, seen: 1 }, 'asked and answered over mutual TLS');

    // Other nodes, each in a process of its own (one system per process): a certificate of another
    // CA, no client certificate, and no TLS at all. None gets in; each sees why as an error code.
    const attempts: [string, object][] = [
      ['another CA', { listen: '127.0.0.1:0', secret: SECRET, tls: certs.other }],
      ['no client certificate', { listen: '127.0.0.1:0', secret: SECRET, tls: { ...certs.good, mutual: false } }],
      ['plaintext', { listen: '127.0.0.1:0', secret: SECRET }],
    ];
    for (const [what, remote] of attempts) {
      const { execFileSync } = await import('node:child_process');
      const script = `
      const { ActorSystem } = await import(${JSON.stringify(new URL('../../src/index.js', import.meta.url).href)});
      const system = await ActorSystem.start({ workers: 0, remote: ${JSON.stringify(remote)} });
      try { await system.lookupRemote(${JSON.stringify(b.address)}, 'echo'); console.log('GOT IN'); }
      catch (e) { console.log('refused', e.code); }
      await system.shutdown();`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      assert.match(out, new RegExp(`refused (${ErrorCode.REMOTE_UNREACHABLE}|${ErrorCode.REMOTE_REFUSED})`), `${what}: ${out}`);
    }
    // The cluster's own node still gets in after them.
    assert.equal((await echo.ask({ type: 'ping', n: 2 }, { timeout: 5000 })).pong, 2);
  },
);

test('remote.tls checks its input', async () => {
  await assert.rejects(ActorSystem.start({ remote: { listen: '127.0.0.1:0', tls: { cert: 'x', key: 'y', ca: 'z' } } }), {
    code: ErrorCode.INVALID_OPTION,
    message: /remote\.tls\.cert must be PEM/,
  });
  await assert.rejects(ActorSystem.start({ remote: { listen: '127.0.0.1:0', tls: { cert: '-----BEGIN x' } as never } }), {
    code: ErrorCode.INVALID_OPTION,
    message: /remote\.tls\.key/,
  });
  await assert.rejects(ActorSystem.start({ remote: { listen: '127.0.0.1:0', lostAfterMs: 10 } }), {
    code: ErrorCode.INVALID_OPTION,
    message: /lostAfterMs/,
  });
});
