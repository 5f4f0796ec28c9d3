import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ActorRef, ActorSystem } from '../../src/index.js';
import { AllForOneParent, EscalatingParent, LimitedParent, OneForOneParent } from '../fixtures/family.actor.js';
import { Probe, records, until } from '../fixtures/probe.actor.js';

let system: ActorSystem;
before(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
after(() => system.shutdown());

type Ev = { ev: string; name: string; count?: number; error?: string };
async function probe(label: string): Promise<[ActorRef, Ev[]]> {
  const ref = await system.spawn(Probe, label, { dispatcher: 'inline' });
  return [ref as ActorRef, records(label) as Ev[]];
}
const evs = (list: Ev[], name?: string): string[] =>
  list.filter((e) => name === undefined || e.name === name).map((e) => `${e.ev}:${e.name}`);

test("children run on their parent's worker; stopping a parent stops its children first", async () => {
  const [p, list] = await probe('tree');
  const parent = await system.spawn(OneForOneParent, { probe: p, name: 'P' });
  const a = (await parent.ask({ type: 'spawn', name: 'A' })) as ActorRef;
  const b = (await parent.ask({ type: 'spawn', name: 'B' })) as ActorRef;
  assert.equal(a.participant, parent.participant);
  assert.equal(b.participant, parent.participant);
  await until(() => list.length >= 3, 5000, 'started events');
  assert.deepEqual(evs(list), ['started:P', 'started:A', 'started:B']);
  system.stop(parent);
  await until(() => list.filter((e) => e.ev === 'stopped').length === 3, 5000, 'stopped events');
  const stops = list.filter((e) => e.ev === 'stopped').map((e) => e.name);
  assert.equal(stops[2], 'P', 'the parent stops last');
  assert.deepEqual(stops.slice(0, 2).sort(), ['A', 'B']);
});

test('one-for-one: restart resets the state and keeps the mailbox; resume keeps the state; stop stops', async () => {
  const [p, list] = await probe('one-for-one');
  const parent = await system.spawn(OneForOneParent, { probe: p, name: 'P' });
  const child = (await parent.ask({ type: 'spawn', name: 'C' })) as ActorRef<{ type: string; message?: string }, number>;
  child.tell({ type: 'inc' });
  child.tell({ type: 'inc' });
  child.tell({ type: 'fail', message: 'boom' });
  child.tell({ type: 'inc' }); // queued behind the failure: survives the restart
  assert.equal(await child.ask({ type: 'get' }), 1);
  assert.deepEqual(
    list.filter((e) => e.ev.startsWith('restart')).map((e) => [e.ev, e.count, e.error]),
    [
      ['restarting', 2, 'boom'],
      ['restarted', 0, undefined],
    ],
  );
  child.tell({ type: 'fail', message: 'resume please' });
  child.tell({ type: 'inc' });
  assert.equal(await child.ask({ type: 'get' }), 2, 'resumed with its state');
  child.tell({ type: 'fail', message: 'stop now' });
  await until(() => evs(list, 'C').includes('stopped:C'), 5000, 'child stopped');
  await assert.rejects(child.ask({ type: 'get' }, { timeout: 2000 }), { code: 'ERR_ACTOR_NOT_FOUND' });
});

test('all-for-one: one child fails, every child restarts', async () => {
  const [p, list] = await probe('all-for-one');
  const parent = await system.spawn(AllForOneParent, { probe: p, name: 'P' });
  const kids = await Promise.all(['A', 'B', 'C'].map((name) => parent.ask({ type: 'spawn', name }) as Promise<ActorRef>));
  for (const kid of kids) (kid as ActorRef<{ type: 'inc' }>).tell({ type: 'inc' });
  (kids[1] as ActorRef<{ type: 'fail'; message: string }>).tell({ type: 'fail', message: 'one of us' });
  await until(() => list.filter((e) => e.ev === 'restarted').length === 3, 5000, 'three restarts');
  for (const kid of kids) assert.equal(await (kid as ActorRef<{ type: 'get' }, number>).ask({ type: 'get' }), 0);
});

test('restart intensity: past maxRestarts within the window, the child is stopped', async () => {
  const [p, list] = await probe('intensity');
  const parent = await system.spawn(LimitedParent, { probe: p, name: 'P' });
  const child = (await parent.ask({ type: 'spawn', name: 'C' })) as ActorRef<{ type: 'fail'; message: string } | { type: 'get' }, number>;
  for (let i = 0; i < 3; i++) child.tell({ type: 'fail', message: `fail ${i}` });
  await until(() => evs(list, 'C').includes('stopped:C'), 5000, 'child stopped');
  assert.equal(list.filter((e) => e.ev === 'restarted').length, 2);
});

test('escalate: the parent fails in turn and its supervisor restarts it, with its children', async () => {
  const [p, list] = await probe('escalate');
  const top = await system.spawn(OneForOneParent, { probe: p, name: 'Top' });
  const mid = (await top.ask({ type: 'spawn-parent', name: 'Mid' })) as ActorRef<{ type: 'spawn'; name: string }, ActorRef>;
  const leaf = (await mid.ask({ type: 'spawn', name: 'Leaf' })) as ActorRef<{ type: 'fail'; message: string }>;
  leaf.tell({ type: 'fail', message: 'deep failure' });
  await until(() => list.some((e) => e.ev === 'restarting' && e.name === 'Mid'), 5000, 'Mid restarts');
  const restartingMid = list.find((e) => e.ev === 'restarting' && e.name === 'Mid')!;
  assert.equal(restartingMid.error, 'deep failure', "Mid failed with the leaf's error");
  await until(() => evs(list, 'Leaf').includes('stopped:Leaf'), 5000, 'the leaf is stopped by the restart of Mid');
  assert.ok(!list.some((e) => e.ev === 'restarting' && e.name === 'Top'), 'Top handled it and did not fail');
});

test('a failure that escalates past the root guardian is reported and stops the actor', async () => {
  const [p, list] = await probe('root');
  const failures: unknown[] = [];
  const unsubscribe = system.events.subscribe((e) => e.type === 'actor-failed' && failures.push(e));
  const top = await system.spawn(EscalatingParent, { probe: p, name: 'Root' });
  top.tell({ type: 'fail', message: 'top failure' });
  await until(() => failures.length > 0, 5000, 'a failure report');
  unsubscribe();
  const report = failures[0] as { actor: string; error: { message: string }; directive: string };
  assert.match(report.actor, /EscalatingParent#\d+@w\d/);
  assert.equal(report.error.message, 'top failure');
  assert.equal(report.directive, 'restart', 'the guardian restarts top-level actors by default');
  await until(() => list.some((e) => e.ev === 'restarting' && e.name === 'Root'), 5000, 'restart');
});
