import type { ActorDefinition } from '../actor/actor-definition.js';
import { ActorRef } from '../actor/actor-ref.js';
import { spawnFailure } from '../actor/spawn-failure.js';
import { SPAWN_OPTION_KEYS, type SpawnOptions, checkSpawnArguments } from '../actor/spawn-options.js';
import { packDetached } from '../codec/detached-value.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { SpawnManyRequest, SpawnRequest } from '../runtime/wire-messages.js';
import type { SpawnSpec } from './placements.js';
import type { SystemParts } from './system-parts.js';

/** Actors per spawn-many request (a worker spawns them in one go: ~2 µs each). */
const SPAWN_MANY_CHUNK = 4096;
const SPAWN_MANY_KEYS = SPAWN_OPTION_KEYS.filter((k) => k !== 'name');

/**
 * Spawning top-level actors from the main thread: where each goes (pinned, near another, a
 * dedicated worker, or the scheduler's pick), the request to that worker, and the record a
 * worker replacement re-creates it from (placements.ts).
 */
export class Spawner {
  /** Which actor holds each dedicated worker (packed ref; -1 while its spawn is in flight), by worker number. */
  private readonly dedicatedHolders = new Map<number, number>();

  constructor(private readonly parts: SystemParts) {}

  async spawn<M, R, A>(definition: ActorDefinition<M, R, A>, args: A, options: SpawnOptions): Promise<ActorRef<M, R>> {
    const { runtime, placements, workerCount } = this.parts;
    checkSpawnArguments(definition, options);
    if (options.name !== undefined && placements.hasName(options.name)) {
      throw new BactorError(
        ErrorCode.NAME_TAKEN,
        `spawn(${definition.name}): the name ${JSON.stringify(options.name)} is taken by ${placements.lookup(options.name)}`,
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
    if (dispatcher === 'inline' || (dispatcher === 'pool' && workerCount === 0)) {
      const cell = runtime.spawner.topLevel(definition as ActorDefinition<unknown, unknown, unknown>, args, options, runtime.guardianRef);
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
        parent: runtime.guardianRef.packed,
      };
      let reply;
      try {
        reply = await runtime.request(worker, request);
      } finally {
        if (dispatcher === 'dedicated' && (reply === undefined || reply.op !== 'spawned')) this.dedicatedHolders.delete(worker);
      }
      if (reply.op === 'failed') throw spawnFailure(definition.name, worker, reply.error);
      if (reply.op !== 'spawned')
        throw new BactorError(ErrorCode.MALFORMED_RECORD, `spawn(${definition.name}): unexpected reply ${reply.op}`);
      ref = new ActorRef(worker, reply.id, reply.kind) as ActorRef<M, R>;
      const spec: SpawnSpec = { url: request.url, name: request.name, options: request.options, pinned: options.worker !== undefined };
      placements.set(ref.packed, { worker, id: reply.id, spec, args: keptArgs });
      if (dispatcher === 'dedicated') this.dedicatedHolders.set(worker, ref.packed);
    }
    // A top-level actor tells the guardian when it stops (ActorCell.stopSelf): its name and placement go then.
    if (options.name !== undefined) placements.name(options.name, ref as ActorRef);
    return ref;
  }

  async spawnMany<M, R, A>(
    definition: ActorDefinition<M, R, A>,
    argsList: readonly A[],
    options: Omit<SpawnOptions, 'name'>,
  ): Promise<ActorRef<M, R>[]> {
    const { runtime, placements, scheduler, workerCount } = this.parts;
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
    if (dispatcher === 'inline' || workerCount === 0) {
      const first = runtime.spawner.many(def, argsList, options, runtime.guardianRef);
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
    const start = fixed === 0 ? scheduler.place() : fixed;
    const byWorker = new Map<number, number[]>();
    for (let i = 0; i < argsList.length; i++) {
      const worker = fixed !== 0 ? fixed : ((start - 1 + i) % workerCount) + 1;
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
          parent: runtime.guardianRef.packed,
        };
        batches.push(
          runtime.request(worker, request).then((reply) => {
            if (reply.op === 'failed') throw spawnFailure(def.name, worker, reply.error);
            if (reply.op !== 'spawned-many')
              throw new BactorError(ErrorCode.MALFORMED_RECORD, `spawnMany(${def.name}): unexpected reply ${reply.op}`);
            for (let k = 0; k < chunk.length; k++) {
              const ref = new ActorRef(worker, reply.first + k, reply.kind) as ActorRef<M, R>;
              refs[chunk[k]!] = ref;
              placements.set(ref.packed, { worker, id: reply.first + k, spec, args: keepArgs(args[k]) });
            }
          }),
        );
      }
    }
    const results = await Promise.allSettled(batches);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      // All or none: stop what the other batches started.
      for (const ref of refs) if (ref !== undefined) this.parts.stop(ref as ActorRef);
      throw failed.reason;
    }
    return refs;
  }

  /** A top-level actor stopped: the dedicated worker it held (if any) is free again. */
  stopped(ref: ActorRef): void {
    if (this.dedicatedHolders.get(ref.participant) === ref.packed) this.dedicatedHolders.delete(ref.participant);
  }

  /** A free dedicated worker, reserved until its actor stops. */
  private claimDedicated(kind: string): number {
    const { workerCount, dedicatedCount } = this.parts;
    for (let w = workerCount + 1; w <= workerCount + dedicatedCount; w++) {
      if (!this.dedicatedHolders.has(w)) {
        this.dedicatedHolders.set(w, -1); // reserved while the spawn is in flight
        return w;
      }
    }
    throw new BactorError(
      ErrorCode.NO_DEDICATED_WORKER,
      `spawn(${kind}): no free dedicated worker (the system has dedicatedWorkers=${dedicatedCount}, all in use)`,
    );
  }

  private placement(kind: string, pinned: number | undefined, near: { readonly participant: number } | undefined): number {
    const workerCount = this.parts.workerCount;
    if (pinned !== undefined) {
      if (!Number.isInteger(pinned) || pinned < 1 || pinned > workerCount) {
        throw new BactorError(ErrorCode.INVALID_OPTION, `spawn(${kind}): worker=${pinned} must be from 1 to ${workerCount}`);
      }
      return pinned;
    }
    if (near !== undefined) {
      const p = near.participant;
      if (!Number.isInteger(p) || p < 1 || p > workerCount) {
        throw new BactorError(
          ErrorCode.INVALID_OPTION,
          `spawn(${kind}): near=${String(near)} is not an actor on a pool worker (it runs on participant ${p})`,
        );
      }
      return p;
    }
    return this.parts.scheduler.place();
  }
}

/**
 * Spawn arguments as a worker replacement re-creates an actor with them: a primitive as is,
 * anything else packed now (a copy as at spawn; refs in it arrive as refs).
 */
function keepArgs(args: unknown): unknown {
  return args === null || (typeof args !== 'object' && typeof args !== 'function') ? args : packDetached(args);
}

/** A persistent actor in a system without a journal: said at the spawn, not at its first recovery. */
export function assertJournal(journal: unknown, definition: ActorDefinition<unknown, unknown, unknown> | undefined, what: string): void {
  if (journal !== null || (definition as { behavior?: { persistence?: unknown } } | undefined)?.behavior?.persistence === undefined) return;
  throw new BactorError(
    ErrorCode.NO_JOURNAL,
    `${what}(${definition!.name}): it is persistent (behavior.persistence) and the system has no journal: ` +
      'ActorSystem.start({ journal: new SqliteJournal({ path }) }) (or a MemoryJournal in tests)',
  );
}
