import os from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { ActorDefinition } from '../actor/actor-definition.js';
import { ActorRef, newIncarnation, packRef, setIncarnation, setRefRouter } from '../actor/actor-ref.js';
import { type SpawnOptions, checkSpawnArguments } from '../actor/spawn-options.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { HostInit } from '../runtime/host-loop.js';
import { type Clock, ManualClock, systemClock } from '../runtime/clock.js';
import { Runtime } from '../runtime/runtime.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { ControlMessage, SpawnRequest } from '../runtime/wire-messages.js';
import { DEFAULT_STRATEGY, type Directive, type SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import { type LaneReplacement, TransportEndpoint, type TransportInit, createTransport, transferListOf } from '../transport/transport.js';
import { ringFillOf } from '../../native-free-core/mesh/mesh.js';
import { EventStream } from './event-stream.js';
import { packDetached } from '../codec/detached-value.js';
import { type SpawnSpec, Placements } from './placements.js';
import type { SpawnManyRequest } from '../runtime/wire-messages.js';
import { SPAWN_OPTION_KEYS } from '../actor/spawn-options.js';

/** Actors per spawn-many request (a worker spawns them in one go: ~2 µs each). */
const SPAWN_MANY_CHUNK = 4096;
const SPAWN_MANY_KEYS = SPAWN_OPTION_KEYS.filter((k) => k !== 'name');
import { isActorHost } from '../runtime/thread-role.js';
import { TaskPool } from '../runtime/task-pool.js';
import { Router, type RoutingStrategy } from '../router/router.js';
import { createStatsBuffer, statsSlot } from '../../native-free-core/stats/stats-block.js';
import { type MovableActor, type RebalanceHost, Rebalancer } from '../scheduler/rebalancer.js';
import { Scheduler, type SchedulerOptions, type StuckHandler, type WorkerStats } from '../scheduler/scheduler.js';
import { DEFAULT_OVERFLOW_LIMIT } from '../runtime/outbound.js';
import type { KindStats } from '../runtime/wire-messages.js';
import { checkRef } from '../actor/ref-checks.js';
import { spawnFailure } from '../actor/spawn-failure.js';
import { errorInfo, remoteFailure } from '../errors/error-info.js';
import {
  MAX_THREADS,
  validateLookupName,
  validatePoolArguments,
  validateShutdownOptions,
  validateSystemOptions,
  validateWorkerNumber,
} from './validate-options.js';

export interface ActorSystemOptions {
  /** Actor worker threads. Default: cores − 1, at least 1. 0: everything runs inline on the main thread. */
  workers?: number;
  /** Body bytes of each ring (a power of two). Default 1 MiB. */
  ringCapacity?: number;
  /** The root guardian's strategy for top-level actors. Default: one-for-one, 10 restarts in 10 s. */
  guardian?: SupervisorStrategy;
  /** Empty looks at the rings before a worker yields and parks. Default 2000. */
  spins?: number;
  /** Time source of the main thread's timers (ask timeouts, inline actors). Default: real time. */
  clock?: Clock;
  /** Threads of each thread's task pool for `ctx.runTask` (created on first use). Default 1. */
  taskThreads?: number;
  /**
   * Extra worker threads, each reserved for one actor spawned with `dispatcher: 'dedicated'`
   * (an actor that blocks, or must not share its thread). Default 0.
   */
  dedicatedWorkers?: number;
  /** Placement, the adaptive controller and the watchdog (see SchedulerOptions). */
  scheduler?: SchedulerOptions;
  /**
   * Messages that may wait for room toward one full ring, per sending thread, before `tell`
   * refuses with ERR_BACKPRESSURE. Sending actors are suspended long before (after the handler
   * that hit the full ring). Default 262,144.
   */
  overflowLimit?: number;
}

/** How `spawnPool` builds and keeps its routees. */
export interface PoolOptions {
  /** Routees to spawn. */
  size: number;
  strategy: RoutingStrategy;
  /**
   * Replace a routee that stops (stopped, failed past its supervision, or lost with a worker
   * the guardian does not restart it on) with a new one of the same definition and arguments.
   * Default false: the router just drops it.
   */
  respawn?: boolean;
}

interface Pool {
  router: Router<unknown, unknown>;
  respawn: boolean;
  definition: ActorDefinition<unknown, unknown, unknown>;
  args: unknown;
  options: Omit<SpawnOptions, 'name'>;
}

export interface SystemStats {
  /** Pool and dedicated workers: the stats block's figures, the fill of each ring toward them, and actors per kind. */
  workers: (WorkerStats & { pendingAsync: number; ringFill: number; kinds: KindStats[] })[];
  main: { actors: number; processed: number; deadLetters: number; overflow: number; kinds: KindStats[] };
}

const HOST_URL = new URL('../../workers/actor-host.js', import.meta.url);
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether a system runs on this thread (from its construction to the end of its shutdown): refs route through one runtime per thread. */
let systemRunning = false;

/**
 * The facade an application holds: starts the worker threads and the rings between them, spawns
 * top-level actors, and shuts everything down. One per process; it runs on the main thread and
 * never blocks it.
 */
export class ActorSystem {
  /** Dead letters (`type: 'dead-letter'`) and failures reported by the root guardian (`'actor-failed'`), from every thread. */
  readonly events = new EventStream<RuntimeEvent>();
  /** Worker threads of the pool. */
  readonly workerCount: number;
  /** Worker threads reserved for one actor each (after the pool's: numbers workerCount+1…). */
  readonly dedicatedCount: number;
  /** Which actor holds each dedicated worker (packed ref), by worker number. */
  private readonly dedicatedHolders = new Map<number, number>();
  private readonly runtime: Runtime;
  private readonly endpoint: TransportEndpoint | null;
  private readonly workers: Worker[] = [];
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private pumpDone: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private unsubscribeClock: (() => void) | null = null;
  private readonly guardian: SupervisorStrategy;
  private readonly spins: number;
  private readonly taskThreads: number;
  private mesh: TransportInit['mesh'] | null = null;
  /** Next free actor id of each participant, kept across worker replacements. */
  private readonly idWatermark = new SharedArrayBuffer(4 * 256);
  private rebalanceTimer: ReturnType<typeof setInterval> | null = null;
  /** Where moved actors went: packed old ref → packed current ref. */
  private readonly movedTo = new Map<number, number>();
  /** Top-level actors on workers (what a worker replacement re-creates) and named actors. */
  private readonly placements = new Placements();
  /** The pool each pool routee belongs to, by packed ref (see spawnPool). */
  private readonly pools = new Map<number, Pool>();
  /** The sending end of each thread's lane-control port (see replacementTransport). */
  private readonly laneControls: MessagePort[] = [];
  /** Worker replacements so far. */
  replacements = 0;
  /** Without workers, the pump parks on this word (the mesh's doorbell otherwise). */
  private readonly localBell = new Int32Array(new SharedArrayBuffer(4));
  /** The stats block: one slot per participant (see native-free-core/layout/stats-layout.ts). */
  private readonly statsBuffer: SharedArrayBuffer;
  readonly scheduler: Scheduler;
  private readonly overflowLimit: number;
  /** A random number per start, carried by every ref of this system (see ActorRef.incarnation). */
  readonly incarnation: number;

  private constructor(options: Required<Pick<ActorSystemOptions, 'workers' | 'ringCapacity' | 'spins'>> & ActorSystemOptions) {
    this.workerCount = options.workers;
    this.dedicatedCount = options.dedicatedWorkers ?? 0;
    const threads = options.workers + this.dedicatedCount;
    const guardian = options.guardian ?? DEFAULT_STRATEGY;
    let inits = null;
    this.statsBuffer = createStatsBuffer(threads + 1);
    this.overflowLimit = options.overflowLimit ?? DEFAULT_OVERFLOW_LIMIT;
    this.scheduler = new Scheduler(
      this.statsBuffer,
      threads,
      options.workers,
      options.scheduler ?? {},
      (stuck) => this.onStuck(stuck),
      options.spins,
    );
    const rebalance = options.scheduler?.rebalance;
    const rebalancer = rebalance && this.workerCount > 1 ? new Rebalancer(this.rebalanceHost(), rebalance === true ? {} : rebalance) : null;
    // After the options are checked (a wrong option is reported as such), before any thread or ring exists.
    if (systemRunning) {
      throw new BactorError(
        ErrorCode.SYSTEM_RUNNING,
        'ActorSystem.start: an actor system already runs on this thread (refs route through one system per thread): await its shutdown() first',
      );
    }
    // Refs made from here on carry this system's incarnation; those of an earlier one reach nothing.
    this.incarnation = newIncarnation();
    setIncarnation(this.incarnation);
    if (threads > 0) {
      // Each thread also gets a port on which the main thread posts the large-message lanes of a replaced worker.
      inits = createTransport({ participants: threads + 1, ringCapacity: options.ringCapacity }).map((init) => {
        const { port1, port2 } = new MessageChannel();
        this.laneControls.push(port1);
        return { ...init, laneControl: port2 };
      });
      this.endpoint = new TransportEndpoint(inits[0]!);
    } else {
      this.endpoint = null;
    }
    this.runtime = new Runtime({
      participant: 0,
      endpoint: this.endpoint,
      clock: options.clock ?? systemClock,
      guardianStrategy: guardian,
      onEvent: (event) => this.events.publish(event),
      onControl: (from, message) => this.onControl(from, message),
      taskPool: new TaskPool(options.taskThreads ?? 1),
      stats: statsSlot(this.statsBuffer, 0),
      overflowLimit: this.overflowLimit,
    });
    this.runtime.onGuardianTerminated = (ref) => {
      if (this.pools.size > 0) this.routeeTerminated(ref);
      this.placements.forget(ref.packed);
      if (this.dedicatedHolders.get(ref.participant) === ref.packed) this.dedicatedHolders.delete(ref.participant);
    };
    this.runtime.onWork = () => this.wake();
    if (options.clock instanceof ManualClock) this.unsubscribeClock = options.clock.onAdvance(() => this.wake());
    setRefRouter(this.runtime);
    systemRunning = true;
    this.guardian = guardian;
    this.spins = options.spins;
    this.taskThreads = options.taskThreads ?? 1;
    if (inits !== null) {
      this.mesh = inits[0]!.mesh;
      for (let w = 1; w <= threads; w++) this.startWorker(w, inits[w]!);
    }
    this.pumpDone = this.pump();
    this.scheduler.start();
    if (rebalancer !== null) {
      let running = false;
      this.rebalanceTimer = setInterval(() => {
        if (running || this.state !== 'running') return;
        running = true;
        void rebalancer
          .look()
          .catch(() => null)
          .finally(() => (running = false));
      }, rebalancer.everyMs);
      this.rebalanceTimer.unref();
    }
  }

  /** Starts a system: worker threads, rings, and the main thread's pump. */
  static async start(options?: ActorSystemOptions): Promise<ActorSystem> {
    if (isActorHost()) {
      throw new BactorError(
        ErrorCode.SYSTEM_IN_WORKER,
        'ActorSystem.start() ran inside a bactor worker thread: a module that defines actors is imported by every ' +
          'worker, so it must not start the system. Move defineActor(...) into a module of its own (e.g. ' +
          'counter.actor.js) and import it from the script that calls ActorSystem.start().',
      );
    }
    const checked = validateSystemOptions(options);
    const workers = checked.workers ?? Math.max(1, os.availableParallelism() - 1);
    const dedicated = checked.dedicatedWorkers ?? 0;
    if (workers + dedicated > MAX_THREADS) {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `ActorSystem.start: workers + dedicatedWorkers = ${workers} + ${dedicated} must be at most ${MAX_THREADS}`,
      );
    }
    const ringCapacity = checked.ringCapacity ?? 1 << 20;
    const spins = checked.spins ?? 2000;
    return new ActorSystem({ ...checked, workers, ringCapacity, spins });
  }

  /**
   * Spawns a top-level actor: on a worker (round robin, or `options.worker`), or on the main
   * thread with `dispatcher: 'inline'`. Resolves when the actor has run init.
   */
  async spawn<M, R, A>(definition: ActorDefinition<M, R, A>, args: A, options: SpawnOptions = {}): Promise<ActorRef<M, R>> {
    this.assertRunning('spawn');
    checkSpawnArguments(definition, options);
    if (options.name !== undefined && this.placements.hasName(options.name)) {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `spawn(${definition.name}): the name ${JSON.stringify(options.name)} is taken by ${this.placements.lookup(options.name)}`,
      );
    }
    const dispatcher = options.dispatcher ?? 'pool';
    if (dispatcher !== 'pool' && dispatcher !== 'inline' && dispatcher !== 'dedicated') {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `spawn(${definition.name}): dispatcher=${JSON.stringify(dispatcher)} must be 'pool', 'inline' or 'dedicated'`,
      );
    }
    let ref: ActorRef<M, R>;
    if (dispatcher === 'inline' || (dispatcher === 'pool' && this.workerCount === 0)) {
      const cell = this.runtime.spawnTopLevel(definition as ActorDefinition<unknown, unknown, unknown>, args, options, null);
      ref = cell.self as ActorRef<M, R>;
    } else {
      const worker =
        dispatcher === 'dedicated' ? this.claimDedicated(definition.name) : this.placement(definition.name, options.worker, options.near);
      const { name, throughput, mailbox } = options;
      if (mailbox?.priority || mailbox?.queue) {
        throw new BactorError(
          ErrorCode.INVALID_OPTION,
          `spawn(${definition.name}): priority and custom mailboxes hold functions; set them in defineActor, not in spawn options`,
        );
      }
      // What a worker replacement re-creates it with: these arguments as they are now (refs included).
      const keptArgs = keepArgs(args);
      const request: SpawnRequest = {
        op: 'spawn',
        url: definition.moduleUrl,
        name: definition.name,
        args,
        options: {
          ...(name !== undefined ? { name } : {}),
          ...(throughput !== undefined ? { throughput } : {}),
          ...(mailbox ? { mailbox } : {}),
        },
        parent: this.runtime.guardianRef.packed,
      };
      let reply;
      try {
        reply = await this.runtime.request(worker, request);
      } finally {
        if (dispatcher === 'dedicated' && (reply === undefined || reply.op !== 'spawned')) this.dedicatedHolders.delete(worker);
      }
      if (reply.op === 'failed') throw spawnFailure(definition.name, worker, reply.error);
      if (reply.op !== 'spawned')
        throw new BactorError(ErrorCode.MALFORMED_RECORD, `spawn(${definition.name}): unexpected reply ${reply.op}`);
      ref = new ActorRef(worker, reply.id, reply.kind) as ActorRef<M, R>;
      const spec: SpawnSpec = { url: request.url, name: request.name, options: request.options, pinned: options.worker !== undefined };
      this.placements.set(ref.packed, { worker, id: reply.id, spec, args: keptArgs });
      if (dispatcher === 'dedicated') this.dedicatedHolders.set(worker, ref.packed);
    }
    // A top-level actor tells the guardian when it stops (ActorCell.stopSelf): its name and placement go then.
    if (options.name !== undefined) this.placements.name(options.name, ref as ActorRef);
    return ref;
  }

  /**
   * Spawns one top-level actor of `definition` per element of `argsList`, in bulk: the actors
   * are spread over the pool workers (least loaded first, then round robin; or all on
   * `options.worker`, or next to `options.near`, or inline), and each worker gets one request
   * per chunk of up to 4,096 actors instead of one per actor. Resolves with their refs, in
   * `argsList` order, once every one has run init. All or none: if an init throws, the actors
   * already started are stopped and this rejects with ERR_ACTOR_INIT_FAILED.
   */
  async spawnMany<M, R, A>(
    definition: ActorDefinition<M, R, A>,
    argsList: readonly A[],
    options: Omit<SpawnOptions, 'name'> = {},
  ): Promise<ActorRef<M, R>[]> {
    this.assertRunning('spawnMany');
    checkSpawnArguments(definition, options, 'spawnMany', SPAWN_MANY_KEYS);
    if (!Array.isArray(argsList)) {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `spawnMany(${definition.name}): argsList must be an array (one element per actor), got ${typeof argsList}`,
      );
    }
    const dispatcher = options.dispatcher ?? 'pool';
    if (dispatcher === 'dedicated') {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `spawnMany(${definition.name}): dispatcher='dedicated' reserves a worker per actor: use spawn`,
      );
    }
    const def = definition as ActorDefinition<unknown, unknown, unknown>;
    if (dispatcher === 'inline' || this.workerCount === 0) {
      const first = this.runtime.spawnMany(def, argsList, options, this.runtime.guardianRef);
      return argsList.map((_a, i) => new ActorRef(0, first + i, def.name) as ActorRef<M, R>);
    }
    const { throughput, mailbox } = options;
    if (mailbox?.priority || mailbox?.queue) {
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `spawnMany(${definition.name}): priority and custom mailboxes hold functions; set them in defineActor, not in spawn options`,
      );
    }
    const spec: SpawnSpec = {
      url: def.moduleUrl,
      name: def.name,
      options: { ...(throughput !== undefined ? { throughput } : {}), ...(mailbox ? { mailbox } : {}) },
      pinned: options.worker !== undefined,
    };
    // Which worker each actor goes to, then one request per worker and chunk.
    const fixed = options.worker !== undefined || options.near !== undefined ? this.placement(def.name, options.worker, options.near) : 0;
    const start = fixed === 0 ? this.scheduler.place() : fixed;
    const byWorker = new Map<number, number[]>();
    for (let i = 0; i < argsList.length; i++) {
      const worker = fixed !== 0 ? fixed : ((start - 1 + i) % this.workerCount) + 1;
      let list = byWorker.get(worker);
      if (list === undefined) byWorker.set(worker, (list = []));
      list.push(i);
    }
    const refs = new Array<ActorRef<M, R>>(argsList.length);
    const batches: Promise<void>[] = [];
    for (const [worker, indices] of byWorker) {
      for (let from = 0; from < indices.length; from += SPAWN_MANY_CHUNK) {
        const chunk = indices.slice(from, from + SPAWN_MANY_CHUNK);
        const args = chunk.map((i) => argsList[i]);
        const request: SpawnManyRequest = {
          op: 'spawn-many',
          url: spec.url,
          name: spec.name,
          args,
          options: spec.options,
          parent: this.runtime.guardianRef.packed,
        };
        batches.push(
          this.runtime.request(worker, request).then((reply) => {
            if (reply.op === 'failed') throw spawnFailure(def.name, worker, reply.error);
            if (reply.op !== 'spawned-many')
              throw new BactorError(ErrorCode.MALFORMED_RECORD, `spawnMany(${def.name}): unexpected reply ${reply.op}`);
            for (let k = 0; k < chunk.length; k++) {
              const ref = new ActorRef(worker, reply.first + k, reply.kind) as ActorRef<M, R>;
              refs[chunk[k]!] = ref;
              this.placements.set(ref.packed, { worker, id: reply.first + k, spec, args: keepArgs(args[k]) });
            }
          }),
        );
      }
    }
    const results = await Promise.allSettled(batches);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      // All or none: stop what the other batches started.
      for (const ref of refs) if (ref !== undefined) this.stop(ref as ActorRef);
      throw failed.reason;
    }
    return refs;
  }

  /**
   * A pool router: spawns `size` routees of `definition`, spread over the workers round robin,
   * and routes to them with `strategy`.
   */
  async spawnPool<M, R, A>(
    definition: ActorDefinition<M, R, A>,
    args: A,
    options: PoolOptions & Omit<SpawnOptions, 'name'>,
  ): Promise<Router<M, R>> {
    this.assertRunning('spawnPool');
    validatePoolArguments(definition, options);
    const { size, strategy, respawn, ...spawnOptions } = options;
    const routees: ActorRef<M, R>[] = [];
    // Routees go round the workers from the least loaded one, unless pinned or placed near an actor.
    const spread = spawnOptions.worker === undefined && spawnOptions.near === undefined && (spawnOptions.dispatcher ?? 'pool') === 'pool';
    const first = spread && this.workerCount > 0 ? this.scheduler.place() : 0;
    for (let i = 0; i < size; i++) {
      const worker = spread && this.workerCount > 0 ? ((first - 1 + i) % this.workerCount) + 1 : spawnOptions.worker;
      routees.push(await this.spawn(definition, args, { ...spawnOptions, ...(worker !== undefined ? { worker } : {}) }));
    }
    const router = new Router(routees, strategy);
    const pool: Pool = {
      router: router as Router<unknown, unknown>,
      respawn: respawn === true,
      definition: definition as ActorDefinition<unknown, unknown, unknown>,
      args,
      options: spawnOptions,
    };
    for (const routee of routees) this.joinPool(pool, routee as ActorRef);
    return router;
  }

  /** A routee that stops tells the guardian (as every top-level actor does): it then leaves its router (and is replaced with `respawn`). */
  private joinPool(pool: Pool, routee: ActorRef): void {
    this.pools.set(routee.packed, pool);
  }

  /** A pool routee stopped: out of its router, and replaced if the pool says so. */
  private routeeTerminated(ref: ActorRef): void {
    let packed = ref.packed;
    let pool = this.pools.get(packed);
    if (pool === undefined) {
      // It may have moved: the router holds the ref it was spawned under.
      for (const [old, now] of this.movedTo) if (now === packed && this.pools.has(old)) pool = this.pools.get((packed = old));
      if (pool === undefined) return;
    }
    this.pools.delete(packed);
    const gone = pool.router.routees.find((r) => r.packed === packed);
    if (gone !== undefined) pool.router.remove(gone);
    if (!pool.respawn || this.state !== 'running') return;
    const spawned = this.spawn(pool.definition, pool.args, pool.options);
    spawned.then(
      (next) => {
        if (this.state !== 'running') return;
        pool.router.add(next);
        this.joinPool(pool, next);
      },
      (error: unknown) =>
        this.events.publish({ type: 'actor-failed', actor: String(ref), error: errorInfo(error), directive: 'pool routee not replaced' }),
    );
  }

  /** The actor spawned with `name`, while it lives. */
  lookup<M = unknown, R = unknown>(name: string): ActorRef<M, R> | undefined {
    validateLookupName(name);
    return this.placements.lookup(name) as ActorRef<M, R> | undefined;
  }

  /**
   * Moves a top-level actor to another pool worker, with its state and queued messages. Its refs
   * stay valid: the old worker forwards what reaches the old address, in order, so nothing is
   * lost or reordered for any sender. The actor must be idle enough to move (no pending handler
   * promise, children, stash, timers or `become`) and its state must be something the codec
   * carries; otherwise this rejects and the actor stays where it was. Resolves with the ref at the
   * new place (the old one keeps working).
   */
  async move<M, R>(ref: ActorRef<M, R>, worker: number): Promise<ActorRef<M, R>> {
    this.assertRunning('move');
    checkRef(ref, 'move');
    const packed = this.movedTo.get(ref.packed) ?? ref.packed;
    const placed = this.placements.get(packed);
    if (placed === undefined) throw new BactorError(ErrorCode.CANNOT_MOVE, `move: ${ref} is not a top-level actor on a pool worker`);
    if (!Number.isInteger(worker) || worker < 1 || worker > this.workerCount) {
      throw new BactorError(ErrorCode.INVALID_OPTION, `move(${ref}): worker=${worker} must be from 1 to ${this.workerCount}`);
    }
    if (worker === placed.worker) return new ActorRef(placed.worker, placed.id, placed.spec.name) as ActorRef<M, R>;
    const reserved = await this.runtime.request(worker, { op: 'reserve-id' });
    if (reserved.op !== 'reserved') throw new BactorError(ErrorCode.MALFORMED_RECORD, `move: unexpected reply ${reserved.op}`);
    const moved = await this.runtime.request(placed.worker, { op: 'move-out', id: placed.id, to: worker, newId: reserved.id });
    if (moved.op === 'failed') throw remoteFailure(moved.error, ErrorCode.CANNOT_MOVE, `worker ${placed.worker}`);
    const next = new ActorRef(worker, reserved.id, placed.spec.name);
    // Resolve once it is live there (a move right after this one must find it).
    const arrival = await this.runtime.request(worker, { op: 'arrival', id: reserved.id });
    if (arrival.op !== 'arrival-reply' || !arrival.ok) {
      this.placements.delete(packed);
      throw new BactorError(
        ErrorCode.ACTOR_FAILED,
        `move: ${ref} could not be re-created on worker ${worker} (see the actor-failed event)`,
      );
    }
    this.placements.delete(packed);
    this.placements.set(next.packed, { ...placed, worker, id: reserved.id });
    this.movedTo.set(ref.packed, next.packed);
    if (packed !== ref.packed) this.movedTo.set(packed, next.packed);
    this.placements.rename(packed, next as ActorRef);
    return next as ActorRef<M, R>;
  }

  /** What the rebalancer sees of this system and may do with it. */
  private rebalanceHost(): RebalanceHost {
    const describe = (packed: number): MovableActor | undefined => {
      const p = this.placements.get(this.movedTo.get(packed) ?? packed);
      if (p === undefined || p.worker > this.workerCount) return undefined;
      return { packed: packRef(p.worker, p.id), worker: p.worker, id: p.id, name: p.spec.name, pinned: p.spec.pinned };
    };
    return {
      workers: this.workerCount,
      utilisation: () => this.scheduler.windowUtilisation(),
      load: async (worker) => {
        const r = await this.runtime.request(worker, { op: 'load' });
        return r.op === 'load-reply' ? r.actors : [];
      },
      traffic: async () => {
        const replies = await Promise.all(
          Array.from({ length: this.workerCount }, (_, i) => this.runtime.request(i + 1, { op: 'traffic' }).catch(() => null)),
        );
        return replies.flatMap((r) => (r !== null && r.op === 'traffic-reply' ? r.pairs : []));
      },
      actorAt: (worker, id) => describe(packRef(worker, id)),
      actor: describe,
      move: async (actor, to, reason) => {
        if (this.state !== 'running') return false;
        const ref = new ActorRef(actor.worker, actor.id, actor.name);
        try {
          const moved = await this.move(ref, to);
          this.events.publish({ type: 'actor-moved', actor: String(ref), to: String(moved), reason });
          return true;
        } catch {
          return false; // it cannot move now (busy, children, unencodable state…): it stays
        }
      },
    };
  }

  /** Stops an actor (after the message it is handling). */
  stop(ref: ActorRef): void {
    checkRef(ref, 'stop');
    // Asked to stop: a worker replacement must not bring it back, even if its death notice is lost with the worker.
    this.placements.delete(this.movedTo.get(ref.packed) ?? ref.packed);
    this.runtime.sendSystem(ref, { k: 'stop' });
  }

  /**
   * Figures of every thread: the stats block (read without messages), the fill of the rings
   * toward each worker, and, by a request to each worker, actors and mailbox depths per kind.
   */
  async stats(): Promise<SystemStats> {
    this.assertRunning('stats');
    const block = this.scheduler.stats();
    const workers = await Promise.all(
      this.workers.map(async (_w, i) => {
        const r = await this.runtime.request(i + 1, { op: 'stats' });
        if (r.op !== 'stats-reply') throw new BactorError(ErrorCode.MALFORMED_RECORD, `stats: unexpected reply ${r.op}`);
        return {
          ...block[i]!,
          processed: r.processed,
          actors: r.actors,
          pendingAsync: r.pendingAsync,
          ringFill: this.ringFill(i + 1),
          kinds: r.kinds,
        };
      }),
    );
    const rt = this.runtime;
    return {
      workers,
      main: {
        actors: rt.actorCount,
        processed: rt.runs.processed,
        deadLetters: rt.deadLetters,
        overflow: rt.outbound.overflowed,
        kinds: rt.kindStats(),
      },
    };
  }

  /** Highest fill (0–1) of the rings toward participant `p`. */
  private ringFill(p: number): number {
    if (this.mesh === null) return 0;
    let fill = 0;
    for (let from = 0; from < this.mesh.participants; from++) {
      if (from === p) continue;
      fill = Math.max(fill, ringFillOf(this.mesh, from, p));
    }
    return fill;
  }

  /**
   * Stops every actor (children first, after their mailboxes drain, within `timeoutMs`), ends
   * the workers and the main thread's pump. Afterwards the process holds no handle of bactor.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    validateShutdownOptions(options);
    if (this.state !== 'running') return this.pumpDone;
    this.state = 'stopping';
    this.scheduler.stop();
    if (this.rebalanceTimer !== null) clearInterval(this.rebalanceTimer);
    const timeoutMs = options.timeoutMs ?? 5000;
    const deadline = new Promise<'timeout'>((resolve) => {
      const t = setTimeout(() => resolve('timeout'), timeoutMs);
      t.unref();
    });
    const stops = this.workers.map((_w, i) => this.runtime.request(i + 1, { op: 'stop-all' }).catch(() => undefined));
    await Promise.race([Promise.all(stops), deadline]);
    this.runtime.stopAll();
    for (let i = 0; i < this.workers.length; i++) {
      try {
        this.runtime.control(i + 1, { op: 'exit' });
      } catch {
        // a dead worker's ring
      }
    }
    this.runtime.flush();
    const exits = this.workers.map(
      (w) => new Promise<void>((resolve) => (w.threadId === -1 ? resolve() : w.once('exit', () => resolve()))),
    );
    if ((await Promise.race([Promise.all(exits), deadline])) === 'timeout') await Promise.all(this.workers.map((w) => w.terminate()));
    this.state = 'stopped';
    this.runtime.asks.failAll(new BactorError(ErrorCode.SYSTEM_STOPPED, 'the actor system shut down before the reply arrived'));
    this.runtime.requests.fail(new BactorError(ErrorCode.SYSTEM_STOPPED, 'the actor system shut down'));
    this.wake();
    await this.pumpDone;
    await this.runtime.taskPool?.close();
    this.endpoint?.close();
    for (const port of this.laneControls) port.close();
    this.unsubscribeClock?.();
    setRefRouter(null);
    systemRunning = false;
  }

  /**
   * Terminates worker `n` (1-based) as a crash would: the system replaces it. For tests and
   * failure drills.
   */
  async terminateWorker(n: number): Promise<void> {
    this.assertRunning('terminateWorker');
    validateWorkerNumber(n, 'terminateWorker', 'n', this.workers.length);
    await this.workers[n - 1]!.terminate();
  }

  // ---- internals -----------------------------------------------------------------------------

  private startWorker(w: number, transport: TransportInit, recreate: SpawnRequest[] = []): void {
    const init: HostInit = {
      transport,
      guardian: guardianData(this.guardian),
      spins: this.spins,
      idWatermark: this.idWatermark,
      taskThreads: this.taskThreads,
      stats: this.statsBuffer,
      overflowLimit: this.overflowLimit,
      incarnation: this.incarnation,
      ...(this.scheduler.interruptMs > 0 ? { interruptMs: this.scheduler.interruptMs } : {}),
      recreate,
    };
    const worker = new Worker(HOST_URL, {
      workerData: init,
      transferList: transferListOf(transport),
      // A larger young generation: actor messages die young, and fewer scavenges raised local tell ~1.5x here.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    let died = false;
    const onDeath = (reason: unknown): void => {
      if (died || this.state !== 'running') return;
      died = true;
      this.replaceWorker(w, reason);
    };
    worker.on('error', onDeath);
    worker.on('exit', (code) => onDeath(new BactorError(ErrorCode.WORKER_DIED, `worker ${w} exited with code ${code}`)));
    this.workers[w - 1] = worker;
  }

  /**
   * A worker died: start a replacement on the same rings (records still in them are delivered
   * to it), and re-create its top-level actors under their old ids, as the root guardian's
   * decider says (restart by default). Their state and the messages already taken from the
   * rings died with the worker.
   */
  private replaceWorker(w: number, reason: unknown): void {
    const error = reason instanceof Error ? reason : new BactorError(ErrorCode.WORKER_DIED, `worker ${w} died: ${String(reason)}`);
    this.replacements++;
    this.scheduler.reset(w);
    this.events.publish({ type: 'actor-failed', actor: `worker ${w}`, error: errorInfo(error), directive: 'replaced' });
    this.runtime.requests.fail(new BactorError(ErrorCode.WORKER_DIED, `worker ${w} died before it replied`, { cause: error }), w);
    const recreate: SpawnRequest[] = [];
    for (const [packed, p] of this.placements.onWorker(w)) {
      let directive;
      try {
        directive = this.guardian.decider(error);
      } catch {
        directive = 'stop';
      }
      if (directive === 'stop' || directive === 'escalate') {
        this.placements.forget(packed);
        continue;
      }
      recreate.push({
        op: 'spawn',
        url: p.spec.url,
        name: p.spec.name,
        // As the first incarnation got them: packed at spawn (refs arrive as refs), or a primitive.
        ...(p.args instanceof Uint8Array ? { args: undefined, packedArgs: p.args } : { args: p.args }),
        options: p.spec.options,
        parent: this.runtime.guardianRef.packed,
        id: p.id,
      });
    }
    // Watches on the dead worker's actors: Terminated for those gone, sent again to those re-created.
    const recreated = recreate.map((r) => r.id!);
    this.runtime.peerDied(w, recreated);
    for (let p = 1; p <= this.workerCount + this.dedicatedCount; p++) {
      if (p === w) continue;
      try {
        this.runtime.control(p, { op: 'worker-died', worker: w, recreated, reason: error.message });
      } catch {
        // that worker's ring is unreachable too: its own replacement follows
      }
    }
    this.startWorker(w, this.replacementTransport(w), recreate);
  }

  /**
   * The transport of worker `w`'s replacement: the same rings, and new large-message lanes with
   * every other thread (the old ones died with the worker's ports), posted to those threads on
   * their lane-control ports. They install them before their next large message to or from `w`.
   */
  private replacementTransport(w: number): TransportInit {
    const participants = this.workerCount + this.dedicatedCount + 1;
    const laneOut = new Array<MessagePort | null>(participants).fill(null);
    const laneIn = new Array<MessagePort | null>(participants).fill(null);
    for (let p = 0; p < participants; p++) {
      if (p === w) continue;
      const toW = new MessageChannel(); // p → w
      const fromW = new MessageChannel(); // w → p
      laneIn[p] = toW.port2;
      laneOut[p] = fromW.port1;
      const replacement: LaneReplacement = { peer: w, out: toW.port1, in: fromW.port2 };
      try {
        this.laneControls[p]!.postMessage(replacement, [toW.port1, fromW.port2]);
      } catch {
        // p's own thread is gone: its replacement gets fresh lanes of its own
      }
    }
    const control = new MessageChannel();
    this.laneControls[w]!.close();
    this.laneControls[w] = control.port1;
    return { mesh: this.mesh!, self: w, largeMessageThreshold: 64 * 1024, laneOut, laneIn, laneControl: control.port2 };
  }

  /** A free dedicated worker, reserved until its actor stops. */
  private claimDedicated(kind: string): number {
    for (let w = this.workerCount + 1; w <= this.workerCount + this.dedicatedCount; w++) {
      if (!this.dedicatedHolders.has(w)) {
        this.dedicatedHolders.set(w, -1); // reserved while the spawn is in flight
        return w;
      }
    }
    throw new BactorError(
      ErrorCode.INVALID_OPTION,
      `spawn(${kind}): no free dedicated worker (the system has dedicatedWorkers=${this.dedicatedCount}, all in use)`,
    );
  }

  private placement(kind: string, pinned: number | undefined, near: { readonly participant: number } | undefined): number {
    if (pinned !== undefined) {
      if (!Number.isInteger(pinned) || pinned < 1 || pinned > this.workerCount) {
        throw new BactorError(ErrorCode.INVALID_OPTION, `spawn(${kind}): worker=${pinned} must be from 1 to ${this.workerCount}`);
      }
      return pinned;
    }
    if (near !== undefined) {
      const p = near.participant;
      if (!Number.isInteger(p) || p < 1 || p > this.workerCount) {
        throw new BactorError(
          ErrorCode.INVALID_OPTION,
          `spawn(${kind}): near=${String(near)} is not an actor on a pool worker (it runs on participant ${p})`,
        );
      }
      return p;
    }
    return this.scheduler.place();
  }

  /**
   * The watchdog saw a handler run past its limit: report it. With the restart policy, the
   * worker's guard interrupts it (the worker reports 'handler-interrupted'); if it did not, the
   * worker is replaced.
   */
  private onStuck(stuck: StuckHandler): void {
    if (this.state !== 'running') return;
    const placed = this.placements.get(packRef(stuck.worker, stuck.actorId));
    const restart = this.scheduler.restartStuck;
    this.events.publish({
      type: 'handler-stuck',
      actor: `${placed?.spec.name ?? 'actor'}#${stuck.actorId}@w${stuck.worker}`,
      worker: stuck.worker,
      ms: Math.round(stuck.ms),
      messageType: stuck.messageType,
      action: !restart ? 'reported' : stuck.phase === 'detected' ? 'interrupting' : 'worker-replaced',
    });
    if (restart && stuck.phase === 'unresponsive') void this.workers[stuck.worker - 1]?.terminate();
  }

  private onControl(from: number, message: ControlMessage & { req?: number }): void {
    switch (message.op) {
      case 'event':
        this.events.publish(message.event);
        return;
      case 'guardian-decide': {
        // The decider sees a copy of the worker's error: name, message, code and stack (class identity stays on the worker).
        const error = Object.assign(new Error(message.error.message), message.error);
        let directive: Directive;
        try {
          directive = this.guardian.decider(error);
        } catch {
          directive = 'escalate';
        }
        if (!['resume', 'restart', 'stop', 'escalate'].includes(directive)) directive = 'escalate';
        this.runtime.control(from, { op: 'guardian-directive', reply: message.req!, directive });
        return;
      }
      default:
        return;
    }
  }

  private assertRunning(what: string): void {
    if (this.state !== 'running') throw new BactorError(ErrorCode.SYSTEM_STOPPED, `${what}: the actor system is ${this.state}`);
  }

  /** Publishes main-thread sends soon (a microtask, so a burst of tells goes out as one batch) and wakes the pump. */
  private wake(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.runtime.flush();
      });
    }
    if (this.endpoint !== null) this.endpoint.mesh.bells[0]!.ring();
    else {
      Atomics.store(this.localBell, 0, 1);
      Atomics.notify(this.localBell, 0);
    }
  }

  /**
   * The main thread's loop: drain inbound rings, run inline actors, fire timers, publish; park
   * with waitAsync (never blocking) until a worker rings or a timer is due.
   */
  private async pump(): Promise<void> {
    const runtime = this.runtime;
    const endpoint = this.endpoint;
    while (this.state !== 'stopped') {
      let work = endpoint === null ? 0 : endpoint.drain(runtime, 1024);
      work += runtime.runs.runActors(4096);
      work += runtime.timers.runDue();
      const flushed = runtime.flush();
      if (work > 0) {
        await yieldToLoop();
        continue;
      }
      // A full ring: nobody rings the main thread when it drains, so look again soon.
      const timeout = flushed ? Math.min(runtime.timers.untilNext(), 1000) : 1;
      if (endpoint !== null) await endpoint.parkAsync(timeout);
      else await parkLocal(this.localBell, timeout, runtime);
    }
  }
}

/**
 * Spawn arguments as a worker replacement re-creates an actor with them: a primitive as is,
 * anything else packed now (a copy as at spawn; refs in it arrive as refs).
 */
function keepArgs(args: unknown): unknown {
  return args === null || (typeof args !== 'object' && typeof args !== 'function') ? args : packDetached(args);
}

/** What of the guardian's strategy crosses to the workers: everything but the decider. */
function guardianData(strategy: SupervisorStrategy): HostInit['guardian'] {
  const { kind, maxRestarts, withinMs, backoff } = strategy;
  return backoff === undefined ? { kind, maxRestarts, withinMs } : { kind, maxRestarts, withinMs, backoff: { ...backoff } };
}

/** Without workers the pump waits on a private word, set and notified by `wake`. */
async function parkLocal(bell: Int32Array, timeoutMs: number, runtime: Runtime): Promise<void> {
  if (runtime.runs.hasRunnable || Atomics.exchange(bell, 0, 0) === 1) return;
  const r = Atomics.waitAsync(bell, 0, 0, timeoutMs);
  if (!r.async) return;
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await r.value;
  } finally {
    clearInterval(keepAlive);
    Atomics.store(bell, 0, 0);
  }
}
