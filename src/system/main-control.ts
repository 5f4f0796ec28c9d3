import { packRef } from '../actor/actor-ref.js';
import { errorFromInfo } from '../errors/error-info.js';
import type { ControlMessage } from '../runtime/wire-messages.js';
import type { StuckHandler } from '../scheduler/scheduler.js';
import type { Directive, SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import type { SystemParts } from './system-parts.js';
import type { WorkerSet } from './worker-set.js';

const DIRECTIVES: readonly string[] = ['resume', 'restart', 'stop', 'escalate'];

/**
 * The main thread's side of the control plane (the worker's is runtime/worker-control.ts): the
 * events workers publish, the root guardian's decisions for top-level actors that failed on a
 * worker, and what the system does when the watchdog sees a handler run past its limit.
 */
export class MainControl {
  constructor(
    private readonly parts: SystemParts,
    private readonly guardian: SupervisorStrategy,
    private readonly workers: () => WorkerSet,
    /** Another node asks this one to spawn, or to be let in (see RemoteNode.answerSpawn, answerAuthenticate). */
    private readonly forNode: (from: number, message: Extract<ControlMessage, { op: 'spawn-for-node' | 'authenticate-node' }>) => void,
  ) {}

  /** A control message from thread `from` that is no reply to a request of the main thread. */
  onControl(from: number, message: ControlMessage & { req?: number }): void {
    switch (message.op) {
      case 'event':
        this.parts.events.publish(message.event);
        return;
      case 'logs':
        this.parts.log()?.actorEntries(message.entries);
        return;
      case 'spans':
        this.parts.tracing?.receive(from, message.notice);
        return;
      case 'guardian-decide': {
        // The decider sees the worker's error rebuilt: name, message, code, stack and causes (class identity stays on the worker).
        const error = errorFromInfo(message.error);
        let directive: Directive;
        try {
          directive = this.guardian.decider(error);
        } catch {
          directive = 'escalate';
        }
        if (!DIRECTIVES.includes(directive)) directive = 'escalate';
        this.parts.runtime.control(from, { op: 'guardian-directive', reply: message.req!, directive });
        return;
      }
      case 'lookup': {
        // The gateway asks for a named actor of this node on behalf of another node.
        const ref = this.parts.placements.lookup(message.name);
        this.parts.runtime.control(from, {
          op: 'lookup-reply',
          reply: message.req!,
          ref: ref === undefined ? null : [ref.packed, ref.kind],
        });
        return;
      }
      case 'spawn-for-node':
      case 'authenticate-node':
        this.forNode(from, message);
        return;
      case 'journal-write':
      case 'journal-recover':
      case 'journal-snapshot':
      case 'journal-delete':
        this.parts.journal.onRequest(from, message);
        return;
      default:
        return;
    }
  }

  /**
   * The watchdog saw a handler run past its limit: report it. With the restart policy, the
   * worker's guard interrupts it (the worker reports 'handler-interrupted'); if it did not, the
   * worker is replaced.
   */
  onStuck(stuck: StuckHandler): void {
    const parts = this.parts;
    if (!parts.running()) return;
    const placed = parts.placements.get(packRef(stuck.worker, stuck.actorId));
    const restart = parts.scheduler.restartStuck;
    parts.events.publish({
      type: 'handler-stuck',
      actor: `${placed?.spec.name ?? 'actor'}#${stuck.actorId}@w${stuck.worker}`,
      worker: stuck.worker,
      ms: Math.round(stuck.ms),
      messageType: stuck.messageType,
      action: !restart ? 'reported' : stuck.phase === 'detected' ? 'interrupting' : 'worker-replaced',
    });
    if (restart && stuck.phase === 'unresponsive')
      void this.workers()
        .terminate(stuck.worker)
        .catch(() => undefined);
  }
}
