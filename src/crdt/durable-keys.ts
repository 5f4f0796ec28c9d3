import { packPortable, unpackPortable } from '../codec/portable.js';
import type { Journal, JournalWrite } from '../persistence/journal.js';
import type { CrdtType } from './crdt-types.js';

/** Keys and their states, as a store recovers them. */
export type KeyStateMap = Map<string, { type: CrdtType; state: unknown }>;

/**
 * A durable store's keys in the system's journal. Persistence id `crdt.<store>.<key>` holds the
 * key's states as events, the last one current (older ones are deleted every 64 revisions);
 * `crdt.<store>` lists the keys, one event per key, in the order they appeared. Saves made during
 * one event-loop turn go in one journal write (one commit), and one write is in flight at a time,
 * so each id's seqs follow one another.
 */
export class DurableKeys {
  /** Per key, the seq of its last stored state (0: none). */
  private readonly seqs = new Map<string, number>();
  private indexSeq = 0;
  /** What waits for the next write: key → [type, state] (a later save of a key replaces an earlier). */
  private pending = new Map<string, [CrdtType, unknown]>();
  private waiters: (() => void)[] = [];
  private failers: ((error: unknown) => void)[] = [];
  private writing = false;

  constructor(
    private readonly journal: Journal,
    private readonly store: string,
  ) {}

  private idOf(key: string): string {
    return `crdt.${this.store}.${key}`;
  }

  /** Reads every key's last state (before the store takes messages). */
  async recover(): Promise<KeyStateMap> {
    const out: KeyStateMap = new Map();
    const index = await this.journal.replay(`crdt.${this.store}`);
    this.indexSeq = index.events.length === 0 ? 0 : index.events[index.events.length - 1]!.seq;
    for (const event of index.events) {
      const key = unpackPortable(event.payload) as string;
      const id = this.idOf(key);
      const high = await this.journal.highestSeq(id);
      if (high === 0) continue;
      const last = await this.journal.replay(id, high, high);
      this.seqs.set(key, high);
      const stored = last.events[0];
      if (stored !== undefined) {
        const [type, state] = unpackPortable(stored.payload) as [CrdtType, unknown];
        out.set(key, { type, state });
      }
    }
    return out;
  }

  /** Stores a key's state; resolves once durable (rejects with the journal's error). */
  save(key: string, type: CrdtType, state: unknown): Promise<void> {
    this.pending.set(key, [type, state]);
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.push(resolve);
      this.failers.push(reject);
    });
    if (!this.writing) {
      this.writing = true;
      setImmediate(() => void this.flush());
    }
    return done;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    const waiters = this.waiters;
    const failers = this.failers;
    this.pending = new Map();
    this.waiters = [];
    this.failers = [];
    const writes: JournalWrite[] = [];
    const keys: string[] = [];
    const newKeys: string[] = [];
    const trims: [string, number][] = [];
    for (const [key, [type, state]] of batch) {
      const seq = (this.seqs.get(key) ?? 0) + 1;
      if (seq === 1) newKeys.push(key);
      keys.push(key);
      writes.push({ persistenceId: this.idOf(key), events: [{ seq, payload: packPortable([type, state]) }] });
      if (seq % 64 === 0) trims.push([this.idOf(key), seq - 1]);
    }
    if (newKeys.length > 0)
      writes.push({
        persistenceId: `crdt.${this.store}`,
        events: newKeys.map((key, i) => ({ seq: this.indexSeq + 1 + i, payload: packPortable(key) })),
      });
    try {
      const results = await this.journal.write(writes);
      // Each write is accepted or refused on its own: the seqs follow what was stored.
      keys.forEach((key, i) => results[i] === null && this.seqs.set(key, (this.seqs.get(key) ?? 0) + 1));
      if (newKeys.length > 0 && results[keys.length] === null) this.indexSeq += newKeys.length;
      const failed = results.find((r) => r !== null);
      if (failed) throw failed;
      for (const resolve of waiters) resolve();
      for (const [id, to] of trims) await this.journal.deleteTo(id, to).catch(() => undefined);
    } catch (error) {
      for (const reject of failers) reject(error);
    }
    if (this.pending.size > 0) setImmediate(() => void this.flush());
    else this.writing = false;
  }
}
