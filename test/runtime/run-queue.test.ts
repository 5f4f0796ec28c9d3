import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CURRENT, STATS_SLOT_FLOAT64 } from '../../native-free-core/layout/stats-layout.js';
import { RunQueue, type Turnable } from '../../src/runtime/run-queue.js';

/** An actor with `backlog` messages of `us` µs each (busy-waited), recording its turns. */
class FakeCell implements Turnable {
  scheduled = false;
  isStopped = false;
  currentStamp = 0;
  metricsBase = -1;
  msPerMessage = 0;
  readonly turns: number[] = [];
  constructor(
    readonly id: number,
    public backlog: number,
    private readonly us = 0,
    private readonly log: number[] = [],
  ) {}
  get runnable(): boolean {
    return this.backlog > 0;
  }
  private handle(): void {
    this.backlog--;
    if (this.us > 0) {
      const end = performance.now() + this.us / 1000;
      while (performance.now() < end);
    }
  }
  run(cap: number): number {
    const limit = cap === -1 ? 1 : cap < -1 ? -cap : Math.min(cap, 10);
    let n = 0;
    while (n < limit && this.backlog > 0) {
      this.handle();
      n++;
    }
    this.turns.push(n);
    this.log.push(this.id);
    return n;
  }
  runUntil(deadline: number): number {
    let n = 0;
    while (this.backlog > 0) {
      this.handle();
      n++;
      if (performance.now() >= deadline) break;
    }
    this.turns.push(n);
    this.log.push(this.id);
    return n;
  }
  noteTurn(ms: number, work: number): void {
    this.msPerMessage = ms / work;
  }
}

function queue() {
  let wakes = 0;
  const stats = new Float64Array(STATS_SLOT_FLOAT64);
  const runs = new RunQueue<FakeCell>({ sends: 0 }, stats, () => wakes++);
  return { runs, stats, wakes: () => wakes };
}

test('actors take turns round robin, each bounded by its throughput, until the budget is spent', () => {
  const { runs, wakes } = queue();
  const log: number[] = [];
  const a = new FakeCell(1, 25, 0, log);
  const b = new FakeCell(2, 12, 0, log);
  runs.schedule(a);
  runs.schedule(b);
  assert.equal(runs.length, 2);
  assert.equal(wakes(), 2, 'schedule wakes a parked thread');
  assert.equal(runs.runActors(1000), 37);
  assert.deepEqual(log, [1, 2, 1, 2, 1]);
  assert.deepEqual(a.turns, [10, 10, 5]);
  assert.deepEqual(b.turns, [10, 2]);
  assert.equal(runs.hasRunnable, false);
  assert.equal(runs.processed, 37);
  // A budget ends the call; the actor with work left stays queued.
  const c = new FakeCell(3, 100);
  runs.schedule(c);
  assert.equal(runs.runActors(25), 25);
  assert.deepEqual(c.turns, [10, 10, 5], 'the last turn takes only what is left of the budget');
  assert.equal(runs.length, 1);
  assert.equal(c.scheduled, true);
});

test('the running actor is current during its turn, and nobody outside turns', () => {
  const { runs, stats } = queue();
  let seen: FakeCell | null = null;
  let stamp = -1;
  const a = new FakeCell(1, 1);
  a.currentStamp = 42;
  const run = a.run.bind(a);
  a.run = (cap) => {
    seen = runs.current;
    stamp = stats[CURRENT]!;
    return run(cap);
  };
  runs.schedule(a);
  runs.runActors(10);
  assert.equal(seen, a);
  assert.equal(stamp, 42, "the watchdog's word names the running actor");
  assert.equal(runs.current, null);
  assert.equal(stats[CURRENT], 0, 'and nobody between turns');
});

test('heavy mode: each actor queued at the start gets one turn per call, bounded in time', () => {
  const { runs } = queue();
  runs.timer.alwaysHeavy = true;
  const log: number[] = [];
  // A slow actor (200 µs a message) beside a fast one: the slow one must not take a second turn
  // before the fast one had its first.
  const slow = new FakeCell(1, 1000, 200, log);
  const fast = new FakeCell(2, 5, 0, log);
  runs.schedule(slow);
  runs.schedule(fast);
  runs.runActors(4096);
  // One turn each, then back to the loop; or, if the slow turn ended past the loop turn's 2 ms
  // (the thread preempted on a loaded machine), back to the loop after it, the fast one next.
  assert.ok(log.length === 2 || log.length === 1, `one turn each at most: ${log.join(',')}`);
  if (log.length === 1) runs.runActors(4096);
  assert.deepEqual(log.slice(0, 2), [1, 2], 'the slow one took no second turn before the fast one had its first');
  // Bounded in time: it ends after the message that ends past 1 ms (at most 6 of 200 µs; fewer if the thread is preempted).
  assert.ok(slow.turns[0]! >= 1 && slow.turns[0]! <= 6, `a 1 ms turn of 200 µs messages: ${slow.turns[0]}`);
  const before = log.length;
  runs.runActors(4096);
  assert.deepEqual(log.slice(before), [1], 'the fast one had nothing left');
  assert.equal(runs.timer.heavyMode, true);
});

test('light mode times about one turn in 256, and two slow loop turns switch to heavy mode', () => {
  const { runs } = queue();
  const a = new FakeCell(1, 1_000_000);
  runs.schedule(a);
  for (let i = 0; i < 100; i++) runs.runActors(1000);
  assert.equal(runs.timer.heavyMode, false);
  const load = runs.timer.takeLoad();
  assert.equal(load.length, 1, 'the actor was sampled');
  assert.equal(load[0]![0], 1);
  runs.timer.noteLoopTurn(30, 100);
  assert.equal(runs.timer.heavyMode, false, 'one slow loop turn may be a GC pause');
  runs.timer.noteLoopTurn(30, 100);
  assert.equal(runs.timer.heavyMode, true);
});
