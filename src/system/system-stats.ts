import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { Runtime } from '../runtime/runtime.js';
import type { KindStats } from '../runtime/wire-messages.js';
import type { Scheduler, WorkerStats } from '../scheduler/scheduler.js';
import type { WorkerSet } from './worker-set.js';

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
