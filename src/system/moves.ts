import { ActorRef, localIdOf, packRef, participantOf } from '../actor/actor-ref.js';
import { checkRef } from '../actor/ref-checks.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { remoteFailure } from '../errors/error-info.js';
import type { MovableActor, RebalanceHost } from '../scheduler/rebalancer.js';
import type { SystemParts } from './system-parts.js';

/** Where the actor of `ref` lives now: its ref, or the ref at the place a move took it (its old address only forwards user messages). */
export function whereNow(parts: Pick<SystemParts, 'movedTo'>, ref: ActorRef): ActorRef {
  const moved = parts.movedTo.get(ref.packed);
  return moved === undefined ? ref : new ActorRef(participantOf(moved), localIdOf(moved), ref.kind);
}

/**
 * Moving top-level actors between pool workers, the main thread's side (each worker's is
 * runtime/migration.ts): reserve an id on the target, ask the old worker to move the actor out,
 * wait until it is live there; then placements, names and `movedTo` follow. Also what the
 * rebalancer sees of the system and may do with it.
 */
export class Moves {
  constructor(private readonly parts: SystemParts) {}

  async move<M, R>(ref: ActorRef<M, R>, worker: number): Promise<ActorRef<M, R>> {
    const { runtime, placements, movedTo, workerCount } = this.parts;
    checkRef(ref, 'move');
    const packed = movedTo.get(ref.packed) ?? ref.packed;
    const placed = placements.get(packed);
    if (placed === undefined) throw new BactorError(ErrorCode.CANNOT_MOVE, `move: ${ref} is not a top-level actor on a pool worker`);
    if (!Number.isInteger(worker) || worker < 1 || worker > workerCount) {
      throw new BactorError(ErrorCode.INVALID_OPTION, `move(${ref}): worker=${worker} must be from 1 to ${workerCount}`);
    }
    if (worker === placed.worker) return new ActorRef(placed.worker, placed.id, placed.spec.name) as ActorRef<M, R>;
    const reserved = await runtime.request(worker, { op: 'reserve-id' });
    if (reserved.op !== 'reserved') throw new BactorError(ErrorCode.MALFORMED_RECORD, `move: unexpected reply ${reserved.op}`);
    const moved = await runtime.request(placed.worker, { op: 'move-out', id: placed.id, to: worker, newId: reserved.id });
    if (moved.op === 'failed') throw remoteFailure(moved.error, ErrorCode.CANNOT_MOVE, `worker ${placed.worker}`);
    const next = new ActorRef(worker, reserved.id, placed.spec.name);
    // Resolve once it is live there (a move right after this one must find it).
    const arrival = await runtime.request(worker, { op: 'arrival', id: reserved.id });
    if (arrival.op !== 'arrival-reply' || !arrival.ok) {
      placements.delete(packed);
      throw new BactorError(
        ErrorCode.ACTOR_FAILED,
        `move: ${ref} could not be re-created on worker ${worker} (see the actor-failed event)`,
      );
    }
    placements.delete(packed);
    placements.set(next.packed, { ...placed, worker, id: reserved.id });
    movedTo.set(ref.packed, next.packed);
    if (packed !== ref.packed) movedTo.set(packed, next.packed);
    placements.rename(packed, next as ActorRef);
    return next as ActorRef<M, R>;
  }

  /** What the rebalancer sees of this system and may do with it. */
  rebalanceHost(): RebalanceHost {
    // Read lazily: the rebalancer is built (and its options checked) before the runtime exists.
    const parts = this.parts;
    const { placements, movedTo, scheduler, workerCount, events } = parts;
    const describe = (packed: number): MovableActor | undefined => {
      const p = placements.get(movedTo.get(packed) ?? packed);
      if (p === undefined || p.worker > workerCount) return undefined;
      return { packed: packRef(p.worker, p.id), worker: p.worker, id: p.id, name: p.spec.name, pinned: p.spec.pinned };
    };
    return {
      workers: workerCount,
      utilisation: () => scheduler.windowUtilisation(),
      load: async (worker) => {
        const r = await parts.runtime.request(worker, { op: 'load' });
        return r.op === 'load-reply' ? r.actors : [];
      },
      traffic: async () => {
        const replies = await Promise.all(
          Array.from({ length: workerCount }, (_, i) => parts.runtime.request(i + 1, { op: 'traffic' }).catch(() => null)),
        );
        return replies.flatMap((r) => (r !== null && r.op === 'traffic-reply' ? r.pairs : []));
      },
      actorAt: (worker, id) => describe(packRef(worker, id)),
      actor: describe,
      move: async (actor, to, reason) => {
        if (!this.parts.running()) return null;
        const ref = new ActorRef(actor.worker, actor.id, actor.name);
        try {
          const moved = await this.move(ref, to);
          events.publish({ type: 'actor-moved', actor: String(ref), to: String(moved), reason });
          return moved.packed;
        } catch {
          return null; // it cannot move now (busy, children, unencodable state…): it stays
        }
      },
    };
  }
}
