import type { TakenLedger } from '../../native-free-core/ledger/taken-ledger.js';

/**
 * This thread's ledger of taken messages (on workers; null elsewhere): the default mailbox keeps
 * a message's slot beside it, and the turn that handles it frees the slot (see TakenLedger).
 */
export const taken: { ledger: TakenLedger | null } = { ledger: null };
