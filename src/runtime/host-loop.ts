import { setRefRouter } from '../actor/actor-ref.js';
import { loadDefinition } from '../actor/actor-definition.js';
import { BackoffIdleStrategy, IdlePhase } from '../../native-free-core/sync/idle-strategy.js';
import { statsSlot } from '../../native-free-core/stats/stats-block.js';
import {
  ACTORS,
  BATCH,
  BUSY_MS,
  DEAD_LETTERS,
  KNOBS_EPOCH,
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
import { DEFAULT_BATCH, Runtime, errorInfo } from './runtime.js';
import { TaskPool } from './task-pool.js';
import type { ControlMessage, SpawnRequest } from './wire-messages.js';
import type { SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import { ActorRef, localIdOf, participantOf } from '../actor/actor-ref.js';
import { oneForOne } from '../supervision/supervisor-strategy.js';

export interface HostInit {
  transport: TransportInit;
  /** The root guardian's restart intensity (strategies are functions and do not cross threads). */
  guardian: { maxRestarts: number; withinMs: number };
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
  /** Actors to re-create, under their old ids, before the first record is read (a replacement worker). */
  recreate?: SpawnRequest[];
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleepBriefly = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** Writes the counters of the stats block that change slowly (once per loop turn). */
function publish(stats: Float64Array, runtime: Runtime, now: number): void {
  stats[RUN_QUEUE] = runtime.runQueueLength;
  stats[ACTORS] = runtime.actorCount;
  stats[DEAD_LETTERS] = runtime.deadLetters;
  stats[OVERFLOW] = runtime.overflowed;
  stats[SUSPENDED] = runtime.suspended;
  stats[PUBLISHED_AT] = performance.timeOrigin + now;
}

/**
 * The loop of an actor worker: drain the inbound rings, run actors from the run queue, fire due
 * timers, publish outbound rings; when there is nothing to do, spin, yield, then park (blocking
 * in Atomics.wait until a producer rings, or until the next timer; with handler promises
 * pending it parks with waitAsync so the event loop can settle them).
 */
export async function runHost(init: HostInit): Promise<void> {
  const endpoint = new TransportEndpoint(init.transport);
  let running = true;
  let pendingLoads = 0;
  const pending: { stopAll: { req: number; from: number; deadline: number } | null } = { stopAll: null };
  const strategy: SupervisorStrategy = oneForOne(init.guardian);
  const runtime: Runtime = new Runtime({
    participant: endpoint.self,
    endpoint,
    guardianStrategy: strategy,
    idWatermark: new Int32Array(init.idWatermark),
    taskPool: new TaskPool(init.taskThreads),
    stats: statsSlot(init.stats, endpoint.self),
    overflowLimit: init.overflowLimit,
    onEvent: (event) => runtime.control(0, { op: 'event', event }),
    onControl: (from, message) => onControl(from, message),
  });
  setRefRouter(runtime);

  function onControl(from: number, message: ControlMessage & { req?: number }): void {
    switch (message.op) {
      case 'spawn': {
        pendingLoads++;
        const req = message.req!;
        loadDefinition(message.url, message.name)
          .then((definition) => {
            const parent = new ActorRef(participantOf(message.parent), localIdOf(message.parent), 'guardian');
            const cell = runtime.spawnTopLevel(definition, message.args, message.options, parent, message.id);
            runtime.control(from, { op: 'spawned', reply: req, id: cell.id, kind: definition.name });
          })
          .catch((error: unknown) => runtime.control(from, { op: 'failed', reply: req, error: errorInfo(error) }))
          .finally(() => pendingLoads--);
        return;
      }
      case 'stop-all':
        pending.stopAll = { req: message.req!, from, deadline: performance.now() + 1000 };
        return;
      case 'stats':
        runtime.control(from, {
          op: 'stats-reply',
          reply: message.req!,
          actors: runtime.actorCount,
          processed: runtime.processed,
          deadLetters: runtime.deadLetters,
          pendingAsync: runtime.pendingAsync,
          kinds: runtime.kindStats(),
        });
        return;
      case 'exit':
        running = false;
        return;
      case 'move-fence':
        runtime.bounceFence(message.id, message.back);
        return;
      case 'move-fence-back':
        runtime.fenceBack(message.from);
        return;
      case 'traffic':
        runtime.control(from, { op: 'traffic-reply', reply: message.req!, pairs: runtime.takeTraffic() });
        return;
      case 'reserve-id':
        runtime.control(from, { op: 'reserved', reply: message.req!, id: runtime.reserveId() });
        return;
      case 'move-out':
        try {
          runtime.moveOut(message.id, message.to, message.newId);
          runtime.control(from, { op: 'moved', reply: message.req! });
        } catch (error) {
          runtime.control(from, { op: 'failed', reply: message.req!, error: errorInfo(error) });
        }
        return;
      case 'move-in': {
        // Records the old worker forwards follow this one in the same ring: hold them until the
        // definition has loaded (usually already, from an earlier spawn).
        runtime.expectArrival(message.id);
        pendingLoads++;
        loadDefinition(message.url, message.name)
          .then((definition) => runtime.moveIn(definition, message))
          .catch((error: unknown) => {
            runtime.failArrival(message.id, message.name);
            runtime.control(0, {
              op: 'event',
              event: {
                type: 'actor-failed',
                actor: `${message.name}#${message.id}@w${runtime.participant}`,
                error: errorInfo(error),
                directive: 'could not be moved in',
              },
            });
          })
          .finally(() => pendingLoads--);
        return;
      }
      default:
        return;
    }
  }

  // A replacement re-creates its actors before it reads a record: the records left in its rings
  // are addressed to them.
  for (const request of init.recreate ?? []) {
    try {
      const definition = await loadDefinition(request.url, request.name);
      const parent = new ActorRef(participantOf(request.parent), localIdOf(request.parent), 'guardian');
      runtime.spawnTopLevel(definition, request.args, request.options, parent, request.id);
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
  let knobsEpoch = -1;
  let budget = DEFAULT_BATCH;
  let spins = init.spins;
  let idle = new BackoffIdleStrategy({ spins: init.spins, yields: 1 });
  let sinceYield = 0;
  let loops = 0;
  let busySince = performance.now();
  while (running) {
    if (stats[KNOBS_EPOCH] !== knobsEpoch) {
      // The scheduler wrote new knobs (it writes the epoch last).
      knobsEpoch = stats[KNOBS_EPOCH]!;
      if (stats[QUANTUM]! > 0) runtime.quantum = stats[QUANTUM]!;
      if (stats[BATCH]! > 0) budget = stats[BATCH]!;
      if (stats[SPINS]! !== spins) idle = new BackoffIdleStrategy({ spins: (spins = stats[SPINS]!), yields: 1 });
    }
    let work = endpoint.drain(runtime, 1024);
    work += runtime.runActors(budget);
    work += runtime.timers.runDue();
    const flushed = runtime.flush();
    // Counters, once per loop turn (one clock read): the scheduler's only view of this thread.
    const now = performance.now();
    stats[BUSY_MS] = stats[BUSY_MS]! + (now - busySince);
    busySince = now;
    stats[PROCESSED] = runtime.processed;
    publish(stats, runtime, now);
    stats[LOOPS] = ++loops;
    const stopAll = pending.stopAll;
    if (stopAll !== null && ((work === 0 && runtime.pendingAsync === 0) || performance.now() > stopAll.deadline)) {
      const actors = runtime.actorCount;
      runtime.stopAll();
      runtime.flush();
      runtime.control(stopAll.from, { op: 'stopped-all', reply: stopAll.req, actors });
      runtime.flush();
      pending.stopAll = null;
      continue;
    }
    if (work > 0) {
      idle.reset();
      if (++sinceYield >= 64 || (runtime.pendingAsync > 0 && sinceYield >= 4)) {
        sinceYield = 0;
        await yieldToLoop();
      }
      continue;
    }
    if (!flushed) {
      // A peer's ring is full and its producers are suspended; nobody rings us when it drains,
      // so look again soon (the event loop runs meanwhile).
      await sleepBriefly();
      busySince = performance.now();
      continue;
    }
    switch (idle.next()) {
      case IdlePhase.SPIN:
        continue;
      case IdlePhase.YIELD:
        sinceYield = 0;
        await yieldToLoop();
        continue;
      default: {
        const timeout = Math.min(runtime.timers.untilNext(), pending.stopAll !== null ? 1 : 1000);
        const parkedAt = performance.now();
        stats[PARKED_SINCE] = performance.timeOrigin + parkedAt;
        let result;
        if (runtime.pendingAsync > 0 || pendingLoads > 0) result = await endpoint.parkAsync(Math.min(timeout, 20));
        else result = endpoint.park(timeout);
        busySince = performance.now();
        stats[PARKED_SINCE] = 0;
        stats[PARKED_MS] = stats[PARKED_MS]! + (busySince - parkedAt);
        stats[PARKS] = stats[PARKS]! + 1;
        if (result === 'woken') stats[WAKEUPS] = stats[WAKEUPS]! + 1;
        idle.reset();
      }
    }
  }
  setRefRouter(null);
  await runtime.taskPool?.close();
  endpoint.close();
}
