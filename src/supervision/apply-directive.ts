import type { CellHost } from '../actor/cell-host.js';
import type { CellLifecycle } from '../actor/cell-lifecycle.js';
import { type Directive, type SupervisorStrategy, backoffDelay } from './supervisor-strategy.js';

/** A restart without backoff: now, in the supervisor's turn. */
const RESTART_NOW = -1;

/**
 * Applies a supervisor's decision to `targets` (the failed child, or all children for
 * all-for-one). `escalate` fails the supervisor itself with the same error. Returns what was
 * done: the directive, or why a restart became a stop.
 */
export function applyDirective(
  host: Pick<CellHost, 'timers' | 'random' | 'reportFailure'>,
  strategy: SupervisorStrategy,
  failed: CellLifecycle,
  error: unknown,
  targets: CellLifecycle[],
  escalate: (error: unknown) => void,
): string {
  let directive: Directive;
  try {
    directive = strategy.decider(error);
  } catch {
    directive = 'escalate';
  }
  if (directive === 'escalate') {
    escalate(error);
    return directive;
  }
  let done: string = directive;
  if (directive === 'restart') {
    const window = failed.restartWindow();
    if (!window.allow(strategy, host.timers.clock.now())) {
      directive = 'stop';
      done = `stopped: more than ${strategy.maxRestarts} restarts within ${strategy.withinMs} ms`;
      // A child's supervisor is an actor: nobody would hear of it otherwise (the root guardian reports its own).
      if (failed.parentCell !== null) host.reportFailure(failed.self, error, done);
    } else {
      const delay = strategy.backoff ? backoffDelay(strategy.backoff, window.consecutive - 1, host.random()) : RESTART_NOW;
      for (const cell of targets) {
        if (delay === RESTART_NOW) cell.restart(error);
        else {
          if (cell !== failed) cell.suspend(); // siblings wait for the delayed restart too
          host.timers.schedule(delay, () => cell.restart(error));
        }
      }
      return directive;
    }
  }
  for (const cell of targets) {
    if (directive === 'resume') cell.resume();
    else cell.stopSelf();
  }
  return done;
}
