import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { JournalWrite } from './journal.js';

/** The refusal of a write whose first seq is not right after the id's highest (another writer of the id). */
export function conflict(write: JournalWrite, highest: number): BactorError {
  const first = write.events[0]?.seq ?? highest + 1;
  return new BactorError(
    ErrorCode.PERSISTENCE_CONFLICT,
    `persistence id '${write.persistenceId}': events from seq ${first}, but the next is ${highest + 1} (its highest stored is ${highest}: is another writer of this id running?)`,
  );
}

/** Throws ERR_INVALID_ARGUMENT unless `writes` is an array of writes (each then checked by checkWrite). */
export function checkWrites(writes: unknown): void {
  if (!Array.isArray(writes))
    throw new BactorError(
      ErrorCode.INVALID_ARGUMENT,
      `journal.write takes an array of writes ({ persistenceId, events }), got ${typeof writes}`,
    );
  for (const w of writes) {
    if (w === null || typeof w !== 'object' || !Array.isArray((w as { events?: unknown }).events))
      throw new BactorError(ErrorCode.INVALID_ARGUMENT, 'journal.write: each write is { persistenceId, events: [{ seq, payload }] }');
    checkWrite(w as JournalWrite);
  }
}

/** Throws ERR_INVALID_ARGUMENT for a write whose seqs do not follow one another (a caller's mistake, not a conflict). */
export function checkWrite(write: JournalWrite): void {
  if (typeof write.persistenceId !== 'string' || write.persistenceId === '')
    throw new BactorError(ErrorCode.INVALID_ARGUMENT, `a journal write needs a persistence id, got ${String(write.persistenceId)}`);
  const events = write.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (!Number.isInteger(e.seq) || e.seq < 1 || (i > 0 && e.seq !== events[i - 1]!.seq + 1))
      throw new BactorError(
        ErrorCode.INVALID_ARGUMENT,
        `persistence id '${write.persistenceId}': seqs must run 1, 2, 3…; got ${e.seq} at ${i}`,
      );
    if (!(e.payload instanceof Uint8Array))
      throw new BactorError(ErrorCode.INVALID_ARGUMENT, `persistence id '${write.persistenceId}': event ${e.seq} is not bytes`);
  }
}

/** A call on a journal after `close`. */
export function journalClosed(): BactorError {
  return new BactorError(ErrorCode.JOURNAL_CLOSED, 'the journal is closed');
}
