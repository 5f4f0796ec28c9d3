import type { Runtime } from './runtime.js';

/** Sends outside actor turns between two reads of the rings: the send budget outside turns. */
export const OUTSIDE_POLL_SENDS = 256;

/**
 * `Runtime.tell` counted its send budget down to 0. In an actor's turn, the turn sent its limit:
 * it ends after the message being handled (see ActorCell.run). Outside turns, code (the main
 * thread's, a timer's) that sends in a loop without yielding to the event loop (awaiting only
 * microtasks: `await ref.send()`) would never let this thread read its rings, so it would not
 * hear of a congestion (per-actor flow control) nor of a grant: every OUTSIDE_POLL_SENDS sends (and
 * when asked whether a target is backpressured: Runtime.isBackpressured) it
 * publishes what it sent so far (the consumer starts on a long burst while the rest is encoded)
 * and reads them (re-entrant calls read nothing). A loop that never awaits at all is meanwhile
 * bounded by the ring and `overflowLimit`.
 */
export function sendBudgetSpent(runtime: Runtime): void {
  const current = runtime.runs.current;
  if (current !== null) current.yieldTurn();
  else {
    runtime.sendBudget = OUTSIDE_POLL_SENDS;
    runtime.outbound.flush();
    runtime.endpoint?.drain(runtime, OUTSIDE_POLL_SENDS);
  }
}
