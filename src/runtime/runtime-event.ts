/** Something the runtime reports: dead letters and failures that reached the root guardian. */
export type RuntimeEvent =
  | { type: 'dead-letter'; target: string; reason: string; messageType: string; sender: string | null }
  | { type: 'actor-failed'; actor: string; error: { name: string; code?: string; message: string; stack?: string }; directive: string }
  /**
   * The watchdog saw a handler run past its limit. `action`: 'reported' (no restart policy),
   * 'interrupting' (restart policy: the handler will be interrupted in place, a
   * 'handler-interrupted' event follows), 'worker-replaced' (it could not be interrupted).
   */
  | {
      type: 'handler-stuck';
      actor: string;
      worker: number;
      ms: number;
      messageType: string;
      action: 'reported' | 'interrupting' | 'worker-replaced';
    }
  /** A stuck handler was interrupted; its actor failed with ERR_HANDLER_STUCK and is supervised. The worker's other actors carry on. */
  | { type: 'handler-interrupted'; actor: string; worker: number; messageType: string }
  | { type: 'actor-moved'; actor: string; to: string; reason: string }
  /**
   * Remote: the node of `incarnation` at `address` is lost for good — unreachable for
   * `remote.lostAfterMs`, or restarted as a new incarnation. Its watchers here got `terminated`.
   */
  | { type: 'node-lost'; address: string; incarnation: number; reason: string }
  /**
   * A replacement worker delivered what the worker before it had taken off its rings and not
   * handled (`redelivered`); `deadLettered` of them were dead letters (the one whose handler was
   * running, and any it could no longer read).
   */
  | { type: 'worker-recovered'; worker: number; redelivered: number; deadLettered: number }
  /** A recovery met records it could not read (a torn or corrupt last record): it stopped before them; `dropped` were left out. */
  | { type: 'journal-dropped'; actor: string; persistenceId: string; dropped: number; reason: string }
  /** A snapshot could not be saved (the state does not pack, or the journal failed); the actor goes on, its events are kept. */
  | { type: 'snapshot-failed'; actor: string; persistenceId: string; seq: number; error: import('../errors/error-info.js').ErrorInfo }
  /** Remote: something the gateway dropped that is not one message (`what`, with `detail`). */
  | { type: 'remote-error'; what: string; detail: string }
  /**
   * A `monitoring.alerts` rule fired (its condition held for its `forMs` since `since`) or
   * resolved; `value` is the metric at that evaluation, `at` its epoch ms (see observability/alerts.ts).
   */
  | {
      type: 'alert';
      name: string;
      state: 'firing' | 'resolved';
      metric: string;
      kind: string | null;
      value: number;
      threshold: number;
      since: number;
      at: number;
    }
  /**
   * `system.traceActor`: a message the traced actor's handler took (`in`, `peer` its sender) or
   * sent while it ran (`out`, `peer` its target), with a preview of the message (JSON, ≤ 200
   * characters); `last` on the tap's final entry.
   */
  | {
      type: 'actor-trace';
      tap: number;
      actor: string;
      /** 'stopped': the actor stopped or left the thread (the trace's last event, not an entry). */
      direction: 'in' | 'out' | 'stopped';
      peer: string | null;
      messageType: string;
      message: string;
      at: number;
      last: boolean;
    }
  /** The `monitoring.webhook` call of an alert failed (it is not retried). */
  | { type: 'alert-webhook-failed'; name: string; state: 'firing' | 'resolved'; error: import('../errors/error-info.js').ErrorInfo };
