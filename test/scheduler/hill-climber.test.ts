import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BATCH,
  BUSY_MS,
  DRAINED,
  LOOPS,
  PARKED_MS,
  PARKS,
  PROCESSED,
  QUANTUM,
  RUN_QUEUE,
  SPINS,
} from '../../native-free-core/layout/stats-layout.js';
import { createStatsBuffer, statsSlot } from '../../native-free-core/index.js';
import { HillClimber } from '../../src/engine.js';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.js';
import { Prng } from '../helpers/prng.js';

/** A scheduler over a fake stats block of one worker, on a clock the test moves by 100 ms a look. */
function fakeWorker(options: SchedulerOptions = {}, spins = 2000) {
  const sab = createStatsBuffer(2);
  const slot = statsSlot(sab, 1);
  const clock = { now: 0 };
  const scheduler = new Scheduler(
    sab,
    1,
    1,
    { watchdog: false, ...options },
    () => {},
    spins,
    () => clock.now,
  );
  /** One look after `update` moved the worker's counters by 100 ms worth. */
  const look = (update: (slot: Float64Array) => void): void => {
    clock.now += 100;
    update(slot);
    scheduler.tick();
  };
  return { slot, look, scheduler };
}

/** Drives a climber against a throughput curve, one sample per 100 ms of fake time. */
function drive(climber: HillClimber, curve: (q: number) => number, ms: number, start: number, noise: () => number): number {
  let t = start;
  for (; t < start + ms; t += 100) climber.observe(curve(climber.current) * (1 + noise()), 1, t);
  return t;
}

test('hill climbing finds the best quantum of a curve and settles there', () => {
  const random = new Prng(7);
  const noise = () => (random.nextU32() / 2 ** 32 - 0.5) * 0.04; // ±2%, under the 5% guard
  // Throughput rises with the quantum up to 800, then falls (cache effects, fairness costs).
  const curve = (q: number) => 1e6 * (1 - Math.abs(Math.log2(q / 800)) * 0.2);
  const climber = new HillClimber(100, { windowMs: 500 });
  let t = drive(climber, curve, 30_000, 0, noise);
  assert.equal(climber.current, 800, `converged at ${climber.current}`);
  assert.equal(climber.settled, true);
  const moves = climber.moves;
  t = drive(climber, curve, 30_000, t, noise);
  assert.equal(climber.moves, moves, 'a steady load makes it stay put');
  // Paused and resumed at its own setting, it stays settled; at a quantum set by hand, it searches from there.
  climber.resume(800, t);
  assert.equal(climber.settled, true);
  climber.resume(200, t);
  assert.equal(climber.settled, false);
  assert.equal(climber.current, 200);
  t = drive(climber, curve, 30_000, t, noise);
  assert.equal(climber.current, 800, `converged again at ${climber.current}`);
  // A new load whose best quantum is lower: a >25% throughput change starts a new search.
  const lighter = (q: number) => 2.5e6 * (1 - Math.abs(Math.log2(q / 200)) * 0.2);
  const c2 = new HillClimber(1600, { min: 10, windowMs: 500 });
  drive(c2, lighter, 60_000, t, noise);
  assert.equal(c2.current, 200, `converged downward at ${c2.current}`);
});

test('hill climbing stays out of the way of an idle worker and within its bounds', () => {
  const climber = new HillClimber(100);
  for (let t = 0; t < 20_000; t += 100) climber.observe(5e5, 0.2, t);
  assert.equal(climber.current, 100);
  assert.equal(climber.moves, 0);
  const capped = new HillClimber(100, { max: 400 });
  const curve = (q: number) => q * 1000; // always better with more
  for (let t = 0; t < 30_000; t += 100) capped.observe(curve(capped.current), 1, t);
  assert.equal(capped.current, 400);
  assert.throws(() => new HillClimber(100, { min: 50, max: 10 }), /make no sense/);
});

test('hill climbing with momentum keeps its direction: a long way down costs one probe a step; one noisy window does not restart it', () => {
  // Best at 100, starting from 1600: four halvings.
  const curve = (q: number) => 1e6 * (1 - Math.abs(Math.log2(q / 100)) * 0.15);
  const climber = new HillClimber(1600, { windowMs: 500, momentum: true, confirm: false });
  let t = 0;
  for (; t < 20_000 && !climber.settled; t += 100) climber.observe(curve(climber.current), 1, t);
  assert.equal(climber.current, 100);
  const plain = new HillClimber(1600, { windowMs: 500, confirm: false });
  for (let u = 0; u < 20_000 && !plain.settled; u += 100) plain.observe(curve(plain.current), 1, u);
  assert.equal(plain.current, 100);
  assert.equal(plain.moves, 2 * 5, 'without momentum: two probes a round, five rounds');
  // First round: up and down; then one probe per step (200, 100), then one probe past the best (50).
  assert.equal(climber.moves, 2 + 3 + 1, `probes: ${climber.moves}`);
  const moves = climber.moves;
  // One window at half the throughput (the machine hiccups), then back to normal: it stays.
  for (let k = 0; k < 6; k++, t += 100) climber.observe(curve(climber.current) / 2, 1, t);
  for (let k = 0; k < 20; k++, t += 100) climber.observe(curve(climber.current), 1, t);
  assert.equal(climber.moves, moves, 'a single deviating window is noise');
  assert.equal(climber.settled, true);
});

test('hill climbing moves only when a neighbour wins two rounds in a row: one lucky window is not a trend', () => {
  const flat = () => 1e6;
  // Round 1: the up-probe's window is 40% high (the machine had a quiet half-second), then flat.
  const lucky = (confirm: boolean): number => {
    const climber = new HillClimber(100, { windowMs: 500, confirm });
    let t = 0;
    for (; t < 1500; t += 100) climber.observe(climber.current === 200 ? 1.4e6 : 1e6, 1, t);
    for (; t < 20_000; t += 100) climber.observe(flat(), 1, t);
    return climber.current;
  };
  assert.equal(lucky(false), 200, 'without confirmation one window moves it');
  assert.equal(lucky(true), 100, 'with confirmation it stays');
  // A real slope still moves it, a round later: best at 400, from 100.
  const slope = (q: number) => 1e6 * (1 - Math.abs(Math.log2(q / 400)) * 0.2);
  const climber = new HillClimber(100, { windowMs: 500 });
  for (let t = 0; t < 30_000; t += 100) climber.observe(slope(climber.current), 1, t);
  assert.equal(climber.current, 400);
  // On a flat curve under ±30% window noise (this machine's), the setting wanders less.
  const wander = (confirm: boolean): number => {
    let sum = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = new Prng(seed);
      const c = new HillClimber(100, { windowMs: 500, confirm });
      let factor = 1;
      for (let t = 0; t < 60_000; t += 100) {
        if (t % 500 === 0) factor = 1 + (random.nextU32() / 2 ** 32 - 0.5) * 0.6;
        c.observe(1e6 * factor, 1, t);
      }
      sum += Math.abs(Math.log2(c.current / 100));
    }
    return sum / 40;
  };
  const [loose, confirmed] = [wander(false), wander(true)];
  assert.ok(
    confirmed < loose * 0.75,
    `mean distance from the start in halvings: ${confirmed.toFixed(2)} confirmed, ${loose.toFixed(2)} not`,
  );
});

test('spin rule: short parks make a worker spin longer before parking, long parks bring it back to the configured spins', () => {
  const { slot, look } = fakeWorker();
  assert.equal(slot[SPINS], 2000);
  // Each look: 100 ms in which the worker parked 100 times for 0.05 ms each (work came right back).
  for (let k = 0; k < 3; k++) look((w) => ((w[PARKS] = w[PARKS]! + 100), (w[PARKED_MS] = w[PARKED_MS]! + 5)));
  assert.equal(slot[SPINS], 16_000, 'doubled at each look');
  // Idle: ten parks of 10 ms per look. Back down, never under the configured 2,000.
  for (let k = 0; k < 6; k++) look((w) => ((w[PARKS] = w[PARKS]! + 10), (w[PARKED_MS] = w[PARKED_MS]! + 100)));
  assert.equal(slot[SPINS], 2000);
  // Without the controller the knob stays where it was set.
  const manual = fakeWorker({ adaptive: false }, 500);
  manual.look((w) => ((w[PARKS] = 100), (w[PARKED_MS] = 5)));
  assert.equal(manual.slot[SPINS], 500);
});

test('the controller can be switched off and on while the system runs', () => {
  const { slot, look, scheduler } = fakeWorker();
  const busy = (w: Float64Array): void => {
    w[BUSY_MS] = w[BUSY_MS]! + 100;
    w[LOOPS] = w[LOOPS]! + 400;
    w[PROCESSED] = w[PROCESSED]! + 100_000;
  };
  scheduler.adaptive = false;
  assert.equal(scheduler.adaptive, false);
  scheduler.writeKnobs(1, { quantum: 37 });
  for (let k = 0; k < 10; k++) look(busy);
  assert.equal(slot[QUANTUM], 37, 'off: the knob set by hand stays');
  scheduler.adaptive = true;
  for (let k = 0; k < 7; k++) look(busy);
  assert.equal(slot[QUANTUM], 74, 'on: a search starts from the quantum in force (its first probe: ×2)');
  // A worker whose controller was off from the start gets one when it is switched on.
  const manual = fakeWorker({ adaptive: false, quantum: 50 });
  manual.scheduler.adaptive = true;
  for (let k = 0; k < 7; k++) manual.look(busy);
  assert.equal(manual.slot[QUANTUM], 100);
});

test('latency rule: loop turns of 0.5 ms keep their batch, unless other threads keep sending to the worker', () => {
  const run = (inboundPerLook: number): number => {
    const { slot, look } = fakeWorker();
    // Busy all the time (never parked), 200 loop turns of 0.5 ms per look.
    for (let k = 0; k < 4; k++)
      look((w) => {
        w[BUSY_MS] = w[BUSY_MS]! + 100;
        w[LOOPS] = w[LOOPS]! + 200;
        w[PROCESSED] = w[PROCESSED]! + 100_000;
        w[DRAINED] = w[DRAINED]! + inboundPerLook;
      });
    return slot[BATCH]!;
  };
  assert.equal(run(0), 4096, 'within the 1 ms target');
  assert.equal(run(5), 4096, 'a few records now and then do not count');
  assert.ok(run(100) < 4096, 'asks arriving: the target is 0.25 ms, the batch comes down');
});

test('latency rule: while other threads keep sending, a pass over the run queue fits an eighth of the target', () => {
  const { slot, look } = fakeWorker({ quantum: 400 });
  // Busy, 0.5 µs per message, five actors in the run queue: a pass of 400-message turns takes
  // 1 ms; the cap is 0.125 ms / (0.0005 ms × 5) = 50.
  const busy = (inbound: number) => (w: Float64Array) => {
    w[BUSY_MS] = w[BUSY_MS]! + 100;
    w[LOOPS] = w[LOOPS]! + 400;
    w[PROCESSED] = w[PROCESSED]! + 200_000;
    w[RUN_QUEUE] = 5;
    w[DRAINED] = w[DRAINED]! + inbound;
  };
  look(busy(100));
  look(busy(100));
  assert.equal(slot[QUANTUM], 50, 'asks arriving: capped');
  for (let k = 0; k < 20; k++) {
    look(busy(100));
    assert.ok(slot[QUANTUM]! <= 50, `no probe above the cap (${slot[QUANTUM]})`);
  }
  look(busy(0));
  assert.ok(slot[QUANTUM]! >= 200, `no more asks: the controller's own setting again (${slot[QUANTUM]})`);
});
