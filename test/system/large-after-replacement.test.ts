import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { BigEcho, type BigMsg, type BigReply } from '../fixtures/big-echo.actor.js';
import { Relay } from '../fixtures/relay.actor.js';
import { until } from '../fixtures/probe.actor.js';

const payload = (bytes: number, seed: number): Uint8Array => {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + seed) & 0xff;
  return data;
};
const checksum = (data: Uint8Array): number => {
  let sum = 0;
  for (let i = 0; i < data.length; i += 4096) sum = (sum + data[i]!) | 0;
  return sum;
};

test('large messages to, from and between replaced workers keep working (new lanes for the new thread)', { timeout: 60_000 }, async (t) => {
  const system = await ActorSystem.start({ workers: 2 });
  t.after(() => system.shutdown());
  const echo = await system.spawn(BigEcho, undefined, { worker: 1 });
  const relay = await system.spawn(Relay, undefined, { worker: 2 });
  const big = payload(10 << 20, 1);
  const before = await echo.ask({ type: 'echo', data: big }, { timeout: 20_000 });
  assert.equal(before.length, big.length);

  await system.terminateWorker(1);
  await until(() => system.replacements === 1, 10_000, 'the replacement');
  for (let round = 0; round < 3; round++) {
    // Main thread ↔ replaced worker, both ways large (before the fix: a dead letter, then ERR_ASK_TIMEOUT).
    const data = payload(10 << 20, round + 2);
    const reply = await echo.ask({ type: 'echo', data }, { timeout: 20_000 });
    assert.equal(reply.length, data.length);
    assert.equal(reply.sum, checksum(data));
    assert.deepEqual(reply.data.subarray(0, 64), data.subarray(0, 64));
    assert.equal(checksum(reply.data), checksum(data));
    // Worker 2 ↔ replaced worker 1.
    const small = payload(200_000, round + 7);
    const viaWorker = (await relay.ask(
      { type: 'ask-via', target: echo as ActorRef, message: { type: 'echo', data: small } satisfies BigMsg, timeout: 20_000 },
      { timeout: 25_000 },
    )) as { reply?: BigReply; code?: string };
    assert.equal(viaWorker.code, undefined, `relay got ${viaWorker.code}`);
    assert.equal(viaWorker.reply!.length, small.length);
    assert.equal(viaWorker.reply!.sum, checksum(small));
  }
  // And a second replacement of the same worker.
  await system.terminateWorker(1);
  await until(() => system.replacements === 2, 10_000, 'the second replacement');
  const again = payload(1 << 20, 9);
  assert.equal((await echo.ask({ type: 'echo', data: again }, { timeout: 20_000 })).sum, checksum(again));
});
