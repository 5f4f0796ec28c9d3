import type { ActorDefinition } from '../actor/actor-definition.js';
import type { ActorRef } from '../actor/actor-ref.js';
import type { SpawnOptions } from '../actor/spawn-options.js';
import { errorInfo } from '../errors/error-info.js';
import { Router, type RoutingStrategy } from '../router/router.js';
import type { SystemParts } from './system-parts.js';
import { validatePoolArguments } from './validate-options.js';

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

type Spawn = (definition: ActorDefinition<unknown, unknown, unknown>, args: unknown, options: SpawnOptions) => Promise<ActorRef>;

/**
 * Pool routers: their routees spread round the workers, a routee that stops leaves its router
 * (every top-level actor tells the guardian when it stops), and with `respawn` is replaced.
 */
export class Pools {
  /** The pool each pool routee belongs to, by packed ref. */
  private readonly pools = new Map<number, Pool>();

  constructor(
    private readonly parts: SystemParts,
    private readonly spawn: Spawn,
  ) {}

  async spawnPool<M, R, A>(
    definition: ActorDefinition<M, R, A>,
    args: A,
    options: PoolOptions & Omit<SpawnOptions, 'name'>,
  ): Promise<Router<M, R>> {
    validatePoolArguments(definition, options);
    const { size, strategy, respawn, ...spawnOptions } = options;
    const { workerCount, scheduler } = this.parts;
    const def = definition as ActorDefinition<unknown, unknown, unknown>;
    const routees: ActorRef<M, R>[] = [];
    // Routees go round the workers from the least loaded one, unless pinned or placed near an actor.
    const spread = spawnOptions.worker === undefined && spawnOptions.near === undefined && (spawnOptions.dispatcher ?? 'pool') === 'pool';
    const first = spread && workerCount > 0 ? scheduler.place() : 0;
    for (let i = 0; i < size; i++) {
      const worker = spread && workerCount > 0 ? ((first - 1 + i) % workerCount) + 1 : spawnOptions.worker;
      routees.push((await this.spawn(def, args, { ...spawnOptions, ...(worker !== undefined ? { worker } : {}) })) as ActorRef<M, R>);
    }
    const router = new Router(routees, strategy);
    const pool: Pool = {
      router: router as Router<unknown, unknown>,
      respawn: respawn === true,
      definition: def,
      args,
      options: spawnOptions,
    };
    for (const routee of routees) this.pools.set((routee as ActorRef).packed, pool);
    return router;
  }

  /** A top-level actor stopped: if it was a routee, out of its router, and replaced if its pool says so. */
  stopped(ref: ActorRef): void {
    if (this.pools.size === 0) return;
    let packed = ref.packed;
    let pool = this.pools.get(packed);
    if (pool === undefined) {
      // It may have moved: the router holds the ref it was spawned under.
      for (const [old, now] of this.parts.movedTo) if (now === packed && this.pools.has(old)) pool = this.pools.get((packed = old));
      if (pool === undefined) return;
    }
    this.pools.delete(packed);
    const gone = pool.router.routees.find((r) => r.packed === packed);
    if (gone !== undefined) pool.router.remove(gone);
    if (!pool.respawn || !this.parts.running()) return;
    const p = pool;
    this.spawn(p.definition, p.args, p.options).then(
      (next) => {
        if (!this.parts.running()) return;
        p.router.add(next);
        this.pools.set(next.packed, p);
      },
      (error: unknown) =>
        this.parts.events.publish({
          type: 'actor-failed',
          actor: String(ref),
          error: errorInfo(error),
          directive: 'pool routee not replaced',
        }),
    );
  }
}
