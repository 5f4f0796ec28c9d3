import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry, Counter as PromCounter } from 'prom-client';
import { ActorSystem, type ActorRef, ErrorCode } from '../../src/index.js';
import { Metered, type MeteredMsg } from '../fixtures/metered.actor.js';
import { poll } from '../helpers/poll.js';
import { parseProm, sum } from '../helpers/prom-text.js';

const scrape = async (url: string): Promise<ReturnType<typeof parseProm>> => parseProm(await (await fetch(`${url}/metrics`)).text());

describe('monitoring: metrics read off shared memory', () => {
  let system: ActorSystem;
  let url: string;
  let refs: ActorRef<MeteredMsg, number>[];
  const ACTORS = 12;
  const EACH = 5_000;

  before(async () => {
    system = await ActorSystem.start({ workers: 2, monitoring: { port: 0, intervalMs: 50 } });
    url = system.monitoring!.url!;
    refs = await system.spawnMany(
      Metered,
      Array.from({ length: ACTORS }, () => undefined),
    );
    refs.push(await system.spawn(Metered, undefined, { dispatcher: 'inline' }));
  });
  after(async () => {
    await system.shutdown();
  });

  it('counts every message of a kind exactly, across the workers and the main thread', async () => {
    for (let i = 0; i < EACH; i++) for (const ref of refs) ref.tell({ type: 'n' });
    const counts = await Promise.all(refs.map((r) => r.ask({ type: 'get' })));
    assert.deepEqual(
      counts,
      refs.map(() => EACH + 1),
    );
    const samples = await scrape(url);
    assert.equal(sum(samples, 'bactor_actor_messages_total', { kind: 'Metered' }), refs.length * (EACH + 1));
    // Every thread that hosts a Metered has its own series.
    const threads = new Set(
      samples.filter((s) => s.name === 'bactor_actor_messages_total' && s.labels.kind === 'Metered').map((s) => s.labels.thread),
    );
    assert.deepEqual([...threads].sort(), ['main', 'w1', 'w2']);
    assert.ok(sum(samples, 'bactor_messages_processed_total') >= refs.length * (EACH + 1));
  });

  it('publishes live actors, queued messages and held actors per kind as gauges', async () => {
    const parked = await system.spawn(Metered, undefined, { worker: 1 });
    parked.tell({ type: 'park', ms: 2000 });
    for (let i = 0; i < 40; i++) parked.tell({ type: 'n' });
    const samples = await poll(
      () => scrape(url),
      (s) => sum(s, 'bactor_mailbox_messages', { kind: 'Metered', thread: 'w1' }) === 40,
    );
    assert.equal(sum(samples, 'bactor_mailbox_messages', { kind: 'Metered', thread: 'w1' }), 40);
    assert.equal(sum(samples, 'bactor_held_actors', { kind: 'Metered', thread: 'w1' }), 1);
    assert.equal(sum(samples, 'bactor_actors', { kind: 'Metered' }), refs.length + 1);
    await system.stop(parked);
    const afterStop = await poll(
      () => scrape(url),
      (s) => sum(s, 'bactor_actors', { kind: 'Metered' }) === refs.length,
    );
    assert.equal(sum(afterStop, 'bactor_actors', { kind: 'Metered' }), refs.length);
    assert.equal(sum(afterStop, 'bactor_mailbox_messages', { kind: 'Metered' }), 0);
  });

  it('counts failures and restarts per kind', async () => {
    const before = await scrape(url);
    for (const ref of refs.slice(0, 3)) ref.tell({ type: 'fail' });
    // After a restart the count starts again: 'get' answers 1 once it has run.
    for (const ref of refs.slice(0, 3))
      await poll(
        () => ref.ask({ type: 'get' }),
        (n) => n <= 2,
      );
    const samples = await scrape(url);
    assert.equal(
      sum(samples, 'bactor_actor_failures_total', { kind: 'Metered' }) - sum(before, 'bactor_actor_failures_total', { kind: 'Metered' }),
      3,
    );
    assert.equal(
      sum(samples, 'bactor_actor_restarts_total', { kind: 'Metered' }) - sum(before, 'bactor_actor_restarts_total', { kind: 'Metered' }),
      3,
    );
  });

  it('fills the handler-duration histogram from timed turns, with cumulative buckets', async () => {
    const slow = await system.spawn(Metered, undefined, { worker: 2 });
    // 2 ms handlers, one at a time: after two slow loop turns the thread times every turn (heavy
    // mode; light mode times ~1 in 256).
    for (let i = 0; i < 30; i++) {
      slow.tell({ type: 'spin', ms: 2 });
      await slow.ask({ type: 'get' }, { timeout: 10_000 });
    }
    const samples = await scrape(url);
    const buckets = samples.filter((s) => s.name === 'bactor_handler_duration_seconds_bucket' && s.labels.kind === 'Metered');
    assert.equal(buckets.length, 15);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, 'cumulative');
    assert.equal(buckets.at(-1)!.labels.le, '+Inf');
    const count = sum(samples, 'bactor_handler_duration_seconds_count', { kind: 'Metered' });
    assert.equal(buckets.at(-1)!.value, count);
    // The 2 ms turns land between 1 ms and 5 ms.
    const le1ms = buckets.find((b) => b.labels.le === '0.001')!.value;
    const le5ms = buckets.find((b) => b.labels.le === '0.005')!.value;
    assert.ok(le5ms - le1ms >= 20, `turns of 1–5 ms: ${le5ms - le1ms}`);
    assert.ok(sum(samples, 'bactor_handler_duration_seconds_sum', { kind: 'Metered' }) >= 0.002 * 20);
    await system.stop(slow);
  });

  it('counts dead letters and keeps their types and senders for inspection', async () => {
    const gone = await system.spawn(Metered, undefined, { worker: 1 });
    await system.stop(gone);
    const before = sum(await scrape(url), 'bactor_dead_letters_total');
    for (let i = 0; i < 5; i++) gone.tell({ type: 'n' });
    const samples = await poll(
      () => scrape(url),
      (s) => sum(s, 'bactor_dead_letters_total') - before === 5,
    );
    assert.equal(sum(samples, 'bactor_dead_letters_total') - before, 5);
    // The worker that met them names the target by its id (its kind went with the actor).
    const target = `#${String(gone).split('#')[1]}`;
    const letters = await poll(
      async () => system.monitoring!.deadLetters().filter((d) => d.target.endsWith(target)),
      (d) => d.length === 5,
    );
    assert.equal(letters.length, 5);
    assert.deepEqual(
      letters.map((d) => [d.messageType, d.sender]),
      Array(5).fill(['n', null]),
    );
  });

  it('serves the dashboard, its snapshot and its event stream; refuses anything else', async () => {
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>bactor dashboard<\/title>/);
    const snap = (await (await fetch(`${url}/snapshot`)).json()) as { threads: { thread: string }[]; kinds: { kind: string }[] };
    assert.deepEqual(
      snap.threads.map((t) => t.thread),
      ['main', 'w1', 'w2'],
    );
    assert.ok(snap.kinds.some((k) => k.kind === 'Metered'));
    const controller = new AbortController();
    const events = await fetch(`${url}/events`, { signal: controller.signal });
    assert.equal(events.headers.get('content-type'), 'text/event-stream');
    const reader = events.body!.getReader();
    let text = '';
    for (let i = 0; i < 20 && !text.includes('data: '); i++) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    assert.match(text, /data: \{"at":/);
    assert.equal((await fetch(`${url}/nothing`)).status, 404);
    assert.equal((await fetch(`${url}/metrics`, { method: 'POST' })).status, 405);
  });

  it('counters stay monotonic across a worker replacement', async () => {
    const w1Before = sum(await scrape(url), 'bactor_actor_messages_total', { thread: 'w1' });
    await system.terminateWorker(1);
    const onNew = await system.spawn(Metered, undefined, { worker: 1 });
    for (let i = 0; i < 100; i++) onNew.tell({ type: 'n' });
    await onNew.ask({ type: 'get' });
    const samples = await scrape(url);
    assert.ok(sum(samples, 'bactor_actor_messages_total', { thread: 'w1' }) >= w1Before + 101);
  });
});

describe('monitoring: options and embedding', () => {
  it('is off by default: no monitoring, nothing served', async () => {
    const system = await ActorSystem.start({ workers: 1 });
    try {
      assert.equal(system.monitoring, null);
    } finally {
      await system.shutdown();
    }
  });

  it('adds its metrics to a registry of yours, without a server when no port is given', async () => {
    const registry = new Registry();
    const mine = new PromCounter({ name: 'my_requests_total', help: 'mine', registers: [registry] });
    mine.inc(3);
    const system = await ActorSystem.start({ workers: 1, monitoring: { registry } });
    try {
      assert.equal(system.monitoring!.url, null);
      assert.equal(system.monitoring!.registry, registry);
      const ref = await system.spawn(Metered, undefined);
      for (let i = 0; i < 10; i++) ref.tell({ type: 'n' });
      await ref.ask({ type: 'get' });
      const samples = parseProm(await registry.metrics());
      assert.equal(sum(samples, 'my_requests_total'), 3);
      assert.equal(sum(samples, 'bactor_actor_messages_total', { kind: 'Metered' }), 11);
    } finally {
      await system.shutdown();
    }
    // Shut down: the registry serves yours only, and a next system registers its own.
    const after = parseProm(await registry.metrics());
    assert.deepEqual([...new Set(after.map((s) => s.name))], ['my_requests_total']);
    const next = await ActorSystem.start({ workers: 1, monitoring: { registry } });
    await next.shutdown();
  });

  it('answers only requests addressed to a loopback name when bound to one (no DNS rebinding)', async () => {
    const system = await ActorSystem.start({ workers: 1, monitoring: { port: 0 } });
    try {
      const { port } = new URL(system.monitoring!.url!);
      const { request } = await import('node:http');
      const status = (host: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: Number(port), path: '/snapshot', headers: { host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
      assert.equal(await status(`127.0.0.1:${port}`), 200);
      assert.equal(await status(`localhost:${port}`), 200);
      assert.equal(await status(`evil.example:${port}`), 421);
    } finally {
      await system.shutdown();
    }
  });

  it('refuses wrong options with ERR_INVALID_OPTION, and a taken port with ERR_ADDRESS_IN_USE', async () => {
    for (const monitoring of [{ port: -1 }, { prot: 9464 }, 'yes', { intervalMs: 1 }, { host: '' }, { registry: {} }, 1]) {
      await assert.rejects(
        ActorSystem.start({ workers: 1, monitoring: monitoring as never }),
        (e: { code?: string; message: string }) => e.code === ErrorCode.INVALID_OPTION && /monitoring/.test(e.message),
        JSON.stringify(monitoring),
      );
    }
    const { createServer } = await import('node:http');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await assert.rejects(ActorSystem.start({ workers: 1, monitoring: { port } }), { code: ErrorCode.ADDRESS_IN_USE });
    } finally {
      server.close();
    }
    // The failed start left nothing running: the next one starts.
    const next = await ActorSystem.start({ workers: 1, monitoring: { port: 0 } });
    await next.shutdown();
  });
});
