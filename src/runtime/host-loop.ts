import vm from 'node:vm';
import { setIncarnation, setRefRouter } from '../actor/actor-ref.js';
import { loadDefinition } from '../actor/actor-definition.js';
import { BackoffIdleStrategy, IdlePhase } from '../../native-free-core/sync/idle-strategy.js';
import { TypeNameTable, knobsChanged, knobsEpoch, statsSlot } from '../../native-free-core/stats/stats-block.js';
import {
  ACTORS,
  BATCH,
  BUSY_MS,
  DEAD_LETTERS,
  DRAINED,
  HANDLER_MS,
  LOOPS,
  OVERFLOW,
  PARKED_MS,
  PARKED_SINCE,
  PARKS,
  PROCESSED,
  PUBLISHED_AT,
  QUANTUM,
  RUN_QUEUE,
  SPINS,
  SUSPENDED,
  WAKEUPS,
} from '../../native-free-core/layout/stats-layout.js';
import { TransportEndpoint, type TransportInit } from '../transport/transport.js';
import { errorInfo } from '../errors/error-info.js';
import { DEFAULT_BATCH } from './knob-defaults.js';
import { Runtime } from './runtime.js';
import { type HostState, WorkerControl } from './worker-control.js';
import { TaskPool } from './task-pool.js';
import { unpackDetached } from '../codec/detached-value.js';
import { enterActorHost } from './thread-role.js';
import type { SpawnRequest } from './wire-messages.js';
import type { SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import { ActorRef, localIdOf, participantOf } from '../actor/actor-ref.js';

export interface HostInit {
  transport: TransportInit;
  /**
   * The root guardian's strategy without its decider (a function: it stays on the main thread,
   * which the worker asks for each failure of a top-level actor).
   */
  guardian: Omit<SupervisorStrategy, 'decider'>;
  /** Empty looks at the rings before yielding, then parking. */
  spins: number;
  /** One Int32 per participant: the next free actor id, kept across replacements. */
  idWatermark: SharedArrayBuffer;
  /** Threads of this worker's task pool (ctx.runTask). */
  taskThreads: number;
  /** The shared stats block (counters out, scheduler knobs in). */
  stats: SharedArrayBuffer;
  /** User records an overflow queue toward one peer may hold. */
  overflowLimit: number;
  /** The system's incarnation (see ActorRef.incarnation). */
  incarnation: number;
  /**
   * The watchdog's restart policy: a handler still running this many milliseconds into its slice
   * of the loop is interrupted (and its actor fails with ERR_HANDLER_STUCK). Absent: never.
   */
  interruptMs?: number;
  /** Actors to re-create, under their old ids, before the first record is read (a replacement worker). */
  recreate?: SpawnRequest[];
}

/** What a slice of the loop needs from the driver. */
const enum Next {
  Continue,
  Yield,
  Sleep,
  ParkAsync,
  Stop,
}

/** Where a worker keeps its slice function for the guard script (a global the script can reach). */
const SLICE_KEY = 'bactor.host-slice';

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** A busy worker lets its event loop run at least this often (timers and I/O of its handlers). */
const YIELD_EVERY_MS = 5;

/**
 * Whether this thread's event loop holds something a handler started: a ref'd timer, a socket,
 * a file or database request, an immediate. A thread blocked in Atomics.wait runs no callbacks,
 * so while any is pending the worker parks with waitAsync instead (~0.2 µs per look, once per
 * park). 'CloseReq' is a handle being closed: nothing to wait for.
 */
function eventLoopBusy(): boolean {
  const resources = process.getActiveResourcesInfo();
  for (let i = 0; i < resources.length; i++) if (resources[i] !== 'CloseReq') return true;
  return false;
}
const sleepBriefly = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** Writes the counters of the stats block that change slowly (once per loop turn). */
function publish(stats: Float64Array, runtime: Runtime, now: number): void {
  stats[RUN_QUEUE] = runtime.runs.length;
  stats[ACTORS] = runtime.actorCount;
  stats[DEAD_LETTERS] = runtime.deadLetters;
  stats[OVERFLOW] = runtime.outbound.overflowed;
  stats[SUSPENDED] = runtime.outbound.suspended;
  stats[HANDLER_MS] = runtime.runs.timer.handlerMs;
  stats[PUBLISHED_AT] = performance.timeOrigin + now;
}

/**
 * The loop of an actor worker: drain the inbound rings, run actors from the run queue, fire due
 * timers, publish outbound rings; when there is nothing to do, spin, yield, then park (blocking
 * in Atomics.wait until a producer rings, or until the next timer; with handler promises
 * pending it parks with waitAsync so the event loop can settle them).
 */
export async function runHost(init: HostInit): Promise<void> {
  enterActorHost();
  setIncarnation(init.incarnation);
  const endpoint = new TransportEndpoint(init.transport);
  const host: HostState = { running: true, pendingLoads: 0, stopAll: null };
  const strategy: SupervisorStrategy = { ...init.guardian, decider: () => 'restart' };
  const runtime: Runtime = new Runtime({
    participant: endpoint.self,
    endpoint,
    guardianStrategy: strategy,
    idWatermark: new Int32Array(init.idWatermark),
    taskPool: new TaskPool(init.taskThreads),
    stats: statsSlot(init.stats, endpoint.self),
    typeNames: new TypeNameTable(init.stats, endpoint.self),
    overflowLimit: init.overflowLimit,
    onEvent: (event) => runtime.control(0, { op: 'event', event }),
    onControl: (from, message) => control.handle(from, message),
    decideRemotely: async (actor, error) => {
      const reply = await runtime.request(0, { op: 'guardian-decide', actor: String(actor), error: errorInfo(error) });
      return reply.op === 'guardian-directive' ? reply.directive : 'stop';
    },
  });
  setRefRouter(runtime);

  const control = new WorkerControl(runtime, host);

  // A replacement re-creates its actors before it reads a record: the records left in its rings
  // are addressed to them.
  for (const request of init.recreate ?? []) {
    try {
      const definition = await loadDefinition(request.url, request.name);
      const parent = new ActorRef(participantOf(request.parent), localIdOf(request.parent), 'guardian');
      const args = request.packedArgs !== undefined ? unpackDetached(request.packedArgs) : request.args;
      runtime.spawnTopLevel(definition, args, request.options, parent, request.id);
    } catch (error) {
      runtime.control(0, {
        op: 'event',
        event: {
          type: 'actor-failed',
          actor: `${request.name}#${request.id}@w${runtime.participant}`,
          error: errorInfo(error),
          directive: 'could not be re-created',
        },
      });
    }
  }

  const stats = runtime.stats;
  const epoch = knobsEpoch(init.stats, endpoint.self);
  let knobsEpochSeen = -1;
  let budget = DEFAULT_BATCH;
  let spins = init.spins;
  let idle = new BackoffIdleStrategy({ spins: init.spins, yields: 1 });
  let sinceYield = 0;
  let yieldedAt = performance.now();
  let loops = 0;
  let drained = 0;
  let busySince = performance.now();
  let parkTimeout = 0;
  // With the watchdog's restart policy (`scheduler.watchdog.restart`), slices of the loop run
  // under `vm.Script.runInThisContext({ timeout: interruptMs })` (2 × limitMs). A slice returns
  // by itself after a quarter of the timeout (checked once per loop turn; parks inside it end
  // before the timeout), so only a turn still running at the timeout is stopped: V8 terminates
  // the slice's JavaScript where it stands, Node.js cancels the termination at the
  // runInThisContext call, and the worker goes on with the same heap. Runtime.interrupted then
  // fails the actor whose turn it was (ERR_HANDLER_STUCK, supervised; its mailbox kept), clears
  // what the end of the cut turn would have (the send-limit hold), and drops a ring write cut
  // between claim and commit (TransportEndpoint.abandonWrites); `schedule` queues a cell before
  // marking it, so a cut between the two leaves at worst an extra empty turn; a large message
  // cut between its payload and its reference leaves a numbered orphan the receiver skips. A
  // handler blocked in native code cannot be interrupted: the scheduler replaces the worker
  // after the timeout plus max(500 ms, limitMs / 2). Each slice costs a vm call and a watchdog
  // thread (~75 µs here), so a slice lasts up to limitMs / 2 and ends early only for the event
  // loop.
  const guard = init.interruptMs !== undefined && init.interruptMs > 0 ? new vm.Script(`globalThis[Symbol.for('${SLICE_KEY}')]()`) : null;
  // A guarded slice ends by itself after a quarter of the timeout: a handler that starts in it
  // has at least three quarters of the timeout before the interrupt.
  const sliceMs = guard === null ? Infinity : init.interruptMs! / 4;
  // Guarded, every handler is timed, so a loop turn ends within a few ms whatever the handlers do.
  runtime.runs.timer.alwaysHeavy = guard !== null;
  let sliceStart = 0;

  /** One loop turn: drain the rings, run actors, fire timers, publish; then what the driver must await. */
  function turn(): Next {
    const published = knobsChanged(epoch, knobsEpochSeen);
    if (published >= 0) {
      // The scheduler published knobs: the epoch was read first (ordered), the knobs now (see stats-layout.ts).
      knobsEpochSeen = published;
      if (stats[QUANTUM]! > 0) runtime.quantum = stats[QUANTUM]!;
      if (stats[BATCH]! > 0) budget = stats[BATCH]!;
      if (stats[SPINS]! !== spins) idle = new BackoffIdleStrategy({ spins: (spins = stats[SPINS]!), yields: 1 });
    }
    // Heavy mode: loop turns are short (HEAVY_LOOP_MS), so each may read more of a ring.
    let work = endpoint.drain(runtime, runtime.runs.timer.heavyMode ? 16384 : 1024);
    drained += work;
    const handled = runtime.runs.runActors(budget);
    work += handled + runtime.timers.runDue();
    const flushed = runtime.flush();
    // Counters, once per loop turn (one clock read): the scheduler's only view of this thread.
    const now = performance.now();
    runtime.runs.timer.noteLoopTurn(now - busySince, handled);
    stats[BUSY_MS] = stats[BUSY_MS]! + (now - busySince);
    busySince = now;
    stats[PROCESSED] = runtime.runs.processed;
    stats[DRAINED] = drained;
    publish(stats, runtime, now);
    stats[LOOPS] = ++loops;
    const stopAll = host.stopAll;
    if (stopAll !== null && ((work === 0 && runtime.pendingAsync === 0) || now > stopAll.deadline)) {
      const actors = runtime.actorCount;
      runtime.stopAll();
      runtime.flush();
      runtime.control(stopAll.from, { op: 'stopped-all', reply: stopAll.req, actors });
      runtime.flush();
      host.stopAll = null;
      return host.running ? Next.Continue : Next.Stop;
    }
    if (!host.running) return Next.Stop;
    // A guarded slice goes back to the driver only when it must, or when it is old enough: each
    // guarded slice costs a vm call and a watchdog thread (~75 µs here).
    const mayLeave = now - sliceStart >= (guard === null ? 0 : 1);
    if (work > 0) {
      idle.reset();
      if ((++sinceYield >= 64 || (runtime.pendingAsync > 0 && sinceYield >= 4) || now - yieldedAt >= YIELD_EVERY_MS) && mayLeave) {
        sinceYield = 0;
        return Next.Yield;
      }
      return Next.Continue;
    }
    // A peer's ring is full and its producers are suspended; nobody rings us when it drains,
    // so look again soon (the event loop runs meanwhile).
    if (!flushed) return Next.Sleep;
    switch (idle.next()) {
      case IdlePhase.SPIN:
        return Next.Continue;
      case IdlePhase.YIELD:
        if (guard !== null && runtime.pendingAsync === 0 && host.pendingLoads === 0 && now - sliceStart < 10) return Next.Continue;
        sinceYield = 0;
        return Next.Yield;
      default: {
        parkTimeout = Math.min(runtime.timers.untilNext(), host.stopAll !== null ? 1 : 1000);
        // Handler promises, definition loads, or timers and I/O a handler started: their
        // callbacks need the event loop, so park without blocking it.
        if (runtime.pendingAsync > 0 || host.pendingLoads > 0 || eventLoopBusy()) return Next.ParkAsync;
        // A guarded park ends before the slice's timeout could interrupt it.
        if (guard !== null) parkTimeout = Math.max(0, Math.min(parkTimeout, sliceStart + sliceMs - now));
        const parkedAt = beginPark(now);
        endPark(parkedAt, endpoint.park(parkTimeout));
        return Next.Continue;
      }
    }
  }

  function beginPark(now: number): number {
    stats[PARKED_SINCE] = performance.timeOrigin + now;
    return now;
  }

  function endPark(parkedAt: number, result: string): void {
    busySince = performance.now();
    stats[PARKED_SINCE] = 0;
    stats[PARKED_MS] = stats[PARKED_MS]! + (busySince - parkedAt);
    stats[PARKS] = stats[PARKS]! + 1;
    if (result === 'woken') stats[WAKEUPS] = stats[WAKEUPS]! + 1;
    idle.reset();
  }

  /** Loop turns until one needs the event loop (or, guarded, until the slice is old). */
  function slice(): Next {
    sliceStart = performance.now();
    for (;;) {
      const next = turn();
      if (next !== Next.Continue) return next;
      // busySince: the clock read of the last turn or park (no extra read).
      if (busySince - sliceStart >= sliceMs) return Next.Yield;
    }
  }
  (globalThis as Record<symbol, unknown>)[Symbol.for(SLICE_KEY)] = slice;
  const ownBell = endpoint.mesh.bells[endpoint.self]!;
  const wakeSelf = (): void => void ownBell.ring();

  while (host.running) {
    let next: Next;
    if (guard === null) next = slice();
    else {
      try {
        next = guard.runInThisContext({ timeout: init.interruptMs! }) as Next;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
        // The slice was stopped where it stood: inside a handler that ran past the limit.
        const interrupted = runtime.interrupted();
        stats[PARKED_SINCE] = 0;
        busySince = performance.now();
        if (interrupted !== null) {
          runtime.control(0, {
            op: 'event',
            event: {
              type: 'handler-interrupted',
              actor: interrupted.actor,
              messageType: interrupted.messageType,
              worker: runtime.participant,
            },
          });
        }
        runtime.flush();
        continue;
      }
    }
    switch (next) {
      case Next.Yield:
        await yieldToLoop();
        yieldedAt = performance.now();
        break;
      case Next.Sleep:
        await sleepBriefly();
        busySince = performance.now();
        break;
      case Next.ParkAsync: {
        const parkedAt = beginPark(performance.now());
        // A callback that gives this thread work while it waits (a settled handler promise, a
        // timer or socket callback that tells an actor) rings its own doorbell.
        runtime.onWork = wakeSelf;
        try {
          endPark(parkedAt, await endpoint.parkAsync(parkTimeout));
        } finally {
          runtime.onWork = null;
        }
        yieldedAt = performance.now();
        break;
      }
      default:
        break;
    }
  }
  setRefRouter(null);
  await runtime.taskPool?.close();
  endpoint.close();
}
