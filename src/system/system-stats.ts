import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { Runtime } from '../runtime/runtime.js';
import type { KindStats } from '../runtime/wire-messages.js';
import type { Scheduler, WorkerStats } from '../scheduler/scheduler.js';
import type { WorkerSet } from './worker-set.js';
import { type ActorNode, actorTree } from '../runtime/actor-tree.js';

/** `system.actorTree()`: each thread's live actors under their top-level actors. */
export interface ActorTree {
  threads: { thread: string; roots: ActorNode[]; truncated: boolean }[];
}

/** Each thread's actor tree: the main thread's read here, each worker's by a request. */
export async function gatherTree(runtime: Runtime, workerSet: WorkerSet): Promise<ActorTree> {
  const workers = await Promise.all(
    Array.from({ length: workerSet.count }, async (_w, i) => {
      const r = await runtime.request(i + 1, { op: 'tree' });
      if (r.op !== 'tree-reply') throw new BactorError(ErrorCode.MALFORMED_RECORD, `tree: unexpected reply ${r.op}`);
      return { thread: `w${i + 1}`, roots: r.roots, truncated: r.truncated };
    }),
  );
  return { threads: [{ thread: 'main', ...actorTree(runtime.actors) }, ...workers] };
}

export interface SystemStats {
  /** Pool and dedicated workers: the stats block's figures, the fill of each ring toward them, and actors per kind. */
  workers: (WorkerStats & { pendingAsync: number; ringFill: number; kinds: KindStats[] })[];
  main: { actors: number; processed: number; deadLetters: number; overflow: number; kinds: KindStats[] };
}

/**
 * Figures of every thread (ActorSystem.stats): the stats block (read without messages), the fill
 * of the rings toward each worker, and, by a request to each worker, actors and mailbox depths
 * per kind.
 */
export async function gatherStats(runtime: Runtime, scheduler: Scheduler, workerSet: WorkerSet): Promise<SystemStats> {
  const block = scheduler.stats();
  const workers = await Promise.all(
    Array.from({ length: workerSet.count }, async (_w, i) => {
      const r = await runtime.request(i + 1, { op: 'stats' });
      if (r.op !== 'stats-reply') throw new BactorError(ErrorCode.MALFORMED_RECORD, `stats: unexpected reply ${r.op}`);
      return {
        ...block[i]!,
        processed: r.processed,
        actors: r.actors,
        pendingAsync: r.pendingAsync,
        ringFill: workerSet.ringFill(i + 1),
        kinds: r.kinds,
      };
    }),
  );
  return {
    workers,
    main: {
      actors: runtime.actors.count,
      processed: runtime.runs.processed,
      deadLetters: runtime.dead.count,
      overflow: runtime.outbound.overflowed,
      kinds: runtime.actors.kindStats(),
    },
  };
}
