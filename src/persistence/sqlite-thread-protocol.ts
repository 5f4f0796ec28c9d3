import type { ErrorInfo } from '../errors/error-info.js';
import type { PackedWrites, Snapshot } from './journal.js';

/** What a SqliteJournal asks its thread (sqlite-thread.ts); `id` numbers the request. */
export type ThreadRequest =
  | { k: 'write'; id: number; batches: PackedWrites[] }
  | { k: 'replay'; id: number; persistenceId: string; fromSeq: number; toSeq: number }
  | { k: 'highestSeq'; id: number; persistenceId: string }
  | { k: 'deleteTo'; id: number; persistenceId: string; toSeq: number }
  | { k: 'saveSnapshot'; id: number; persistenceId: string; snapshot: Snapshot }
  | { k: 'loadSnapshot'; id: number; persistenceId: string }
  | { k: 'close'; id: number };

/** The answer to request `id` (id 0: the database opened, or why not); a replay sends `part`s before it. */
export type ThreadReply =
  | { id: number; value: unknown }
  | { id: number; error: ErrorInfo }
  | { id: number; part: { first: number; sizes: number[]; body: Uint8Array } };

/** A request before it is numbered. */
export type ThreadCall = ThreadRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
