/**
 * The thread of a SqliteJournal (see sqlite-journal.ts): it owns the database and answers the
 * journal's requests in order, so a commit never blocks the main thread or an actor's thread.
 * A replay streams its events in parts (a body cut by sizes) ahead of its end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorInfo } from '../errors/error-info.js';
import { unpackWrites } from './packed-writes.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { ThreadRequest, ThreadReply } from './sqlite-thread-protocol.js';

const PART_EVENTS = 4096;
const PART_BYTES = 256 * 1024;

const port = parentPort!;
let store: SqliteStore | null = null;
try {
  store = new SqliteStore(workerData as SqliteStoreOptions);
  port.postMessage({ id: 0, value: null } satisfies ThreadReply);
} catch (error) {
  port.postMessage({ id: 0, error: errorInfo(error) } satisfies ThreadReply);
  port.close(); // nothing to serve: the thread ends
}

function answer(id: number, run: () => unknown): void {
  try {
    port.postMessage({ id, value: run() ?? null } satisfies ThreadReply);
  } catch (error) {
    port.postMessage({ id, error: errorInfo(error) } satisfies ThreadReply);
  }
}

port.on('message', (request: ThreadRequest) => {
  const db = store!;
  switch (request.k) {
    case 'write':
      answer(request.id, () => db.write(unpackWrites(request.batches)).map((e) => (e === null ? null : errorInfo(e))));
      return;
    case 'replay':
      answer(request.id, () => {
        let first = 0;
        let payloads: Uint8Array[] = [];
        let bytes = 0;
        const send = (): void => {
          const sizes = payloads.map((p) => p.length);
          const body = new Uint8Array(bytes);
          let at = 0;
          for (const p of payloads) {
            body.set(p, at);
            at += p.length;
          }
          port.postMessage({ id: request.id, part: { first, sizes, body } } satisfies ThreadReply, [body.buffer]);
          payloads = [];
          bytes = 0;
        };
        const end = db.replayEach(
          request.persistenceId,
          (seq, payload) => {
            if (payloads.length === 0) first = seq;
            payloads.push(payload);
            bytes += payload.length;
            if (payloads.length >= PART_EVENTS || bytes >= PART_BYTES) send();
          },
          request.fromSeq,
          request.toSeq,
        );
        if (payloads.length > 0) send();
        return end;
      });
      return;
    case 'highestSeq':
      answer(request.id, () => db.highestSeq(request.persistenceId));
      return;
    case 'deleteTo':
      answer(request.id, () => db.deleteTo(request.persistenceId, request.toSeq));
      return;
    case 'saveSnapshot':
      answer(request.id, () => db.saveSnapshot(request.persistenceId, request.snapshot));
      return;
    case 'loadSnapshot':
      answer(request.id, () => db.loadSnapshot(request.persistenceId));
      return;
    case 'close':
      answer(request.id, () => db.close());
      port.close();
      return;
  }
});
