import type { ActorDefinition } from '../actor/actor-definition.js';
import { actorTree } from './actor-tree.js';
import { findDefinition, loadDefinition } from '../actor/actor-definition.js';
import { ActorRef, localIdOf, participantOf } from '../actor/actor-ref.js';
import { errorInfo } from '../errors/error-info.js';
import type { Runtime } from './runtime.js';
import type { ControlMessage } from './wire-messages.js';

/** What the control plane changes in its worker's loop (host-loop.ts reads it every turn). */
export interface HostState {
  /** False once the main thread said 'exit'. */
  running: boolean;
  /** Definition modules loading (the loop parks without blocking its event loop meanwhile). */
  pendingLoads: number;
  /** A 'stop-all' to answer once the worker is idle, or at its deadline. */
  stopAll: { req: number; from: number; deadline: number } | null;
}

/**
 * A worker's side of the control plane: the requests the main thread sends it (spawn,
 * spawn-many, stats, stop-all, exit, the migration protocol's steps, the rebalancer's samples,
 * a dead peer) and their replies. Every op is in wire-messages.ts.
 */
export class WorkerControl {
  constructor(
    private readonly runtime: Runtime,
    private readonly host: HostState,
  ) {}

  /**
   * Runs `use` with the definition: at once when its module is loaded on this thread (a spawn is
   * then one loop turn, not a wait for the event loop), after the import otherwise. A failure is
   * the request's 'failed' reply.
   */
  private withDefinition(
    url: string,
    name: string,
    from: number,
    req: number,
    use: (definition: ActorDefinition<unknown, unknown, unknown>) => void,
  ): void {
    const loaded = findDefinition(url, name);
    if (loaded !== undefined) {
      try {
        use(loaded);
      } catch (error) {
        this.runtime.control(from, { op: 'failed', reply: req, error: errorInfo(error) });
      }
      return;
    }
    this.host.pendingLoads++;
    loadDefinition(url, name)
      .then(use)
      .catch((error: unknown) => this.runtime.control(from, { op: 'failed', reply: req, error: errorInfo(error) }))
      .finally(() => this.host.pendingLoads--);
  }

  handle(from: number, message: ControlMessage & { req?: number }): void {
    switch (message.op) {
      case 'spawn': {
        const req = message.req!;
        this.withDefinition(message.url, message.name, from, req, (definition) => {
          const parent = new ActorRef(participantOf(message.parent), localIdOf(message.parent), 'guardian');
          const cell = this.runtime.spawner.topLevel(definition, message.args, message.options, parent, message.id);
          this.runtime.control(from, { op: 'spawned', reply: req, id: cell.id, kind: definition.name });
        });
        return;
      }
      case 'spawn-many': {
        const req = message.req!;
        this.withDefinition(message.url, message.name, from, req, (definition) => {
          const parent = new ActorRef(participantOf(message.parent), localIdOf(message.parent), 'guardian');
          const first = this.runtime.spawner.many(definition, message.args, message.options, parent);
          this.runtime.control(from, { op: 'spawned-many', reply: req, first, count: message.args.length, kind: definition.name });
        });
        return;
      }
      case 'stop-all':
        this.host.stopAll = { req: message.req!, from, deadline: performance.now() + 1000 };
        return;
      case 'stats':
        this.runtime.control(from, {
          op: 'stats-reply',
          reply: message.req!,
          actors: this.runtime.actors.count,
          processed: this.runtime.runs.processed,
          deadLetters: this.runtime.dead.count,
          pendingAsync: this.runtime.pendingAsync,
          kinds: this.runtime.actors.kindStats(),
        });
        return;
      case 'tap': {
        const cell = this.runtime.actors.get(message.id);
        const result = cell === undefined || cell.isStopped ? 'absent' : this.runtime.taps.start(cell, message.tap, message.max);
        this.runtime.control(from, { op: 'tap-reply', reply: message.req!, result });
        return;
      }
      case 'untap':
        this.runtime.taps.stop(message.tap);
        return;
      case 'tree':
        this.runtime.control(from, { op: 'tree-reply', reply: message.req!, ...actorTree(this.runtime.actors) });
        return;
      case 'flush-spans':
        // The spans (and log entries) go before the reply, in the same ring: once it arrives, they have.
        this.runtime.tracer?.flush();
        this.runtime.logs.flush();
        this.runtime.control(from, { op: 'spans-flushed', reply: message.req! });
        return;
      case 'exit':
        this.host.running = false;
        return;
      case 'journal-written':
      case 'journal-replay':
      case 'journal-recovered':
      case 'journal-ack':
        this.runtime.journal.onMessage(message);
        return;
      case 'worker-died':
        this.runtime.peerDied(message.worker, message.recreated);
        return;
      case 'move-fence':
        this.runtime.migration.bounceFence(message.id, message.back);
        return;
      case 'move-fence-back':
        this.runtime.migration.fenceBack(message.from);
        return;
      case 'traffic':
        this.runtime.control(from, { op: 'traffic-reply', reply: message.req!, pairs: this.runtime.traffic.take() });
        return;
      case 'arrival': {
        const req = message.req!;
        void this.runtime.migration
          .whenArrived(message.id)
          .then((ok) => this.runtime.control(from, { op: 'arrival-reply', reply: req, ok }));
        return;
      }
      case 'load':
        this.runtime.control(from, { op: 'load-reply', reply: message.req!, actors: this.runtime.runs.timer.takeLoad() });
        return;
      case 'reserve-id':
        this.runtime.control(from, { op: 'reserved', reply: message.req!, id: this.runtime.actors.allocateId() });
        return;
      case 'move-out':
        try {
          this.runtime.migration.moveOut(message.id, message.to, message.newId);
          this.runtime.control(from, { op: 'moved', reply: message.req! });
        } catch (error) {
          this.runtime.control(from, { op: 'failed', reply: message.req!, error: errorInfo(error) });
        }
        return;
      case 'move-in': {
        // Records the old worker forwards follow this one in the same ring: hold them until the
        // definition has loaded (usually already, from an earlier spawn).
        this.runtime.migration.expectArrival(message.id);
        this.host.pendingLoads++;
        loadDefinition(message.url, message.name)
          .then((definition) => this.runtime.migration.moveIn(definition, message))
          .catch((error: unknown) => {
            this.runtime.migration.failArrival(message.id, message.name);
            this.runtime.control(0, {
              op: 'event',
              event: {
                type: 'actor-failed',
                actor: `${message.name}#${message.id}@w${this.runtime.participant}`,
                error: errorInfo(error),
                directive: 'could not be moved in',
              },
            });
          })
          .finally(() => this.host.pendingLoads--);
        return;
      }
      default:
        return;
    }
  }
}
