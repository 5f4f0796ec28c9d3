import type { JournalWrite, PackedWrites, StoredEvent } from './journal.js';

/** The writes of `batches` as JournalWrite objects (their payloads views of the bodies, not copies). */
export function unpackWrites(batches: readonly PackedWrites[]): JournalWrite[] {
  const writes: JournalWrite[] = [];
  for (const { ids, firsts, counts, sizes, body } of batches) {
    let event = 0;
    let at = 0;
    for (let w = 0; w < ids.length; w++) {
      const events: StoredEvent[] = new Array(counts[w]!);
      for (let i = 0; i < events.length; i++, event++) {
        const size = sizes[event]!;
        events[i] = { seq: firsts[w]! + i, payload: body.subarray(at, at + size) };
        at += size;
      }
      writes.push({ persistenceId: ids[w]!, events });
    }
  }
  return writes;
}

/** `writes` packed (one body with every payload, copied once). */
export function packWrites(writes: readonly JournalWrite[]): PackedWrites {
  const ids: string[] = [];
  const firsts: number[] = [];
  const counts: number[] = [];
  const sizes: number[] = [];
  let length = 0;
  for (const w of writes) for (const e of w.events) length += e.payload.length;
  const body = new Uint8Array(length);
  let at = 0;
  for (const w of writes) {
    ids.push(w.persistenceId);
    firsts.push(w.events[0]?.seq ?? 0);
    counts.push(w.events.length);
    for (const e of w.events) {
      body.set(e.payload, at);
      at += e.payload.length;
      sizes.push(e.payload.length);
    }
  }
  return { ids, firsts, counts, sizes, body };
}
