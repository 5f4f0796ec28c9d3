/**
 * The thread of a SqliteJournal (see sqlite-journal.ts): it owns the database and answers the
 * journal's requests in order, so a commit never blocks the main thread or an actor's thread.
 * A replay streams its events in parts (a body cut by sizes) ahead of its end.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
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

/**
 * Group commit across requests: the writes waiting on the port when one arrives (sent while the
 * last commit ran) go into the same transaction; each gets its own answer. A request of another
 * kind that was waiting behind them runs after that commit, in its turn.
 */
function writeQueued(first: Extract<ThreadRequest, { k: 'write' }>): ThreadRequest | null {
  const requests = [first];
  let after: ThreadRequest | null = null;
  for (;;) {
    const queued = receiveMessageOnPort(port) as { message: ThreadRequest } | undefined;
    if (queued === undefined) break;
    if (queued.message.k !== 'write') {
      after = queued.message;
      break;
    }
    requests.push(queued.message);
  }
  const batches = requests.length === 1 ? first.batches : requests.flatMap((r) => r.batches);
  let results: ReturnType<SqliteStore['write']>;
  try {
    results = store!.write(unpackWrites(batches));
  } catch (error) {
    const info = errorInfo(error);
    for (const r of requests) port.postMessage({ id: r.id, error: info } satisfies ThreadReply);
    return after;
  }
  let at = 0;
  for (const r of requests) {
    let n = 0;
    for (const b of r.batches) n += b.ids.length;
    const mine = results.slice(at, at + n).map((e) => (e === null ? null : errorInfo(e)));
    at += n;
    port.postMessage({ id: r.id, value: mine } satisfies ThreadReply);
  }
  return after;
}

port.on('message', (request: ThreadRequest) => {
  let next: ThreadRequest | null = request;
  while (next !== null) next = serve(next);
});

/** Serves one request; a write may have taken the requests queued behind it, and returns the first it did not serve. */
function serve(request: ThreadRequest): ThreadRequest | null {
  const db = store!;
  switch (request.k) {
    case 'write':
      return writeQueued(request);
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
      return null;
    case 'highestSeq':
      answer(request.id, () => db.highestSeq(request.persistenceId));
      return null;
    case 'deleteTo':
      answer(request.id, () => db.deleteTo(request.persistenceId, request.toSeq));
      return null;
    case 'saveSnapshot':
      answer(request.id, () => db.saveSnapshot(request.persistenceId, request.snapshot));
      return null;
    case 'loadSnapshot':
      answer(request.id, () => db.loadSnapshot(request.persistenceId));
      return null;
    case 'close':
      answer(request.id, () => db.close());
      port.close();
      return null;
  }
}
