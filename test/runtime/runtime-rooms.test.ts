// The per-thread runtime without threads: a Runtime with no transport, its actors run by calling
// the run queue by hand. Mailbox overflow policies, supervision decisions, and the migration
// protocol's two sides (with the records that would cross the rings captured).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActorCell, FlowSignal } from '../../src/actor/actor-cell.js';
import { ActorRef, packRef, setRefRouter } from '../../src/actor/actor-ref.js';
import { defineActor } from '../../src/actor/actor-definition.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { Migration, type MigrationHost } from '../../src/runtime/migration.js';
import { Runtime } from '../../src/runtime/runtime.js';
import type { RuntimeEvent } from '../../src/runtime/runtime-event.js';
import { type MoveIn, RecordType } from '../../src/runtime/wire-messages.js';
import { oneForOne } from '../../src/supervision/supervisor-strategy.js';

type Msg = { type: 'add'; n: number } | { type: 'fail'; why: string } | { type: 'get' };

/** Keeps the numbers it got, in order; fails on 'fail'. */
const Keeper = defineActor(import.meta.url, 'RoomsKeeper', {
  init: (start: number[] | undefined) => ({ got: [...(start ?? [])] }),
  receive(s, m: Msg, ctx) {
    if (m.type === 'add') s.got.push(m.n);
    else if (m.type === 'fail') throw new Error(m.why);
    else ctx.respond(s.got);
  },
});

function runtime(participant = 0, clock = new ManualClock()) {
  const events: RuntimeEvent[] = [];
  const rt = new Runtime({ participant, endpoint: null, clock, onEvent: (e) => events.push(e) });
  const run = () => {
    let n = 0;
    for (let i = 0; i < 100; i++) n += rt.runs.runActors(10_000) + rt.timers.runDue();
    return n;
  };
  return { rt, events, run, clock };
}
const add = (n: number): Msg => ({ type: 'add', n });
const got = (rt: Runtime, ref: ActorRef) => rt.cell(ref.id)!.state as { got: number[] };

test('overflow policies of a bounded mailbox: drop-newest, drop-oldest and fail keep their meaning, each drop a dead letter', () => {
  for (const [overflow, expected, dead] of [
    ['drop-newest', [0, 1, 2], [3, 4]],
    ['drop-oldest', [2, 3, 4], [0, 1]],
  ] as const) {
    const { rt, events, run } = runtime();
    const ref = rt.spawner.topLevel(Keeper, [], { mailbox: { capacity: 3, overflow } }, rt.guardianRef).self;
    for (let n = 0; n < 5; n++) rt.tell(ref, add(n), null);
    run();
    assert.deepEqual(got(rt, ref).got, expected, overflow);
    const drops = events.filter((e) => e.type === 'dead-letter' && e.reason === 'mailbox-full');
    assert.equal(drops.length, dead.length, `${overflow}: ${JSON.stringify(events)}`);
  }
  const { rt, events, run } = runtime();
  const ref = rt.spawner.topLevel(Keeper, [], { mailbox: { capacity: 2, overflow: 'fail' } }, rt.guardianRef).self;
  rt.tell(ref, add(0), null);
  rt.tell(ref, add(1), null);
  assert.throws(
    () => rt.tell(ref, add(2), null),
    (e: Error & { code?: string }) => e.code === 'ERR_MAILBOX_FULL',
  );
  run();
  assert.deepEqual(got(rt, ref).got, [0, 1]);
  assert.equal(events.filter((e) => e.type === 'dead-letter').length, 1);
});

test("a full 'backpressure' mailbox pauses a local sender after its handler and lets it go below capacity: nothing lost, in order", (t) => {
  const { rt, run } = runtime();
  const sink = rt.spawner.topLevel(Keeper, [], { mailbox: { capacity: 4, overflow: 'backpressure' } }, rt.guardianRef).self;
  const Pump = defineActor(import.meta.url, 'RoomsPump', {
    init: () => ({ next: 0 }),
    receive(s, m: { type: 'go'; to: ActorRef; upTo: number }, ctx) {
      // Ten per message, then on: a paused sender must not take its next message.
      for (let i = 0; i < 10 && s.next < m.upTo; i++) m.to.tell(add(s.next++));
      if (s.next < m.upTo) ctx.self.tell(m);
    },
  });
  const pump = rt.spawner.topLevel(Pump, undefined, undefined, rt.guardianRef);
  // ref.tell in a handler goes through the thread's router (an actor system sets it).
  setRefRouter(rt);
  t.after(() => setRefRouter(null));
  rt.tell(pump.self, { type: 'go', to: sink, upTo: 100 }, null);
  let sawPaused = false;
  for (let i = 0; i < 10_000 && got(rt, sink).got.length < 100; i++) {
    rt.runs.runActors(1);
    sawPaused ||= pump.paused;
    assert.ok(rt.cell(sink.id)!.queue.length <= 4 + 10, 'the mailbox holds its capacity plus one handler of sends');
  }
  run();
  assert.ok(sawPaused, 'the sender was paused');
  assert.deepEqual(
    got(rt, sink).got,
    Array.from({ length: 100 }, (_v, i) => i),
  );
});

test('flow control toward another thread: a producer that spends every grant gets the next one, even when a grant is larger than the mark', () => {
  // The signals a consumer would send to other threads, kept here instead (no transport).
  class Recording extends Runtime {
    readonly signals: { signal: FlowSignal; amount: number }[] = [];
    override congestion(_cell: ActorCell, signal: FlowSignal, amount: number): void {
      this.signals.push({ signal, amount });
    }
  }
  const rt = new Recording({ participant: 1, endpoint: null, clock: new ManualClock() });
  // A mark of 8 and grants of at least 16: a producer that spends a grant takes the backlog past the mark.
  const sink = rt.spawner.topLevel(Keeper, [], { mailbox: { highWater: 8 } }, rt.guardianRef).self;
  const producer = packRef(2, 5);
  const n = 2000;
  let credit = Infinity;
  let next = 0;
  let maxBacklog = 0;
  let congested = 0;
  for (let round = 0; round < 5000 && got(rt, sink).got.length < n; round++) {
    // The producer, on thread 2: ten a round while it has credit.
    for (let k = 0; k < 10 && next < n && credit > 0; k++) {
      rt.onMessage(RecordType.USER, sink.id, producer, add(next++));
      credit--;
    }
    for (const { signal, amount } of rt.signals.splice(0)) {
      if (signal === 'congested') congested++;
      credit = signal === 'grant' ? amount : signal === 'congested' ? 0 : Infinity;
    }
    // The consumer, slower: a few messages a round.
    rt.runs.runActors(1);
    maxBacklog = Math.max(maxBacklog, rt.cell(sink.id)!.queue.length);
  }
  assert.equal(got(rt, sink).got.length, n, `stalled after ${got(rt, sink).got.length} of ${n} (credit ${credit})`);
  assert.deepEqual(
    got(rt, sink).got,
    Array.from({ length: n }, (_v, i) => i),
  );
  assert.equal(congested, 1, 'told once; after that the grants bound the producer');
  assert.ok(maxBacklog <= 8 + 16 + 10, `backlog up to ${maxBacklog}`);
});

test('supervision: restart starts from init and keeps the mailbox, resume keeps the state, stop stops; past maxRestarts the actor stops and it is reported', () => {
  for (const [directive, after] of [
    ['restart', [3]],
    ['resume', [1, 2, 3]],
  ] as const) {
    const { rt, run } = runtime();
    const Parent = defineActor(import.meta.url, `RoomsParent-${directive}`, {
      init: () => ({ child: null as ActorRef | null }),
      receive(s, m: 'spawn' | 'child?', ctx) {
        if (m === 'spawn') s.child = ctx.spawn(Keeper, []);
        else ctx.respond(s.child);
      },
      supervisor: oneForOne({ decider: () => directive }),
    });
    const parent = rt.spawner.topLevel(Parent, undefined, undefined, rt.guardianRef);
    rt.tell(parent.self, 'spawn', null);
    run();
    const child = (parent.state as { child: ActorRef }).child;
    rt.tell(child, add(1), null);
    rt.tell(child, add(2), null);
    rt.tell(child, { type: 'fail', why: 'boom' }, null);
    rt.tell(child, add(3), null);
    run();
    assert.deepEqual(got(rt, child).got, after, directive);
  }
  const { rt, events, run, clock } = runtime();
  const Parent = defineActor(import.meta.url, 'RoomsParent-limited', {
    init: () => ({ child: null as ActorRef | null }),
    receive(s, _m: 'spawn', ctx) {
      s.child = ctx.spawn(Keeper, []);
    },
    supervisor: oneForOne({ maxRestarts: 2, withinMs: 1000 }),
  });
  const parent = rt.spawner.topLevel(Parent, undefined, undefined, rt.guardianRef);
  rt.tell(parent.self, 'spawn', null);
  run();
  const child = (parent.state as { child: ActorRef }).child;
  for (let i = 0; i < 3; i++) {
    rt.tell(child, { type: 'fail', why: `boom ${i}` }, null);
    run();
    clock.advance(10);
  }
  assert.equal(rt.cell(child.id), undefined, 'stopped after the third failure within the window');
  const report = events.find((e) => e.type === 'actor-failed');
  assert.ok(
    report !== undefined && report.type === 'actor-failed' && /more than 2 restarts/.test(report.directive),
    JSON.stringify(events),
  );
});

test('migration, both sides: the actor arrives with its state and backlog in order; sends to the old ref wait for the fence, then go in order', () => {
  const records: { peer: number; body: unknown }[] = [];
  const capture = (rt: Runtime): MigrationHost => ({
    participant: rt.participant,
    guardianRef: rt.guardianRef,
    cellHost: rt,
    cell: (id) => rt.cell(id),
    actors: rt.actors,
    sendRecord: (peer, _type, _h0, _h1, body) => (records.push({ peer, body }), true),
    senderRef: (packed) => rt.senderRef(packed),
    deadLetter: (...a) => rt.deadLetter(...a),
  });
  const a = runtime(1);
  const b = runtime(2);
  const ref = a.rt.spawner.topLevel(Keeper, [1, 2], undefined, a.rt.guardianRef).self;
  a.rt.tell(ref, add(3), null);
  a.rt.tell(ref, add(4), null);
  const moved = b.rt.actors.allocateId();
  new Migration(capture(a.rt)).moveOut(ref.id, 2, moved);
  assert.equal(a.rt.actors.count, 0, 'a forwarder is no live actor');
  const moveIn = records.shift()!;
  assert.equal(moveIn.peer, 2);
  const m = moveIn.body as MoveIn;
  assert.equal(m.op, 'move-in');
  assert.deepEqual(m.state, { got: [1, 2] });
  assert.deepEqual(
    m.backlog.map(([msg]) => msg),
    [add(3), add(4)],
  );
  // The new side: a local actor that still holds the old ref sends before the fence is back.
  const migration = new Migration(capture(b.rt));
  migration.expectArrival(moved);
  migration.moveIn(Keeper, m);
  const fence = records.shift()!;
  assert.deepEqual([fence.peer, (fence.body as { op: string }).op], [1, 'move-fence']);
  assert.equal(migration.sendToAlias(ref.packed, add(5), null), true, 'held until the fence is back');
  b.run();
  assert.deepEqual(got(b.rt, new ActorRef(2, moved)).got, [1, 2, 3, 4]);
  migration.fenceBack(ref.packed);
  assert.equal(migration.sendToAlias(ref.packed, add(6), null), true, 'delivered directly now');
  b.run();
  assert.deepEqual(got(b.rt, new ActorRef(2, moved)).got, [1, 2, 3, 4, 5, 6]);
  assert.equal(migration.sendToAlias(new ActorRef(1, 999).packed, add(7), null), false, 'another ref is not an alias');
});

test('a move is refused, changing nothing, for an actor with children or not top-level: ERR_CANNOT_MOVE', () => {
  const { rt, run } = runtime(1);
  const Parent = defineActor(import.meta.url, 'RoomsParent-move', {
    init: () => ({ child: null as ActorRef | null }),
    receive(s, _m: 'spawn', ctx) {
      s.child = ctx.spawn(Keeper, []);
    },
  });
  const parent = rt.spawner.topLevel(Parent, undefined, undefined, rt.guardianRef);
  rt.tell(parent.self, 'spawn', null);
  run();
  const child = (parent.state as { child: ActorRef }).child;
  const migration = rt.migration;
  for (const id of [parent.self.id, child.id])
    assert.throws(
      () => migration.moveOut(id, 2, 99),
      (e: Error & { code?: string }) => e.code === 'ERR_CANNOT_MOVE',
    );
  assert.equal(rt.actors.count, 2);
});
