import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActorSystem, type SystemEvent } from '../../src/index.js';
import { type LoadCandidate, type MovableActor, type RebalanceHost, Rebalancer, rankLoadMoves } from '../../src/scheduler/rebalancer.js';
import { type SpinReport, Spinner } from '../fixtures/spinner.actor.js';

const actor = (id: number, worker = 1, pinned = false): MovableActor => ({
  packed: worker * 1000 + id,
  worker,
  id,
  name: `A${id}`,
  pinned,
});

test('load moves: the candidate that best evens the two workers goes first; none that would not help', () => {
  const c = (id: number, share: number): LoadCandidate => ({ actor: actor(id), share });
  // 100% vs 0%: an actor of half a core evens them exactly; 0.1 and 0.9 leave a gap of 0.8 each.
  assert.deepEqual(
    rankLoadMoves(1, 0, [c(1, 0.1), c(2, 0.5), c(3, 0.9), c(4, 0.3)]).map((x) => x.actor.id),
    [2, 4, 1, 3],
  );
  assert.deepEqual(rankLoadMoves(1, 0, [c(1, 1)]), [], 'moving everything from one worker to the other helps nothing');
  assert.deepEqual(rankLoadMoves(1, 0.8, [c(1, 0.5)]), [], 'a small gap is left alone');
  assert.deepEqual(rankLoadMoves(1, 0, [c(1, 0.01)]), [], 'an actor with no measurable load is not worth a move');
});

/** A fake system: fixed utilisation, load and traffic, records moves. */
function fakeHost(u: number[], load: [number, number][], traffic: [number, number, number][], actors: MovableActor[], readdress = false) {
  const moves: [number, number, string][] = [];
  const byPacked = new Map(actors.map((a) => [a.packed, a]));
  const host: RebalanceHost = {
    workers: u.length,
    utilisation: () => u,
    load: () => Promise.resolve(load),
    traffic: () => Promise.resolve(traffic),
    actorAt: (worker, id) => byPacked.get(worker * 1000 + id),
    actor: (packed) => byPacked.get(packed),
    move: (a, to, reason) => {
      moves.push([a.id, to, reason]);
      // `readdress`: as a real move, a new address on the new worker (the old one only forwards),
      // and a new description of the actor (the one the rebalancer holds keeps the old address).
      if (readdress) {
        const now: MovableActor = { ...a, worker: to, packed: to * 1000 + a.id };
        byPacked.delete(a.packed);
        byPacked.set(now.packed, now);
        return Promise.resolve(now.packed);
      }
      a.worker = to;
      return Promise.resolve(a.packed);
    },
  };
  return { host, moves };
}

test('rebalancer: evens load first, skips pinned actors and the actor it just moved, joins chatty pairs when load is even', async () => {
  const a = [actor(1, 1, true), actor(2), actor(3), actor(4, 2)];
  // Worker 1 at 100%, worker 2 idle; A1 is the heaviest but pinned.
  const { host, moves } = fakeHost(
    [1, 0],
    [
      [1, 1500],
      [2, 900],
      [3, 400],
    ],
    [],
    a,
  );
  const r = new Rebalancer(host, { everyMs: 2000 });
  assert.equal(await r.look(), 'load');
  assert.deepEqual(moves[0]!.slice(0, 2), [2, 2], 'A2 (45% of a core) moved to worker 2');
  assert.match(moves[0]![2], /^load: worker 1 100% busy, worker 2 0%/);
  // The same figures again: A2 sits this look out (it just moved), A3 goes.
  a[1]!.worker = 1;
  assert.equal(await r.look(), 'load');
  assert.deepEqual(moves[1]!.slice(0, 2), [3, 2]);

  // Even load: the busiest chatty pair (above the threshold) is joined; the pinned side stays.
  const b = [actor(1, 1, true), actor(2, 2)];
  const chatty = fakeHost(
    [0.5, 0.5],
    [],
    [
      [1001, 2002, 500],
      [2002, 1001, 10],
    ],
    b,
  );
  assert.equal(await new Rebalancer(chatty.host, { everyMs: 2000, minMessagesPerSecond: 1000 }).look(), 'pair');
  assert.deepEqual(chatty.moves[0]!.slice(0, 2), [2, 1]);
  // Below the threshold nothing moves.
  const quiet = fakeHost([0.5, 0.5], [], [[1001, 2002, 5]], [actor(1), actor(2, 2)]);
  assert.equal(await new Rebalancer(quiet.host, {}).look(), null);
  assert.throws(() => new Rebalancer(quiet.host, { minImbalance: 2 }), { code: 'ERR_INVALID_OPTION' });
});

test(
  'rebalancing for load: CPU-heavy actors placed on one worker are spread over both while they work; nothing lost or reordered',
  { timeout: 90_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 2, scheduler: { rebalance: { everyMs: 500 } } });
    t.after(() => system.shutdown());
    const moves: SystemEvent[] = [];
    system.events.subscribe((e) => e.type === 'actor-moved' && moves.push(e));
    const first = await system.spawn(Spinner, undefined);
    // All four next to the first: one worker does everything, the other idles.
    const spinners = [first, ...(await Promise.all([1, 2, 3].map(() => system.spawn(Spinner, undefined, { near: first }))))];
    const start = (await Promise.all(spinners.map((s) => s.ask({ type: 'report' })))).map((r) => r.worker);
    assert.equal(new Set(start).size, 1, `all on one worker at first: ${start}`);
    const perActor = 1500;
    // Keep every spinner's mailbox fed (1 ms of CPU per message): about 6 s of work for one worker of the busy worker.
    for (let seq = 0; seq < perActor; seq += 50) {
      for (const s of spinners) for (let k = seq; k < seq + 50; k++) s.tell({ type: 'work', seq: k, ms: 1 });
      await new Promise((r) => setTimeout(r, 40));
    }
    let reports: SpinReport[] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < 60_000) {
      reports = await Promise.all(spinners.map((s) => s.ask({ type: 'report' }, { timeout: 30_000 })));
      if (reports.every((r) => r.handled === perActor)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(
      reports.map((r) => [r.handled, r.outOfOrder]),
      spinners.map(() => [perActor, 0]),
      'every message handled once, in order, across the moves',
    );
    assert.ok(moves.length >= 1, 'at least one actor moved');
    assert.ok(
      moves.every((m) => m.type === 'actor-moved' && m.reason.startsWith('load:')),
      JSON.stringify(moves),
    );
    const workers = reports.map((r) => r.worker);
    assert.equal(new Set(workers).size, 2, `the spinners ended on both workers: ${workers}`);
  },
);

test('rebalancer: an actor it moved sits out the next look under its new address too (a chatty move is not undone by the load rule at once)', async () => {
  // A chatty pair on two workers, load even: the client joins the server on worker 1.
  const client = actor(2, 2);
  const server = actor(1, 1, true);
  const { host, moves } = fakeHost([0.5, 0.5], [], [[2002, 1001, 500]], [server, client], true);
  const r = new Rebalancer(host, { everyMs: 2000 });
  assert.equal(await r.look(), 'pair');
  assert.deepEqual(
    moves.map((m) => m.slice(0, 2)),
    [[2, 1]],
  );
  assert.equal(host.actor(1002)?.name, 'A2', 'its new address');
  // Now worker 1 is the busy one (92% against 22%) and the client takes 21% of it, named at its new
  // address: a load move would help, but it sits this look out.
  const busy = fakeHost([0.92, 0.22], [[2, 420]], [], [server, client], true);
  Object.assign(host, { utilisation: busy.host.utilisation, load: busy.host.load, traffic: busy.host.traffic });
  assert.equal(await r.look(), null);
  assert.equal(moves.length, 1, 'not moved back');
});
