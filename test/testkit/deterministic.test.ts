import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ActorRef, ActorSystem, ErrorCode, groupRouter } from '../../src/index.js';
import { ManualClock, TestProbe, explore, simulate, type SimulationFailure, type Scenario } from '../../src/testkit/index.js';
import { Account, FlakyParent, Sleeper, Withdrawer } from '../fixtures/race.actor.js';

/** How many messages `probe` holds (it takes them until none comes within 1 virtual ms). */
async function drain(probe: TestProbe): Promise<number> {
  let n = 0;
  for (;;) {
    try {
      await probe.expectMessage(() => true, { timeoutMs: 1 });
      n++;
    } catch {
      return n;
    }
  }
}

/** Two withdrawals of 10 from 100 by read-then-write: 80 unless their reads and writes interleave (the lost update). */
const lostUpdate: Scenario<number> = async (system) => {
  const done = await TestProbe.create(system);
  const account = await system.spawn(Account, 100);
  const a = await system.spawn(Withdrawer, { account, done: done.ref as ActorRef, amount: 10 });
  const b = await system.spawn(Withdrawer, { account, done: done.ref as ActorRef, amount: 10 });
  a.tell({ type: 'go' });
  b.tell({ type: 'go' });
  await done.receiveN(2);
  const balance = (await account.ask({ type: 'balance' })) as number;
  assert.equal(balance, 80, 'both withdrawals count');
  return balance;
};

describe('deterministic mode (bactor/testkit)', () => {
  it('explore finds the seed whose interleaving loses an update, and that seed replays the same turns and the same failure', async () => {
    const failure = (await explore(lostUpdate, { seeds: 200 }).then(
      () => assert.fail('some seed of 200 must interleave the two read-then-writes'),
      (error: unknown) => error,
    )) as SimulationFailure;
    assert.equal(failure.code, ErrorCode.SIMULATION_FAILED);
    assert.equal(typeof failure.seed, 'number');
    assert.match(failure.message, new RegExp(`seed ${failure.seed} failed`));
    assert.match(failure.message, /BACTOR_SEED=/);
    assert.match(String((failure.cause as Error).message), /both withdrawals count/);
    // Replayed twice: the same turns (digest) and the same lost update.
    const replays: string[] = [];
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        simulate({ seed: failure.seed }, lostUpdate).catch((error: Error & { digest: string; seed: number }) => {
          replays.push(error.digest);
          assert.equal(error.seed, failure.seed);
          throw error;
        }),
        /both withdrawals count/,
      );
    }
    assert.equal(replays[0], failure.digest);
    assert.equal(replays[1], failure.digest);
  });

  it('one seed gives one interleaving; seeds differ; some seeds serialise the withdrawals and pass every time', async () => {
    const digests = new Map<string, number>();
    let passing = -1;
    for (let seed = 1; seed <= 40; seed++) {
      const first = await simulate({ seed }, lostUpdate).then(
        (run) => ({ ok: true, digest: run.digest, turns: run.turns }),
        (error: { digest: string }) => ({ ok: false, digest: error.digest, turns: -1 }),
      );
      const again = await simulate({ seed }, lostUpdate).then(
        (run) => ({ ok: true, digest: run.digest, turns: run.turns }),
        (error: { digest: string }) => ({ ok: false, digest: error.digest, turns: -1 }),
      );
      assert.deepEqual(again, first, `seed ${seed} replays`);
      digests.set(first.digest, seed);
      if (first.ok && passing < 0) passing = seed;
    }
    assert.ok(digests.size >= 4, `40 seeds took ${digests.size} distinct interleavings`);
    assert.ok(passing > 0, 'some seed lets one withdrawal finish before the other reads');
    const run = await simulate({ seed: passing }, lostUpdate);
    assert.equal(run.result, 80);
    assert.ok(run.turns > 0);
  });

  it('virtual time: a ten-minute timer, a probe that waits an hour and an ask timeout pass without real waiting', async () => {
    const run = await simulate({ seed: 7 }, async (system, sim) => {
      const probe = await TestProbe.create(system);
      const sleeper = await system.spawn(Sleeper, 600_000);
      sleeper.tell({ type: 'ping', replyTo: probe.ref as ActorRef });
      await probe.expectNoMessage(599_000);
      assert.ok(sim.clock.now() >= 599_000, `the clock jumped to ${sim.clock.now()}`);
      assert.equal(await probe.expectMessage('pong', { timeoutMs: 3_600_000 }), 'pong');
      assert.ok(sim.clock.now() >= 600_000 && sim.clock.now() < 601_000, `pong at ${sim.clock.now()}`);
      // An ask nobody answers times out in virtual time.
      const silent = await system.spawn(Sleeper, 10);
      const before = sim.clock.now();
      await assert.rejects(silent.ask({ type: 'wake' }, { timeout: 30_000 }), { code: ErrorCode.ASK_TIMEOUT });
      assert.equal(sim.clock.now() - before, 30_000);
      return sim.clock.now();
    });
    assert.ok(run.virtualMs >= 630_000);
  });

  it('routers and backoff draw from the seed: a random router picks the same routees for the same seed', async () => {
    const picks = async (seed: number): Promise<string> => {
      const run = await simulate({ seed }, async (system) => {
        const probes = await Promise.all([0, 1, 2, 3].map(() => TestProbe.create(system)));
        const router = groupRouter(
          probes.map((p) => p.ref as ActorRef),
          { kind: 'random' },
        );
        for (let i = 0; i < 16; i++) router.tell(i);
        const counts: number[] = [];
        for (const p of probes) {
          let n = 0;
          for (;;) {
            try {
              await p.expectMessage(() => true, { timeoutMs: 10 });
              n++;
            } catch {
              break;
            }
          }
          counts.push(n);
        }
        assert.equal(
          counts.reduce((a, b) => a + b),
          16,
        );
        return counts.join(',');
      });
      return run.result;
    };
    assert.equal(await picks(3), await picks(3));
    const others = new Set([await picks(4), await picks(5), await picks(6), await picks(3)]);
    assert.ok(others.size > 1, 'other seeds route otherwise');
  });

  it('a seed replays in the same process, run after run: random routing and jittered backoff (times in the digest) included', async () => {
    const scenario: Scenario<string> = async (system, sim) => {
      const probe = await TestProbe.create(system);
      const probes = await Promise.all([0, 1, 2].map(() => TestProbe.create(system)));
      const router = groupRouter(
        probes.map((p) => p.ref as ActorRef),
        { kind: 'random' },
      );
      for (let i = 0; i < 12; i++) router.tell(i);
      const parent = await system.spawn(FlakyParent, probe.ref as ActorRef);
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        parent.tell({ type: 'fail' });
        await probe.expectMessage('restarted', { timeoutMs: 60_000 });
        times.push(sim.clock.now());
      }
      const counts: number[] = [];
      for (const p of probes) counts.push(await drain(p));
      return `${times.join(',')} ${counts.join(',')}`;
    };
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await simulate({ seed: 8 }, scenario));
    for (const run of runs.slice(1)) {
      assert.equal(run.result, runs[0]!.result);
      assert.equal(run.digest, runs[0]!.digest);
    }
    // Jitter: another seed restarts at other times (and the digest, which has each turn's time, differs).
    const other = await simulate({ seed: 9 }, scenario);
    assert.notEqual(other.result.split(' ')[0], runs[0]!.result.split(' ')[0]);
    assert.notEqual(other.digest, runs[0]!.digest);
  });

  it('a scenario that never settles fails after timeoutMs of real time, and its system is shut down', async () => {
    await assert.rejects(
      simulate({ seed: 1, timeoutMs: 200 }, () => new Promise(() => {})),
      (error: Error & { code: string; seed: number }) => {
        assert.equal(error.code, ErrorCode.SIMULATION_FAILED);
        assert.match(error.message, /did not settle within 200 ms/);
        assert.equal(error.seed, 1);
        return true;
      },
    );
    // The next run starts: nothing of the first is left running.
    assert.equal((await simulate({ seed: 2 }, () => 'ok')).result, 'ok');
  });

  it('explore gives each seed the options a function of the seed makes; runs only BACTOR_SEED when set', async () => {
    const starts: number[] = [];
    const report = await explore(
      (_system, sim) => {
        starts.push(sim.clock.now());
      },
      { seeds: 3, from: 5, system: (seed) => ({ clock: new ManualClock(seed * 1000) }) },
    );
    assert.deepEqual(starts, [5000, 6000, 7000]);
    assert.deepEqual(report, { seeds: 3, interleavings: 1 });
    process.env.BACTOR_SEED = '42';
    try {
      const seen: number[] = [];
      await explore((_system, sim) => void seen.push(sim.seed), { seeds: 50 });
      assert.deepEqual(seen, [42]);
      process.env.BACTOR_SEED = '0x10';
      await assert.rejects(explore(lostUpdate), { code: ErrorCode.INVALID_OPTION, message: /BACTOR_SEED/ });
    } finally {
      delete process.env.BACTOR_SEED;
    }
  });

  it('refuses options that need other threads or real time, and a bad seed, with ERR_INVALID_OPTION', async () => {
    for (const options of [
      { deterministic: { seed: 1 }, workers: 2 },
      { deterministic: { seed: 1 }, dedicatedWorkers: 1 },
      { deterministic: { seed: -1 } },
      { deterministic: { seed: 1.5 } },
      { deterministic: {} },
      { deterministic: { seed: 1, extra: true } },
      { deterministic: { seed: 1 }, clock: { now: () => 0 } },
      { deterministic: { seed: 1 }, remote: { port: 0 } },
    ]) {
      await assert.rejects(ActorSystem.start(options as never), { code: ErrorCode.INVALID_OPTION }, JSON.stringify(options));
    }
    await assert.rejects(simulate({ seed: 'x' } as never, lostUpdate), { code: ErrorCode.INVALID_OPTION });
    await assert.rejects(simulate({ seed: 1 }, 'nope' as never), { code: ErrorCode.INVALID_OPTION });
    await assert.rejects(explore(lostUpdate, { seeds: 0 }), { code: ErrorCode.INVALID_OPTION });
    await assert.rejects(explore(lostUpdate, { bogus: 1 } as never), { code: ErrorCode.INVALID_OPTION });
    // A wrong option of the systems is an option error, not a failing seed.
    for (const system of [{ workers: 2 }, { seed: 9 }, { deterministic: { seed: 9 } }, { remote: {} }])
      await assert.rejects(explore(lostUpdate, { system: system as never }), { code: ErrorCode.INVALID_OPTION }, JSON.stringify(system));
    await assert.rejects(simulate({ seed: 1, deterministic: { seed: 2 } } as never, lostUpdate), { code: ErrorCode.INVALID_OPTION });
    await assert.rejects(explore(lostUpdate, { from: 2 ** 32 - 1, seeds: 5 }), { code: ErrorCode.INVALID_OPTION });
    await assert.rejects(explore(lostUpdate, { system: { spins: -1 } }), { code: ErrorCode.INVALID_OPTION });
    // A given ManualClock is the one the run uses.
    const clock = new ManualClock(1000);
    const run = await simulate({ seed: 1, clock }, (_system, sim) => sim.clock);
    assert.equal(run.result, clock);
  });
});
