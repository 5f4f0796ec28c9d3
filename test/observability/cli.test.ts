import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ActorSystem, type ActorRef } from '../../src/index.js';
import { Metered, type MeteredMsg } from '../fixtures/metered.actor.js';

const CLI = fileURLToPath(new URL('../../src/cli/bactor.js', import.meta.url));

/** Runs the CLI (at most 20 s) without blocking this thread: the system under test serves it. */
function bactor(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

describe('the bactor CLI against a running system', () => {
  let system: ActorSystem;
  let url: string;
  let ref: ActorRef<MeteredMsg, number>;

  before(async () => {
    system = await ActorSystem.start({ workers: 2, monitoring: { port: 0, intervalMs: 100 } });
    url = system.monitoring!.url!;
    ref = await system.spawn(Metered, undefined, { worker: 2 });
    for (let i = 0; i < 1000; i++) ref.tell({ type: 'n' });
    await ref.ask({ type: 'get' });
  });
  after(() => system.shutdown());

  it('top --once prints the threads and kinds', async () => {
    const { code, stdout } = await bactor('top', url.replace('http://', ''), '--once');
    assert.equal(code, 0);
    assert.match(stdout, /^bactor top/);
    for (const thread of ['main', 'w1', 'w2']) assert.match(stdout, new RegExp(`^${thread} `, 'm'));
    assert.match(stdout, /^Metered\s+1\s/m);
  });

  it('dead-letters lists their types, targets and senders; metrics prints the Prometheus text', async () => {
    const gone = await system.spawn(Metered, undefined, { worker: 1 });
    await system.stop(gone);
    gone.tell({ type: 'get' });
    let listed = '';
    for (let i = 0; i < 50 && !listed.includes('get'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      listed = (await bactor('dead-letters', url)).stdout;
    }
    assert.match(listed, /get {2}→ actor#\d+@w1 {2}from — {2}\(unknown\)/);
    const metrics = await bactor('metrics', url);
    assert.equal(metrics.code, 0);
    assert.match(metrics.stdout, /^bactor_actor_messages_total\{thread="w2",kind="Metered"\} 1001$/m);
  });

  it('tree prints the actors of every thread under their top-level actors; system.actorTree() is the same data', async () => {
    const named = await system.spawn(Metered, undefined, { worker: 1, name: 'metered-one' });
    named.tell({ type: 'child' });
    await named.ask({ type: 'get' });
    const tree = await system.actorTree();
    assert.deepEqual(
      tree.threads.map((t) => t.thread),
      ['main', 'w1', 'w2'],
    );
    const w1 = tree.threads.find((t) => t.thread === 'w1')!;
    const node = w1.roots.find((n) => n.ref === String(named))!;
    assert.deepEqual(
      { ...node, children: [] },
      { ref: String(named), kind: 'Metered', name: 'metered-one', mailbox: 0, held: false, children: [] },
    );
    assert.equal(node.children.length, 1);
    assert.match(node.children[0]!.ref, /^Metered#\d+@w1$/);
    const { code, stdout } = await bactor('tree', url);
    assert.equal(code, 0);
    assert.match(
      stdout,
      new RegExp(`^w1\\n(.*\\n)*  ${String(named)} "metered-one"  mailbox 0\\n    ${node.children[0]!.ref}  mailbox 0$`, 'm'),
    );
    assert.match(stdout, new RegExp(`^  ${String(ref)}  mailbox 0$`, 'm'));
    await system.stop(named);
  });

  it('trace <actor> prints what the actor takes, by its ref as it prints or its name, until --max; the same over /trace', async () => {
    const named = await system.spawn(Metered, undefined, { worker: 1, name: 'metered-one' });
    // The CLI starts the trace; the messages go once it is running (its first entry can only come after them).
    const running = bactor('trace', String(ref), url, '--max', '3');
    const byName = bactor('trace', 'metered-one', url, '--max', '1');
    // (The system's running traces, read from outside: the CLI processes started theirs once there are two.)
    const traces = (system as unknown as { traces: Set<unknown> }).traces;
    for (let i = 0; i < 100 && traces.size < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(traces.size, 2);
    for (let i = 0; i < 3; i++) ref.tell({ type: 'n' });
    named.tell({ type: 'n' });
    const out = await running;
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} {2}← n {2}from — {2}\{"type":"n"\}$/);
    assert.match((await byName).stdout, /← n {2}from —/);
    const missing = await bactor('trace', 'nobody', url);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /answered 404: no actor is named 'nobody'/);
    const bad = await fetch(`${url}/trace?actor=x&max=0`);
    assert.equal(bad.status, 400);
    await bad.text();
    const noActor = await bactor('trace');
    assert.equal(noActor.code, 2);
    assert.match(noActor.stderr, /name the actor/);
  });

  it('says what is wrong, with exit code 2: a command it does not know, a server it cannot reach', async () => {
    const unknown = await bactor('tpo', url);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'tpo'/);
    assert.match(unknown.stderr, /usage: bactor/);
    const none = await bactor('top', '127.0.0.1:1', '--once');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/);
    const flag = await bactor('top', url, '--onse');
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--onse/);
  });
});
