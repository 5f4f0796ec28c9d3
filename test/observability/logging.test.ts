import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { ActorSystem, ErrorCode, type Logger } from '../../src/index.js';
import { Metered } from '../fixtures/metered.actor.js';
import { poll } from '../helpers/poll.js';

type Entry = { level: string; message: string; fields: Record<string, unknown> };

function recorder(): { logger: Logger; entries: Entry[] } {
  const entries: Entry[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => entries.push({ level, message, fields });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, entries };
}

describe('logging: the system logs itself, structured, at levels', () => {
  it('logs its start, failures, dead letters at debug (when asked), a worker that died, and its stop', async () => {
    const { logger, entries } = recorder();
    const system = await ActorSystem.start({ workers: 2, logging: { level: 'debug', logger } });
    const ref = await system.spawn(Metered, undefined, { worker: 1 });
    ref.tell({ type: 'fail' });
    const gone = await system.spawn(Metered, undefined, { worker: 2 });
    await system.stop(gone);
    gone.tell({ type: 'n' });
    await system.terminateWorker(1);
    await poll(
      async () => entries.map((e) => e.fields.event),
      (events) => events.filter((e) => e === 'actor-failed').length >= 2 && events.includes('dead-letter'),
    );
    await system.shutdown();
    const find = (event: string, actor = /^Metered/): Entry =>
      entries.find((e) => e.fields.event === event && actor.test(String(e.fields.actor ?? '')))!;
    assert.deepEqual(entries[0], { level: 'info', message: 'actor system started', fields: { workers: 2, dedicatedWorkers: 0 } });
    assert.equal(find('actor-failed').level, 'warn', 'restarted: a warning');
    assert.match(find('actor-failed').message, /^Metered#\d+@w1 failed: metered failure \(restart\)$/);
    assert.equal(find('dead-letter', /^/).level, 'debug');
    assert.equal(find('dead-letter', /^/).fields.messageType, 'n');
    // The worker's death: an error (its actors were re-created).
    const died = find('actor-failed', /^worker 1$/);
    assert.equal(died.level, 'error');
    assert.match(died.message, /^worker 1 failed: .* \(replaced\)$/);
    assert.deepEqual(entries.at(-1), { level: 'info', message: 'actor system stopped', fields: {} });
  });

  it('ctx.log: an actor on any thread writes to the system log with its ref and thread, above the level only', async () => {
    const { logger, entries } = recorder();
    const system = await ActorSystem.start({ workers: 2, logging: { level: 'info', logger } });
    const onWorker = await system.spawn(Metered, undefined, { worker: 2 });
    const inline = await system.spawn(Metered, undefined, { dispatcher: 'inline' });
    onWorker.tell({ type: 'log', level: 'info', text: 'order placed', fields: { orderId: 7, err: new Error('kept as data') } as never });
    onWorker.tell({ type: 'log', level: 'debug', text: 'below the level' });
    inline.tell({ type: 'log', level: 'warn', text: 'from main' });
    await poll(
      async () => entries.filter((e) => e.message === 'order placed' || e.message === 'from main').length,
      (n) => n >= 2,
    );
    await system.shutdown();
    const placed = entries.find((e) => e.message === 'order placed')!;
    assert.equal(placed.level, 'info');
    assert.equal(placed.fields.actor, String(onWorker));
    assert.equal(placed.fields.thread, 'w2');
    assert.equal(placed.fields.orderId, 7);
    assert.equal(placed.fields.count, 1);
    assert.equal((placed.fields.err as { message: string }).message, 'kept as data');
    const main = entries.find((e) => e.message === 'from main')!;
    assert.deepEqual([main.level, main.fields.thread, main.fields.actor], ['warn', 'main', String(inline)]);
    assert.equal(entries.filter((e) => e.message === 'below the level').length, 0);
  });

  it('ctx.log without logging writes nothing and throws nothing', async () => {
    const system = await ActorSystem.start({ workers: 1 });
    try {
      const ref = await system.spawn(Metered, undefined);
      ref.tell({ type: 'log', level: 'error', text: 'nowhere' });
      assert.equal(await ref.ask({ type: 'get' }), 2);
    } finally {
      await system.shutdown();
    }
  });

  it('leaves out what is below its level; a logger that throws breaks nothing', async () => {
    const { logger, entries } = recorder();
    const system = await ActorSystem.start({
      workers: 1,
      logging: {
        level: 'warn',
        logger: {
          ...logger,
          info: () => {
            throw new Error('broken logger');
          },
        },
      },
    });
    const gone = await system.spawn(Metered, undefined);
    await system.stop(gone);
    gone.tell({ type: 'n' });
    const ref = await system.spawn(Metered, undefined);
    ref.tell({ type: 'fail' });
    await poll(
      async () => entries.length,
      (n) => n >= 1,
    );
    await system.shutdown();
    assert.deepEqual(
      entries.map((e) => [e.level, e.fields.event]),
      [['warn', 'actor-failed']],
    );
  });

  it("writes JSON lines to stderr by default ('json')", async () => {
    const script = `
      import { ActorSystem } from ${JSON.stringify(new URL('../../src/index.js', import.meta.url).href)};
      const system = await ActorSystem.start({ workers: 1, logging: {} });
      await system.shutdown();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, err);
    const lines = err
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string; time: number; workers?: number });
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        ['info', 'actor system started'],
        ['info', 'actor system stopped'],
      ],
    );
    assert.equal(lines[0]!.workers, 1);
    assert.ok(Math.abs(lines[0]!.time - Date.now()) < 60_000);
  });

  it("logs through pino with logger: 'pino' (an optional peer dependency)", async () => {
    const script = `
      import { ActorSystem } from ${JSON.stringify(new URL('../../src/index.js', import.meta.url).href)};
      const system = await ActorSystem.start({ workers: 1, logging: { logger: 'pino', level: 'info' } });
      await system.shutdown();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string; name: string });
    // pino's numeric levels: 30 is info.
    assert.deepEqual(
      lines.map((l) => [l.level, l.name, l.msg]),
      [
        [30, 'bactor', 'actor system started'],
        [30, 'bactor', 'actor system stopped'],
      ],
    );
  });

  it('refuses wrong options with ERR_INVALID_OPTION', async () => {
    for (const [logging, message] of [
      [{ level: 'verbose' }, /logging.level="verbose"/],
      [{ logger: {} }, /logging.logger must be/],
      [{ logger: console, lvl: 'x' }, /lvl/],
      ['info', /logging must be an object/],
    ] as [unknown, RegExp][]) {
      await assert.rejects(ActorSystem.start({ workers: 1, logging: logging as never }), (e: { code?: string; message: string }) => {
        assert.equal(e.code, ErrorCode.INVALID_OPTION);
        assert.match(e.message, message);
        return true;
      });
    }
    // console has debug, info, warn and error: it is a logger (fields first, then the message).
    const system = await ActorSystem.start({ workers: 1, logging: { level: 'error', logger: console } });
    await system.shutdown();
  });
});
