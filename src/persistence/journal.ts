import type { BactorError } from '../errors/error-codes.js';

/** One event as a journal stores it: its sequence number (from 1, per persistence id) and its bytes. */
export interface StoredEvent {
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** Events of one persistence id to append: their seqs follow one another, the first right after the id's highest. */
export interface JournalWrite {
  readonly persistenceId: string;
  readonly events: readonly StoredEvent[];
}

/**
 * Many writes in the form actor threads send them (packed-writes.ts): write i is `counts[i]`
 * events of persistence id `ids[i]` from seq `firsts[i]`; all their payloads, in order, are
 * `body`, cut by `sizes`.
 */
export interface PackedWrites {
  readonly ids: readonly string[];
  readonly firsts: readonly number[];
  readonly counts: readonly number[];
  readonly sizes: readonly number[];
  readonly body: Uint8Array;
}

/** A snapshot of one persistence id's state, taken after event `seq`. */
export interface Snapshot {
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** How a streaming replay ended: the last seq it handed out (0: none), and what it dropped from the end. */
export interface ReplayEnd {
  readonly last: number;
  /** Records after the last good one, not handed out (a torn or corrupt record, and whatever follows it). */
  readonly dropped: number;
  /** Why they were dropped ('' when none were). */
  readonly reason: string;
}

/** What a replay read: the events in order, and what it dropped from the end because it could not read it. */
export interface Replay {
  readonly events: StoredEvent[];
  /** Records after the last good one, not returned (a torn or corrupt record, and whatever follows it). */
  readonly dropped: number;
  /** Why they were dropped ('' when none were). */
  readonly reason: string;
}

/**
 * Where event-sourced actors keep their events and snapshots: one documented interface, with
 * an in-memory journal (tests) and SQLite (the embedded default); PostgreSQL for several nodes.
 *
 * The contract, checked for every implementation by test/persistence/journal-contract:
 * - `write` appends the writes of many persistence ids in one commit (group commit). Each
 *   write is accepted or refused on its own: it is refused with `ERR_PERSISTENCE_CONFLICT` when
 *   its first seq is not the id's highest + 1 (another writer of that id got there first), and
 *   then nothing of it is stored; the others are. The promise resolves once what was accepted
 *   is durable, with one entry per write: null (stored) or the error.
 * - `replay` returns the events of an id from `fromSeq` to `toSeq` in order. A record whose
 *   checksum fails ends the replay there: the good records before it are returned, and what
 *   follows is reported as dropped, never returned.
 * - `deleteTo` removes the events up to a seq; the id's highest seq stays (no seq is reused).
 * - Snapshots: the latest one saved is loaded; a corrupt one is reported as absent.
 * A failure of the store itself (disk full, database down) rejects the promise with its cause.
 */
export interface Journal {
  write(writes: readonly JournalWrite[]): Promise<(BactorError | null)[]>;
  /**
   * Optional: `write` of the writes of `batches`, in order, as one commit, with one entry per
   * write — for a journal that takes them packed cheaper (the SQLite journal hands the bodies to
   * its thread without an object per event). The system uses it when present.
   */
  writePacked?(batches: readonly PackedWrites[]): Promise<(BactorError | null)[]>;
  /**
   * Optional: true when the journal applies its calls one after another in the order they were
   * made (the SQLite journal's thread), so the system may make the next `write` while one is
   * committing instead of waiting for it; the journal may then put several into one commit.
   */
  readonly ordered?: boolean;
  replay(persistenceId: string, fromSeq?: number, toSeq?: number): Promise<Replay>;
  /** The same, handing each event to `onEvent` as it is read (recovery: none is kept); an error thrown by `onEvent` ends it and rejects with that error. */
  replayEach(
    persistenceId: string,
    onEvent: (seq: number, payload: Uint8Array) => void,
    fromSeq?: number,
    toSeq?: number,
  ): Promise<ReplayEnd>;
  highestSeq(persistenceId: string): Promise<number>;
  deleteTo(persistenceId: string, toSeq: number): Promise<void>;
  saveSnapshot(persistenceId: string, snapshot: Snapshot): Promise<void>;
  loadSnapshot(persistenceId: string): Promise<Snapshot | null>;
  close(): Promise<void>;
  /** Optional: resolves once the journal can be used, rejects with why not; ActorSystem.start waits for it. */
  ready?(): Promise<void>;
}
