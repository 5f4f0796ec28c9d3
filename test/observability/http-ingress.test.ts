import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ActorSystem, ErrorCode, httpIngress } from '../../src/index.js';
import { IngressTarget, type IngressMsg } from '../fixtures/ingress.actor.js';

describe('httpIngress: requests as asks, backpressure as 503 + Retry-After', () => {
  let system: ActorSystem;
  let server: Server;
  let base: string;

  before(async () => {
    system = await ActorSystem.start({ workers: 2 });
    // Several targets: an actor answers one ask at a time (its async handler holds it), so the
    // slow requests go to one each, chosen by the query's t.
    const targets = await system.spawnMany(
      IngressTarget,
      Array.from({ length: 10 }, () => undefined),
    );
    const handler = httpIngress<IngressMsg, unknown>({
      target: (req) => targets[Number(req.query.get('t') ?? 0)]!,
      toMessage: (req) => {
        if (req.path === '/echo') return { op: 'echo', value: req.body };
        if (req.path === '/slow') return { op: 'slow', ms: Number(req.query.get('ms') ?? 100) };
        if (req.path === '/fail') return { op: 'fail' };
        if (req.path === '/ignore') return { op: 'ignore' };
        throw new Error(`no route for ${req.path}`);
      },
      timeoutMs: 1000,
      maxInFlight: 4,
      maxBodyBytes: 64,
      retryAfterSeconds: 2,
    });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await system.shutdown();
  });

  it('answers with the reply as JSON; maps a bad request, a large body, a failure and a timeout to statuses', async () => {
    const echo = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 1 }),
    });
    assert.equal(echo.status, 200);
    assert.deepEqual(await echo.json(), { echoed: { n: 1 } });
    const text = await fetch(`${base}/echo`, { method: 'POST', body: 'plain' });
    assert.deepEqual(await text.json(), { echoed: 'plain' });
    assert.equal((await fetch(`${base}/nowhere`)).status, 400);
    assert.equal(
      (await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })).status,
      400,
    );
    assert.equal((await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(65) })).status, 413);
    const failed = await fetch(`${base}/fail`);
    assert.equal(failed.status, 500);
    assert.match(await failed.text(), /the handler failed/);
    assert.equal((await fetch(`${base}/ignore`)).status, 504);
  });

  it('past maxInFlight outstanding asks: 503 with Retry-After, nothing queued; the others are answered', async () => {
    // Ten at once, each held 300 ms: four are taken, the rest told to come back (unless some
    // arrive after the first answers, on a very slow machine: then more are taken, never lost).
    const responses = await Promise.all(Array.from({ length: 10 }, (_v, t) => fetch(`${base}/slow?ms=300&t=${t}`)));
    const ok = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 503);
    assert.equal(ok.length + refused.length, 10, responses.map((r) => r.status).join(','));
    assert.ok(ok.length >= 4 && refused.length >= 1, responses.map((r) => r.status).join(','));
    for (const r of refused) assert.equal(r.headers.get('retry-after'), '2');
    for (const r of ok) assert.deepEqual(await r.json(), { slept: 300 });
    // Once they are answered, there is room again.
    assert.equal((await fetch(`${base}/slow?ms=1`)).status, 200);
  });

  it('refuses wrong options with ERR_INVALID_OPTION', () => {
    for (const [options, message] of [
      [undefined, /options \{ target, toMessage \} are required/],
      [{ target: 1, toMessage: () => 1 }, /target must be an actor ref/],
      [{ target: () => null, toMessage: 1 }, /toMessage must be a function/],
      [{ target: () => null, toMessage: () => 1, maxInFlight: 0 }, /maxInFlight=0/],
      [{ target: () => null, toMessage: () => 1, timeout: 5 }, /timeout/],
    ] as [unknown, RegExp][])
      assert.throws(
        () => httpIngress(options as never),
        (e: { code?: string; message: string }) => e.code === ErrorCode.INVALID_OPTION && message.test(e.message),
      );
  });
});
