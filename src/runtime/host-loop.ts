import { performance } from 'node:perf_hooks';
import vm from 'node:vm';
import { setIncarnation, setRefRouter } from '../actor/actor-ref.js';
import { loadDefinition } from '../actor/actor-definition.js';
import { TypeNameTable, statsSlot } from '../../native-free-core/stats/stats-block.js';
import { kindMetricsOf } from './kind-metrics.js';
import { ThreadLogs } from '../observability/actor-log.js';
import { RecordRingWriter } from '../../native-free-core/ring/record-ring.js';
import { ThreadTracer } from '../observability/tracing/thread-tracer.js';
import type { WorkerTracing } from '../observability/tracing/system-tracing.js';
import { SPAN_RING } from '../observability/tracing/trace-context.js';
import { TransportEndpoint, type TransportInit } from '../transport/transport.js';
import { errorInfo } from '../errors/error-info.js';
import { LoopTurn, Next } from './loop-turn.js';
import { Runtime } from './runtime.js';
import { failInterruptedTurn } from './interrupted-turn.js';
import { type HostState, WorkerControl } from './worker-control.js';
import { TaskPool } from './task-pool.js';
import { unpackDetached } from '../codec/detached-value.js';
import { enterActorHost } from './thread-role.js';
import type { SpawnRequest } from './wire-messages.js';
import type { SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import { ActorRef, localIdOf, participantOf } from '../actor/actor-ref.js';
import { TakenLedger } from '../../native-free-core/ledger/taken-ledger.js';
import { taken } from '../mailbox/taken-slot.js';
import { KEPT_TYPES, redeliverTaken } from './taken-recovery.js';

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
  /** The metrics block and how often the gauges are published (monitoring; absent: nothing is counted per kind). */
  metrics?: { buffer: SharedArrayBuffer; intervalMs: number };
  /** Tracing's settings and span block (the exporter stays on the main thread; this thread writes its spans to its ring of the block). */
  tracing?: WorkerTracing;
  /** The least severe level of the actors' logs written (an index of LOG_LEVELS); absent: none. */
  logLevel?: number;
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
  /** The gateway thread's participant number (remote); 0: none. */
  gateway: number;
  /**
   * This worker's ledger of taken messages (TakenLedger), the same buffer for each thread that
   * plays the worker: a replacement delivers what the one before it had taken and not handled.
   */
  ledger?: SharedArrayBuffer;
}

/**
 * Resolves once the process.nextTick callbacks and microtasks queued before it have run: a
 * handler's promise settles through either (a stream or emitter resolves from a tick).
 */
function checkpoint(): Promise<void> {
  return new Promise(onNextTick);
}
function onNextTick(resolve: () => void): void {
  process.nextTick(resolve);
}

/** Where a worker keeps its slice function for the guard script (a global the script can reach). */
const SLICE_KEY = 'bactor.host-slice';

/** A busy worker lets its event loop run at least this often (timers and I/O of its handlers). */
const YIELD_EVERY_MS = 5;

/**
 * The loop of an actor worker: drain the inbound rings, run actors from the run queue, fire due
 * timers, publish outbound rings; when there is nothing to do, spin, yield, then park (blocking
 * in Atomics.wait until a producer rings, or until the next timer; with handler promises
 * pending the spell's first looks and each busy turn are checkpoints that let their
 * continuations run, and it parks with waitAsync so the event loop can settle them).
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
    ...(init.metrics !== undefined ? { metrics: kindMetricsOf(init.metrics.buffer, endpoint.self, init.metrics.intervalMs) } : {}),
    ...(init.logLevel !== undefined
      ? { logs: new ThreadLogs(init.logLevel, `w${endpoint.self}`, (entries) => runtime.control(0, { op: 'logs', entries }), false) }
      : {}),
    ...(init.tracing !== undefined
      ? {
          tracer: new ThreadTracer(init.tracing, new RecordRingWriter(init.tracing.spans, endpoint.self, SPAN_RING), (notice, wake) =>
            runtime.traceSends!.announce(notice, wake),
          ),
        }
      : {}),
    overflowLimit: init.overflowLimit,
    gateway: init.gateway,
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
      runtime.spawner.topLevel(definition, args, request.options, parent, request.id);
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

  // Then what the thread before it had taken off the rings and not handled, in order, before
  // anything newer; from now on what it takes is kept until handled.
  if (init.ledger !== undefined) {
    const ledger = new TakenLedger(init.ledger);
    const records = endpoint.keepTaken(ledger, KEPT_TYPES);
    taken.ledger = ledger;
    if (records.length > 0) {
      const { redelivered, dead } = redeliverTaken(runtime, endpoint, ledger, records);
      runtime.control(0, {
        op: 'event',
        event: { type: 'worker-recovered', worker: runtime.participant, redelivered, deadLettered: dead },
      });
    }
  }

  // With the watchdog's restart policy (`scheduler.watchdog.restart`), slices of the loop run
  // under `vm.Script.runInThisContext({ timeout: interruptMs })` (2 × limitMs). A slice returns
  // by itself after a quarter of the timeout (checked once per loop turn; parks inside it end
  // before the timeout), so only a turn still running at the timeout is stopped: V8 terminates
  // the slice's JavaScript where it stands, Node.js cancels the termination at the
  // runInThisContext call, and the worker goes on with the same heap. failInterruptedTurn then
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
  // Guarded, every handler is timed, so a loop turn ends within a few ms whatever the handlers do.
  runtime.runs.timer.alwaysHeavy = guard !== null;
  // A guarded slice ends by itself after a quarter of the timeout: a handler that starts in it
  // has at least three quarters of the timeout before the interrupt.
  const sliceMs = guard === null ? Infinity : init.interruptMs! / 4;
  const loop = new LoopTurn({
    runtime,
    endpoint,
    statsBuffer: init.stats,
    spins: init.spins,
    yields: 1,
    mayBlock: true,
    yieldEveryMs: YIELD_EVERY_MS,
    sliceMs,
    host,
  });

  /** Loop turns until one needs the event loop (or, guarded, until the slice is old). */
  function slice(): Next {
    // Unguarded, a slice has no end of its own (sliceMs Infinity): no clock read per entry.
    const start = (loop.sliceStart = guard === null ? loop.busySince : performance.now());
    for (;;) {
      const next = loop.turn();
      if (next !== Next.Continue) return next;
      // busySince: the clock read of the last turn or park (no extra read).
      if (loop.busySince - start >= sliceMs) return Next.Yield;
    }
  }
  (globalThis as Record<symbol, unknown>)[Symbol.for(SLICE_KEY)] = slice;
  const ownBell = endpoint.mesh.bells[endpoint.self]!;
  const wakeSelf = (): void => void ownBell.ring();
  const parkAsync = (timeoutMs: number) => endpoint.parkAsync(timeoutMs);

  while (host.running) {
    let next: Next;
    if (guard === null) next = slice();
    else {
      try {
        next = guard.runInThisContext({ timeout: init.interruptMs! }) as Next;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
        // The slice was stopped where it stood: inside a handler that ran past the limit.
        const interrupted = failInterruptedTurn(runtime);
        loop.endInterrupted();
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
        await loop.yieldToLoop();
        break;
      case Next.Microtasks:
        // A handler promise's continuation: the microtasks queued so far run first; nothing
        // runnable yet, the ticks too (a continuation through a stream or an emitter). Guarded,
        // this is the spell's one way out of the slice: a few rounds, while nothing becomes runnable.
        await undefined;
        for (let i = guard === null ? 1 : 8; i > 0 && runtime.runs.length === 0; i--) await checkpoint();
        break;
      case Next.Sleep:
        await loop.sleep();
        break;
      case Next.ParkAsync:
        // A callback that gives this thread work while it waits (a settled handler promise, a
        // timer or socket callback that tells an actor) rings its own doorbell.
        runtime.onWork = wakeSelf;
        try {
          await loop.parkAsync(parkAsync);
        } finally {
          runtime.onWork = null;
        }
        break;
      default:
        break;
    }
  }
  setRefRouter(null);
  await runtime.taskPool?.close();
  endpoint.close();
}
