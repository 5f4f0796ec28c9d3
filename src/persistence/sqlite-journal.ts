import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { errorFromInfo } from '../errors/error-info.js';
import type { Journal, JournalWrite, PackedWrites, Replay, ReplayEnd, Snapshot } from './journal.js';
import { collectReplay } from './collect-replay.js';
import { packWrites } from './packed-writes.js';
import { SqliteStore, loadDriver } from './sqlite-store.js';
import type { ThreadCall, ThreadReply } from './sqlite-thread-protocol.js';
import { checkBag } from '../util/option-bag.js';
import { checkWrites, journalClosed } from './write-checks.js';

export interface SqliteJournalOptions {
  /** The database file, created if absent (':memory:' for a database that lives as long as the journal). */
  path: string;
  /**
   * 'full' (default): a write resolves once its commit is on disk. 'normal': it survives a crash
   * of the process, not of the machine (SQLite's WAL mode with synchronous=NORMAL), and is faster.
   */
  synchronous?: 'full' | 'normal';
  /**
   * true (default): the database lives on a thread of its own, so a commit blocks neither the
   * main thread nor an actor's. false: on the thread that calls the journal (better-sqlite3 is
   * synchronous: each call blocks it while it runs).
   */
  thread?: boolean;
}

interface Call {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onPart?: (first: number, sizes: number[], body: Uint8Array) => void;
}

/**
 * The embedded journal: SQLite through `better-sqlite3` (an optional peer dependency: without
 * it the constructor throws ERR_MISSING_PEER_DEPENDENCY), in WAL mode, group commit (each
 * `write` one transaction), a CRC-32 per record, conflicts between two writers of one id caught
 * (see sqlite-store.ts). By default the database runs on a thread of its own.
 */
export class SqliteJournal implements Journal {
  /** On its thread, calls run in the order they are made (the thread also puts writes queued behind a commit into the next one). */
  readonly ordered: boolean;
  private readonly inline: SqliteStore | null = null;
  private readonly worker: Worker | null = null;
  private readonly opened: Promise<void> = Promise.resolve();
  private readonly calls = new Map<number, Call>();
  private next = 1;
  private closed = false;
  /** Why the thread ended, when it did without a close. */
  private died: Error | null = null;

  constructor(options: SqliteJournalOptions) {
    if (typeof options === 'string')
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `SqliteJournal takes options: new SqliteJournal({ path: ${JSON.stringify(options)} })`,
      );
    checkBag(options, ['path', 'synchronous', 'thread'], 'SqliteJournal');
    if (options === null || typeof options !== 'object' || typeof options.path !== 'string' || options.path === '')
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `SqliteJournal: path must be a file name or ':memory:', got ${JSON.stringify((options as { path?: unknown } | null)?.path)}`,
      );
    const synchronous = options.synchronous ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal')
      throw new BactorError(
        ErrorCode.INVALID_OPTION,
        `SqliteJournal: synchronous must be 'full' or 'normal', got ${JSON.stringify(synchronous)}`,
      );
    if (options.thread !== undefined && typeof options.thread !== 'boolean')
      throw new BactorError(ErrorCode.INVALID_OPTION, `SqliteJournal: thread must be true or false, got ${JSON.stringify(options.thread)}`);
    // The driver is looked for here, on the caller's thread: a missing package is said at once; so is a missing directory.
    loadDriver();
    if (options.path !== ':memory:' && !options.path.startsWith('file:') && !existsSync(dirname(resolve(options.path))))
      throw new BactorError(
        ErrorCode.JOURNAL_FAILED,
        `SqliteJournal: cannot open ${options.path}: its directory ${dirname(resolve(options.path))} does not exist`,
        { cause: new Error(`ENOENT: ${dirname(resolve(options.path))}`) },
      );
    this.ordered = options.thread !== false;
    if (options.thread === false) {
      this.inline = new SqliteStore({ path: options.path, synchronous });
      return;
    }
    const worker = new Worker(new URL('./sqlite-thread.js', import.meta.url), { workerData: { path: options.path, synchronous } });
    this.worker = worker;
    worker.unref();
    this.opened = new Promise<void>((resolve, reject) => this.calls.set(0, { resolve: () => resolve(), reject }));
    // A failed open is said by the first call (a constructor cannot reject).
    this.opened.catch(() => undefined);
    worker.on('message', (reply: ThreadReply) => this.onReply(reply));
    worker.on('error', (error) => this.end(error));
    worker.on('exit', (code) => this.end(new Error(`the SQLite journal's thread exited (code ${code})`)));
  }

  /** Resolves once the database is open (ActorSystem.start waits for it); rejects with ERR_JOURNAL_FAILED and the cause if it cannot be. */
  async ready(): Promise<void> {
    if (this.closed) throw journalClosed();
    await this.opened;
  }

  private onReply(reply: ThreadReply): void {
    const call = this.calls.get(reply.id);
    if (call === undefined) return;
    if ('part' in reply) {
      call.onPart?.(reply.part.first, reply.part.sizes, reply.part.body);
      return;
    }
    this.calls.delete(reply.id);
    if (this.calls.size === 0) this.worker?.unref();
    if ('error' in reply) call.reject(errorFromInfo(reply.error));
    else call.resolve(reply.value);
  }

  /** The thread is gone: every call waiting fails with ERR_JOURNAL_FAILED (after a close, quietly). */
  private end(cause: Error): void {
    if (this.died !== null) return;
    this.died = new BactorError(ErrorCode.JOURNAL_FAILED, `the SQLite journal's thread ended: ${cause.message}`, { cause });
    for (const call of this.calls.values()) call.reject(this.closed ? journalClosed() : this.died);
    this.calls.clear();
  }

  /** Runs `request` on the thread (or `inline` on this one). */
  private async call<T>(
    request: ThreadCall,
    inline: (store: SqliteStore) => T,
    onPart?: Call['onPart'],
    transfer?: ArrayBuffer[],
  ): Promise<T> {
    if (this.closed) throw journalClosed();
    if (this.inline !== null) return inline(this.inline);
    await this.opened;
    if (this.died !== null) throw this.died;
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject, onPart });
      if (this.calls.size === 1) this.worker!.ref();
      this.worker!.postMessage({ ...request, id }, transfer ?? []);
    });
  }

  async write(writes: readonly JournalWrite[]): Promise<(BactorError | null)[]> {
    if (this.closed) throw journalClosed();
    checkWrites(writes);
    if (this.inline !== null) return this.inline.write(writes);
    return this.writePacked([packWrites(writes)]);
  }

  async writePacked(batches: readonly PackedWrites[]): Promise<(BactorError | null)[]> {
    const results = await this.call<({ name: string; code?: string; message: string } | null)[]>(
      { k: 'write', batches: [...batches] },
      (store) => store.writePacked(batches),
    );
    return results.map((e) => (e === null ? null : (errorFromInfo(e) as BactorError)));
  }

  replay(persistenceId: string, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): Promise<Replay> {
    return collectReplay(this, persistenceId, fromSeq, toSeq);
  }

  async replayEach(
    persistenceId: string,
    onEvent: (seq: number, payload: Uint8Array) => void,
    fromSeq = 1,
    toSeq = Number.MAX_SAFE_INTEGER,
  ): Promise<ReplayEnd> {
    // An error thrown by onEvent ends the replay: the rest of the parts are ignored, and the end rejects with it.
    let thrown: { error: unknown } | null = null;
    const end = await this.call<ReplayEnd>(
      { k: 'replay', persistenceId, fromSeq, toSeq },
      (store) => store.replayEach(persistenceId, onEvent, fromSeq, toSeq),
      (first, sizes, body) => {
        if (thrown !== null) return;
        let at = 0;
        try {
          for (let i = 0; i < sizes.length; i++) {
            onEvent(first + i, body.subarray(at, at + sizes[i]!));
            at += sizes[i]!;
          }
        } catch (error) {
          thrown = { error };
        }
      },
    );
    if (thrown !== null) throw (thrown as { error: unknown }).error;
    return end;
  }

  highestSeq(persistenceId: string): Promise<number> {
    return this.call({ k: 'highestSeq', persistenceId }, (store) => store.highestSeq(persistenceId));
  }

  async deleteTo(persistenceId: string, toSeq: number): Promise<void> {
    await this.call({ k: 'deleteTo', persistenceId, toSeq }, (store) => store.deleteTo(persistenceId, toSeq));
  }

  async saveSnapshot(persistenceId: string, snapshot: Snapshot): Promise<void> {
    await this.call({ k: 'saveSnapshot', persistenceId, snapshot }, (store) => store.saveSnapshot(persistenceId, snapshot));
  }

  loadSnapshot(persistenceId: string): Promise<Snapshot | null> {
    return this.call({ k: 'loadSnapshot', persistenceId }, (store) => store.loadSnapshot(persistenceId));
  }

  /** Closes the database (after the calls already made); later calls fail with ERR_JOURNAL_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.inline !== null) {
      this.closed = true;
      this.inline.close();
      return;
    }
    const closing = this.call({ k: 'close' }, () => undefined).catch(() => undefined);
    this.closed = true;
    await closing;
    await this.worker!.terminate();
  }
}
