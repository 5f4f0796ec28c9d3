import type { ActorDefinition } from '../actor/actor-definition.js';
import { ActorRef, newIncarnation, setIncarnation, setRefRouter } from '../actor/actor-ref.js';
import { checkRef } from '../actor/ref-checks.js';
import type { Monitoring } from '../observability/monitoring.js';
import { SystemLog } from '../observability/system-log.js';
import type { SystemTracing } from '../observability/tracing/system-tracing.js';
import { SystemObservability } from './system-observability.js';
import { assertJournal } from './spawner.js';
import type { SpawnOptions } from '../actor/spawn-options.js';
import { createStatsBuffer, statsSlot } from '../../native-free-core/stats/stats-block.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { ManualClock, systemClock } from '../runtime/clock.js';
import { DEFAULT_OVERFLOW_LIMIT } from '../runtime/outbound.js';
import { Runtime } from '../runtime/runtime.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import { TaskPool } from '../runtime/task-pool.js';
import { assertNotInWorker } from '../runtime/thread-role.js';
import type { Router } from '../router/router.js';
import { Rebalancer } from '../scheduler/rebalancer.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { DEFAULT_STRATEGY } from '../supervision/supervisor-strategy.js';
import { TransportEndpoint } from '../transport/transport.js';
import { EventStream } from './event-stream.js';
import type { ActorSystemOptions } from './system-options.js';
import { MainControl } from './main-control.js';
import { MainLoop } from './main-loop.js';
import { Moves } from './moves.js';
import { Placements } from './placements.js';
import { type PoolOptions, Pools } from './pools.js';
import { Spawner } from './spawner.js';
import { StopWaiters, stopActor } from './stop-waiters.js';
import { type ActorTree, type SystemStats, gatherStats, gatherTree } from './system-stats.js';
import type { SystemParts } from './system-parts.js';
import {
  threadCounts,
  validateLookupName,
  validateShutdownOptions,
  validateSystemOptions,
  validateWorkerNumber,
} from './validate-options.js';
import { WorkerSet } from './worker-set.js';
import { Simulation } from './simulation.js';
import { type ActorTrace, type TraceActorOptions, systemView, traceActor } from './actor-traces.js';
import { RemoteNode } from './remote-node.js';
import { JournalService } from '../persistence/journal-service.js';
import type { ReliableOptions } from '../reliable/reliable-producer.js';
import type { ReliableRef } from '../reliable/reliable-ref.js';
import { reliableRef } from './reliable-entry.js';
import { type ReplicatedStore, openReplicatedStore } from '../crdt/replicated-store.js';
import type { ReplicatedStoreOptions } from '../crdt/replication-options.js';

export type { PoolOptions } from './pools.js';

export type { ActorSystemOptions } from './system-options.js';
export type { ActorTree, SystemStats } from './system-stats.js';

/** Whether a system runs on this thread (from its construction to the end of its shutdown): refs route through one runtime per thread. */
let systemRunning = false;

/**
 * The facade an application holds: starts the worker threads and the rings between them, spawns
 * top-level actors, and shuts everything down. One per process; it runs on the main thread and
 * never blocks it. Its rooms: spawner.ts, pools.ts, moves.ts, worker-set.ts, main-loop.ts.
 */
export class ActorSystem {
  /** Dead letters (`type: 'dead-letter'`) and failures reported by the root guardian (`'actor-failed'`), from every thread. */
  readonly events = new EventStream<RuntimeEvent>();
  /** Worker threads of the pool. */
  readonly workerCount: number;
  /** Worker threads reserved for one actor each (after the pool's: numbers workerCount+1…). */
  readonly dedicatedCount: number;
  readonly scheduler: Scheduler;
  /** A random number per start, carried by every ref of this system (see ActorRef.incarnation). */
  readonly incarnation: number;
  private readonly runtime: Runtime;
  private readonly endpoint: TransportEndpoint | null;
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private readonly loop: MainLoop;
  private loopDone: Promise<void> = Promise.resolve();
  private unsubscribeClock: (() => void) | null = null;
  private readonly control: MainControl;
  private readonly remote: RemoteNode;
  private rebalanceTimer: ReturnType<typeof setInterval> | null = null;
  /** Top-level actors on workers (what a worker replacement re-creates) and named actors. */
  private readonly placements = new Placements();
  /** Where moved actors went: packed old ref → packed current ref. */
  private readonly movedTo = new Map<number, number>();
  private readonly stopWaiters = new StopWaiters();
  private readonly spawner: Spawner;
  private readonly journal: JournalService;
  private readonly pools: Pools;
  private readonly moves: Moves;
  private readonly workers: WorkerSet;
  /** The gateway thread's participant number (0: no remote). */
  private readonly gatewayIndex: number;
  /** `host:port` this node listens on for other nodes (null without the `remote` option). */
  address: string | null = null;
  /** Monitoring, tracing and logging (see system-observability.ts). */
  private readonly observability: SystemObservability;
  /** Deterministic mode's seed, virtual clock and turn digest (null without the `deterministic` option). */
  readonly simulation: Simulation | null;
  private readonly parts: SystemParts;
  /** The traces of system.traceActor still running (ended at shutdown). */
  private readonly traces = new Set<ActorTrace>();

  /** Metrics, the dashboard and their HTTP server (null without the `monitoring` option). */
  get monitoring(): Monitoring | null {
    return this.observability.monitoring;
  }

  /** Tracing: `flush()` and the exporter's counts (null without the `tracing` option). */
  get tracing(): SystemTracing | null {
    return this.observability.tracing;
  }

  private constructor(options: Required<Pick<ActorSystemOptions, 'workers' | 'ringCapacity' | 'spins'>> & ActorSystemOptions) {
    this.workerCount = options.workers;
    this.dedicatedCount = options.dedicatedWorkers ?? 0;
    const threads = options.workers + this.dedicatedCount;
    this.gatewayIndex = options.remote !== undefined ? threads + 1 : 0;
    const guardian = options.guardian ?? DEFAULT_STRATEGY;
    const statsBuffer = createStatsBuffer(threads + 1);
    const observability = (this.observability = new SystemObservability(options, statsBuffer, threads));
    const tracing = observability.tracing;
    const overflowLimit = options.overflowLimit ?? DEFAULT_OVERFLOW_LIMIT;
    this.scheduler = new Scheduler(
      statsBuffer,
      threads,
      options.workers,
      options.scheduler ?? {},
      (stuck) => this.control.onStuck(stuck),
      options.spins,
    );
    const journal = new JournalService(options.journal ?? null, (to, message) =>
      to === 0 ? runtime.journal.onMessage(message) : runtime.control(to, message),
    );
    this.journal = journal;
    const parts: SystemParts = (this.parts = {
      get runtime() {
        return runtime;
      },
      journal,
      tracing,
      log: () => observability.log,
      scheduler: this.scheduler,
      events: this.events,
      placements: this.placements,
      movedTo: this.movedTo,
      stopWaiters: this.stopWaiters,
      workerCount: this.workerCount,
      dedicatedCount: this.dedicatedCount,
      running: () => this.state === 'running',
      stop: (ref) => this.stop(ref),
    });
    this.control = new MainControl(
      parts,
      guardian,
      () => this.workers,
      (from, message) =>
        void (message.op === 'spawn-for-node' ? this.remote.answerSpawn(from, message) : this.remote.answerAuthenticate(from, message)),
    );
    this.moves = new Moves(parts);
    // Rebalancing options are checked here too (the Rebalancer's constructor).
    const rebalance = options.scheduler?.rebalance;
    const rebalancer =
      rebalance && this.workerCount > 1 ? new Rebalancer(this.moves.rebalanceHost(), rebalance === true ? {} : rebalance) : null;
    // After the options are checked (a wrong option is reported as such), before any thread or ring exists.
    if (systemRunning) {
      throw new BactorError(
        ErrorCode.SYSTEM_RUNNING,
        'ActorSystem.start: an actor system already runs on this thread (refs route through one system per thread): await its shutdown() first',
      );
    }
    // Deterministic mode: routers' draws, backoff jitter and the run queue's order from the seed.
    const sim = (this.simulation = options.deterministic ? new Simulation(options.deterministic.seed, options.clock as ManualClock) : null);
    // Refs made from here on carry this system's incarnation; those of an earlier one reach nothing.
    this.incarnation = newIncarnation();
    setIncarnation(this.incarnation);
    this.workers = new WorkerSet(parts, {
      guardian,
      spins: options.spins,
      taskThreads: options.taskThreads ?? 1,
      statsBuffer,
      overflowLimit,
      incarnation: this.incarnation,
      gateway: this.gatewayIndex,
      ...observability.workerConfig,
    });
    const remote = options.remote;
    const transport =
      threads > 0 || remote !== undefined ? this.workers.create(threads, options.ringCapacity, remote !== undefined ? 1 : 0) : null;
    this.endpoint = transport === null ? null : new TransportEndpoint(transport.main);
    const runtime = new Runtime({
      participant: 0,
      endpoint: this.endpoint,
      clock: sim?.clock ?? options.clock ?? systemClock,
      ...(sim !== null ? { random: sim.draw } : {}),
      guardianStrategy: guardian,
      onEvent: (event) => this.events.publish(event),
      onControl: (from, message) => this.control.onControl(from, message),
      taskPool: new TaskPool(options.taskThreads ?? 1),
      stats: statsSlot(statsBuffer, 0),
      overflowLimit,
      gateway: this.gatewayIndex,
      ...observability.runtimeOptions(),
    });
    this.runtime = runtime;
    tracing?.attach(runtime, threads);
    // Persistent actors on the main thread (dispatcher 'inline') reach the journal with a call.
    runtime.journal.send = (message) => journal.onRequest(0, message);
    this.remote = new RemoteNode(runtime, this.gatewayIndex, options.remote, (definition, args, spawnOptions) =>
      this.spawn(definition, args, spawnOptions),
    );
    this.spawner = new Spawner(parts);
    this.pools = new Pools(parts, (definition, args, spawnOptions) => this.spawn(definition, args, spawnOptions));
    // A top-level actor tells the guardian when it stops: its router, name, placement and dedicated worker follow.
    runtime.onGuardianTerminated = (ref) => {
      this.pools.stopped(ref);
      this.placements.forget(ref.packed);
      this.spawner.stopped(ref);
      this.stopWaiters.stopped(ref.packed);
    };
    const awaited = (): number => runtime.asks.size + runtime.requests.size + this.stopWaiters.size;
    this.loop = new MainLoop(runtime, this.endpoint, statsBuffer, awaited, sim);
    runtime.onWork = () => this.loop.wake();
    sim?.attach(runtime, runtime.onWork);
    const clock = sim?.clock ?? options.clock;
    if (clock instanceof ManualClock) this.unsubscribeClock = clock.onAdvance(() => this.loop.wake());
    setRefRouter(runtime);
    systemRunning = true;
    transport?.start();
    this.remote.start(transport?.extra[0], this.incarnation);
    this.loopDone = this.loop.run();
    this.scheduler.start();
    if (rebalancer !== null) this.rebalanceTimer = rebalancer.schedule(() => this.state === 'running');
  }

  /** Starts a system: worker threads, rings, and the main thread's loop. */
  static async start(options?: ActorSystemOptions): Promise<ActorSystem> {
    assertNotInWorker();
    const checked = validateSystemOptions(options);
    const workers = threadCounts(checked);
    // A journal that cannot open, or a logger that cannot load, fails the start before any thread exists.
    await checked.journal?.ready?.();
    const logger = SystemObservability.logger(checked);
    const ringCapacity = checked.ringCapacity ?? 1 << 20;
    const spins = checked.spins ?? 2000;
    const system = new ActorSystem({ ...checked, workers, ringCapacity, spins });
    if (logger !== null) system.observability.log = new SystemLog(logger, system.events);
    try {
      system.address = await system.remote.ready();
      const started = {
        workers,
        dedicatedWorkers: checked.dedicatedWorkers ?? 0,
        ...(system.address !== null ? { address: system.address } : {}),
      };
      await system.observability.start(system.workers, system.events, systemView(system), started, system.remote.peersBuffer);
    } catch (error) {
      await system.shutdown();
      throw error;
    }
    return system;
  }

  /**
   * Spawns a top-level actor: on a worker (the least loaded, or `options.worker`, or next to
   * `options.near`), on a worker of its own (`dispatcher: 'dedicated'`), or on the main thread
   * (`dispatcher: 'inline'`). Resolves when the actor has run init.
   */
  async spawn<M, R, A>(definition: ActorDefinition<M, R, A>, args: A, options: SpawnOptions = {}): Promise<ActorRef<M, R>> {
    this.assertRunning('spawn');
    assertJournal(this.journal.journal, definition, 'spawn');
    return this.spawner.spawn(definition, args, options);
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
    assertJournal(this.journal.journal, definition, 'spawnMany');
    return this.spawner.spawnMany(definition, argsList, options);
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
    assertJournal(this.journal.journal, definition, 'spawnPool');
    return this.pools.spawnPool(definition, args, options);
  }

  /**
   * A ref with reliable delivery from the main thread to `target` (see `ctx.reliable`): its
   * producer runs inline on the main thread, and stops with the system. `target` may be a named
   * actor of another node, `{ address, name }`: it is looked up now (ERR_ACTOR_NOT_FOUND when
   * there is none), and again whenever its node is lost or restarts — what is unacknowledged
   * then goes to the actor of that name found next. `durable` needs the system's journal.
   */
  async reliable<M>(target: ActorRef<M> | { address: string; name: string }, options?: ReliableOptions): Promise<ReliableRef<M>> {
    this.assertRunning('reliable');
    return reliableRef(
      {
        journal: this.journal.journal,
        lookupRemote: (address, name) => this.lookupRemote(address, name),
        spawnInline: (definition, args) => this.spawner.spawn(definition, args, { dispatcher: 'inline' }),
      },
      target,
      options,
    );
  }

  /**
   * Opens a replicated store on this node (see ReplicatedStore, src/crdt/): keyed CRDT values,
   * replicated to the same store of the nodes in `options.nodes`. Its replicator is an actor on
   * the main thread named `bactor.crdt.<name>`; a durable store recovers from the journal first.
   */
  async replicated(options: ReplicatedStoreOptions): Promise<ReplicatedStore> {
    this.assertRunning('replicated');
    return openReplicatedStore(
      {
        address: this.address,
        incarnation: this.incarnation,
        journal: this.journal.journal,
        lookupRemote: (address, name) => this.lookupRemote(address, name),
        subscribe: (listener) => this.events.subscribe(listener),
        spawnInline: (definition, args, name) => this.spawn(definition, args, { dispatcher: 'inline', name }),
        stop: (ref) => this.stop(ref),
      },
      options,
    );
  }

  /** The actor spawned with `name`, while it lives. */
  lookup<M = unknown, R = unknown>(name: string): ActorRef<M, R> | undefined {
    validateLookupName(name);
    return this.placements.lookup(name) as ActorRef<M, R> | undefined;
  }

  /**
   * The actor spawned with `name` on the node listening at `address` (its `remote.listen`), while
   * it lives; undefined when none has that name. The ref works as a local one: tell, ask, and
   * refs in messages, replied to across nodes. Rejects with ERR_REMOTE_REFUSED (a wrong secret or
   * protocol version) or ERR_REMOTE_UNREACHABLE; ERR_NO_REMOTE without the `remote` option.
   */
  async lookupRemote<M = unknown, R = unknown>(address: string, name: string): Promise<ActorRef<M, R> | undefined> {
    this.assertRunning('lookupRemote');
    return this.remote.lookup<M, R>(address, name);
  }

  /**
   * Spawns an actor of `kind` (a definition, or its name) on the node listening at `address` —
   * only a kind that node lists in its `remote.spawnable` (else ERR_REMOTE_SPAWN_REFUSED). `args`
   * travel as a message does; `options.name` registers it there. Resolves with its ref.
   */
  async spawnRemote<M, R, A>(
    address: string,
    kind: ActorDefinition<M, R, A> | string,
    args: A,
    options?: { name?: string },
  ): Promise<ActorRef<M, R>> {
    this.assertRunning('spawnRemote');
    return this.remote.spawn(address, kind, args, options);
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
    return this.moves.move(ref, worker);
  }

  /**
   * Stops an actor (after the message it is handling). The promise resolves once it has stopped
   * (postStop ran), at once for an actor that is already gone or after shutdown; it never rejects.
   */
  stop(ref: ActorRef): Promise<void> {
    checkRef(ref, 'stop');
    // Shut down, or a ref of an earlier system: that actor is stopped already.
    if (this.state === 'stopped' || ref.incarnation !== this.incarnation) return Promise.resolve();
    return stopActor(this.parts, ref);
  }

  /**
   * Traces one actor, wherever it runs in this system: each message its handler takes and each
   * one the handler sends while it runs (not after an `await`), as entries with a preview of the
   * message, until `max` entries (default 1,000) or `stop()`.
   */
  traceActor(ref: ActorRef, options?: TraceActorOptions): Promise<ActorTrace> {
    this.assertRunning('traceActor');
    return traceActor(this.parts, this.traces, ref, options);
  }

  /** Worker replacements so far. */
  get replacements(): number {
    return this.workers.replacements;
  }

  /**
   * Figures of every thread: the stats block (read without messages), the fill of the rings
   * toward each worker, and, by a request to each worker, actors and mailbox depths per kind.
   */
  async stats(): Promise<SystemStats> {
    this.assertRunning('stats');
    return gatherStats(this.runtime, this.scheduler, this.workers);
  }

  /**
   * Every thread's live actors as trees under their top-level actors (kind, name, mailbox depth,
   * held), by a request to each worker; at most 10,000 per thread (`truncated` beyond).
   */
  async actorTree(): Promise<ActorTree> {
    this.assertRunning('actorTree');
    return gatherTree(this.runtime, this.workers);
  }

  /**
   * Stops every actor (children first, after their mailboxes drain, within `timeoutMs`), ends
   * the workers and the main thread's loop. Afterwards the process holds no handle of bactor.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    validateShutdownOptions(options);
    if (this.state !== 'running') return this.loopDone;
    this.state = 'stopping';
    this.scheduler.stop();
    if (this.rebalanceTimer !== null) clearInterval(this.rebalanceTimer);
    const timeoutMs = options.timeoutMs ?? 5000;
    const deadline = new Promise<'timeout'>((resolve) => {
      const t = setTimeout(() => resolve('timeout'), timeoutMs);
      t.unref();
    });
    const stops = Array.from({ length: this.workers.count }, (_w, i) =>
      this.runtime.request(i + 1, { op: 'stop-all' }).catch(() => undefined),
    );
    await Promise.race([Promise.all(stops), deadline]);
    this.runtime.stopAll();
    await this.workers.exit(deadline);
    await this.remote.stop(deadline);
    await this.journal.close().catch(() => undefined);
    await this.observability.stop(deadline);
    this.state = 'stopped';
    this.runtime.asks.failAll(new BactorError(ErrorCode.SYSTEM_STOPPED, 'the actor system shut down before the reply arrived'));
    this.runtime.requests.fail(new BactorError(ErrorCode.SYSTEM_STOPPED, 'the actor system shut down'));
    this.stopWaiters.releaseAll();
    for (const trace of this.traces) trace.end();
    this.loop.stop();
    await this.loopDone;
    await this.runtime.taskPool?.close();
    this.endpoint?.close();
    this.workers.closePorts();
    this.unsubscribeClock?.();
    this.observability.stopped();
    this.simulation?.detach();
    setRefRouter(null);
    systemRunning = false;
  }

  /**
   * Terminates worker `n` (1-based) as a crash would: the system replaces it. For tests and
   * failure drills.
   */
  async terminateWorker(n: number): Promise<void> {
    this.assertRunning('terminateWorker');
    validateWorkerNumber(n, 'terminateWorker', 'n', this.workers.count);
    await this.workers.terminate(n);
  }

  // ---- internals -----------------------------------------------------------------------------

  private assertRunning(what: string): void {
    if (this.state !== 'running') throw new BactorError(ErrorCode.SYSTEM_STOPPED, `${what}: the actor system is ${this.state}`);
  }
}
