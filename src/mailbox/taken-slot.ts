import type { TakenLedger } from '../../native-free-core/ledger/taken-ledger.js';

/**
 * This thread's ledger of taken messages (on workers; null elsewhere; see TakenLedger), and the
 * slot of the record being delivered now (-1: none): the mailbox deque that takes the message
 * keeps the slot beside it (deque.ts), and the turn that handles it frees it (cell-turns.ts).
 */
export const taken: { ledger: TakenLedger | null; slot: number } = { ledger: null, slot: -1 };
