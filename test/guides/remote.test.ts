// The README's remote guide, node A (this process) with node B in a process of its own
// (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { ActorSystem } from '../../src/index.js';
import { Greeter, type GreeterMsg, Listener } from './remote-greeter.actor.js';

test('remote guide: two processes, a lookup, an ask, a ref across nodes, a remote spawn', { timeout: 60_000 }, async (t) => {
  const nodeB = spawn(process.execPath, [new URL('remote-node-b.js', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(async () => {
    if (nodeB.exitCode !== null) return;
    const exited = once(nodeB, 'exit');
    nodeB.stdin!.end();
    const kill = setTimeout(() => nodeB.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node B did not start within 20 s')), 20_000);
    nodeB.stdout!.on('data', (d: Buffer) => String(d).includes('ready') && (clearTimeout(timer), resolve()));
    nodeB.once('exit', (code) => reject(new Error(`node B exited with ${code} (is 127.0.0.1:4100 free?)`)));
  });

  // node-a.ts
  const a = await ActorSystem.start({ remote: { listen: '127.0.0.1:4101', secret: 'cluster-secret' } });
  const greeter = (await a.lookupRemote<GreeterMsg, string>('127.0.0.1:4100', 'greeter'))!;
  console.log(await greeter.ask({ type: 'greet', name: 'Ada' })); // hello Ada (1)
  const listener = await a.spawn(Listener, undefined);
  greeter.tell({ type: 'subscribe', listener }); // B tells `listener` back, across nodes
  const spare = await a.spawnRemote('127.0.0.1:4100', Greeter, undefined); // a kind B lists in spawnable
  a.events.subscribe((e) => e.type === 'node-lost' && console.log(`lost ${e.address}`));
  t.after(() => a.shutdown());

  assert.equal(await greeter.ask({ type: 'greet', name: 'Bo' }), 'hello Bo (2)');
  assert.equal(await spare.ask({ type: 'greet', name: 'Cy' }), 'hello Cy (1)');
  let heard: string[] = [];
  for (let i = 0; i < 100 && heard.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    heard = await listener.ask({ type: 'heard' });
  }
  assert.deepEqual(heard, ['subscribed to Greeter']);
});
