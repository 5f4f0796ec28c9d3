import type { ActorCell } from '../actor/actor-cell.js';
import type { ActorRef } from '../actor/actor-ref.js';
import type { CellHost } from '../actor/cell-host.js';
import { errorInfo } from '../errors/error-info.js';
import { applyDirective } from '../supervision/apply-directive.js';
import type { Directive, SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import type { RuntimeEvent } from './runtime-event.js';

/**
 * The supervisor of a thread's top-level actors (ActorSystemOptions.guardian). On the main
 * thread its decider runs here; on a worker the decider stays on the main thread (functions do
 * not cross threads), which `decideRemotely` asks while the actor waits suspended; the directive
 * is applied here with the strategy's intensity and backoff. What reaches the root is published.
 */
export class RootGuardian {
  constructor(
    private readonly host: Pick<CellHost, 'timers' | 'random' | 'reportFailure'>,
    readonly strategy: SupervisorStrategy,
    private readonly onEvent: (event: RuntimeEvent) => void,
    private readonly decideRemotely: ((actor: ActorRef, error: unknown) => Promise<Directive>) | null,
  ) {}

  /** A top-level actor failed. */
  failure(cell: ActorCell, error: unknown): void {
    if (this.decideRemotely === null) {
      this.apply(cell, error, this.strategy);
      return;
    }
    // The actor stays suspended (system messages only) until the main thread's decider answers.
    this.decideRemotely(cell.self, error).then(
      (directive) => this.apply(cell, error, { ...this.strategy, decider: () => directive }),
      () => this.apply(cell, error, { ...this.strategy, decider: () => 'stop' }),
    );
  }

  private apply(cell: ActorCell, error: unknown, strategy: SupervisorStrategy): void {
    if (cell.isStopped) return;
    const directive = applyDirective(this.host, strategy, cell, error, [cell], (e) => {
      // Escalation past the root guardian: stop the actor and report.
      cell.stopSelf();
      this.onEvent({
        type: 'actor-failed',
        actor: String(cell.self),
        error: errorInfo(e),
        directive: 'escalated to the root guardian: stopped',
      });
    });
    if (directive !== 'escalate') this.onEvent({ type: 'actor-failed', actor: String(cell.self), error: errorInfo(error), directive });
  }
}
