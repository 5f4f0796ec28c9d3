import type { ActorCell } from '../actor/actor-cell.js';
import { ActorRef, localIdOf, participantOf } from '../actor/actor-ref.js';
import type { AskSlots } from './ask-slots.js';
import { RecordType, type RemoteSystemOp } from './wire-messages.js';

/** A system message between actors (the cells' SystemOp minus a child's failure, which never crosses threads). */
export type SystemSend = { k: 'stop' } | { k: 'watch' | 'unwatch'; watcher: ActorRef } | { k: 'terminated'; ref: ActorRef };

/** What system messages need of the thread's runtime. */
export interface SystemOpsHost {
  readonly participant: number;
  readonly incarnation: number;
  /** The gateway thread's participant number (0: no remote). */
  readonly gateway: number;
  cell(id: number): ActorCell | undefined;
  sendRecord(peer: number, type: number, h0: number, h1: number, body: unknown): boolean;
  /** A ref watched by this thread's guardian (id 1) stopped. */
  readonly onGuardianTerminated: ((ref: ActorRef) => void) | null;
}

/**
 * System messages — stop, watch, unwatch, Terminated, and the failure of an ask — to an actor on
 * any thread: into the cell's system queue here, or as a SYSTEM record (refs packed) to another
 * thread, which decodes it in `onRecord`. A watch of an actor that is gone (stopped, unknown, or
 * of an earlier system) is answered with Terminated at once.
 */
export class SystemOps {
  constructor(
    private readonly host: SystemOpsHost,
    private readonly asks: AskSlots,
  ) {}

  send(target: ActorRef, op: SystemSend): void {
    const host = this.host;
    if (target.incarnation !== host.incarnation) {
      if (host.gateway !== 0) {
        // An actor of another node: the gateway carries it on its system lane (acked, resent).
        const ref = op.k === 'stop' ? null : op.k === 'terminated' ? op.ref : op.watcher;
        host.sendRecord(host.gateway, RecordType.REMOTE_SYSTEM, 0, 0, [target, op.k, ref]);
        return;
      }
      // A ref of an earlier system: it is gone (a watch gets its Terminated at once).
      if (op.k === 'watch') this.send(op.watcher, { k: 'terminated', ref: target });
      return;
    }
    if (target.participant === host.participant) {
      const cell = host.cell(target.id);
      if (cell !== undefined && !cell.isStopped) {
        cell.enqueueSystem(op);
      } else if (op.k === 'terminated' && target.id === 1) {
        host.onGuardianTerminated?.(op.ref);
      } else if (op.k === 'watch') {
        // Watching an actor that is already gone: Terminated at once.
        this.send(op.watcher, { k: 'terminated', ref: target });
      }
      return;
    }
    let body: RemoteSystemOp;
    switch (op.k) {
      case 'stop':
        body = { k: 'stop' };
        break;
      case 'watch':
      case 'unwatch':
        body = { k: op.k, watcher: op.watcher.packed, kind: op.watcher.kind };
        if (op.watcher.incarnation !== host.incarnation) body.inc = op.watcher.incarnation;
        break;
      case 'terminated':
        body = { k: 'terminated', ref: op.ref.packed, kind: op.ref.kind };
        if (op.ref.incarnation !== host.incarnation) body.inc = op.ref.incarnation;
        break;
    }
    host.sendRecord(target.participant, RecordType.SYSTEM, target.id, 0, body);
  }

  /** A SYSTEM record for local id `id` from another thread. */
  onRecord(id: number, op: RemoteSystemOp): void {
    const host = this.host;
    const self = new ActorRef(host.participant, id);
    switch (op.k) {
      case 'stop':
        this.send(self, { k: 'stop' });
        return;
      case 'watch':
      case 'unwatch': {
        const watcher = new ActorRef(participantOf(op.watcher), localIdOf(op.watcher), op.kind, op.inc ?? host.incarnation);
        this.send(self, { k: op.k, watcher });
        return;
      }
      case 'terminated': {
        const ref = new ActorRef(participantOf(op.ref), localIdOf(op.ref), op.kind, op.inc ?? host.incarnation);
        if (id === 1) {
          host.onGuardianTerminated?.(ref);
          return;
        }
        host.cell(id)?.enqueueSystem({ k: 'terminated', ref });
        return;
      }
      case 'ask-failed':
        this.asks.fail(id, op.target, op.reason, op.error);
        return;
    }
  }
}
