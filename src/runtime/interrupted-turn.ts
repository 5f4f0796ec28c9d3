import { CURRENT } from '../../native-free-core/layout/stats-layout.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { taken } from '../mailbox/taken-slot.js';
import { describeMessageType } from '../util/message-type.js';
import type { Runtime } from './runtime.js';

/** What a cut turn was on: the actor and its message's type. */
export interface InterruptedTurn {
  actor: string;
  messageType: string;
}

/**
 * The watchdog's guard stopped the thread's loop inside a handler (host-loop.ts): the turn that
 * ran is gone without its `finally`. Clears what the end of the turn would have (the running
 * actor, the send budget, a ring write cut between claim and commit), fails the actor whose turn
 * it was with ERR_HANDLER_STUCK (its supervisor decides: restart by default; its mailbox is
 * kept), and returns what it was on (null: no turn ran).
 */
export function failInterruptedTurn(runtime: Runtime): InterruptedTurn | null {
  const cell = runtime.runs.current;
  runtime.runs.current = null;
  runtime.stats[CURRENT] = 0;
  runtime.resetSendBudget();
  runtime.endpoint?.abandonWrites();
  // The cut handler's message counts as handled (its actor fails for it): its ledger slot is free.
  const ledger = taken.ledger;
  if (ledger !== null && ledger.running >= 0) ledger.done(ledger.running);
  if (cell === null) return null;
  // Its turn never reached its end: a turn that had sent its limit would leave the actor held.
  cell.turnInterrupted();
  const messageType = describeMessageType(cell.message);
  cell.fail(
    new BactorError(
      ErrorCode.HANDLER_STUCK,
      `${cell.self} was interrupted: its handler ran past the watchdog's limit on a '${messageType}' message`,
    ),
  );
  return { actor: String(cell.self), messageType };
}
