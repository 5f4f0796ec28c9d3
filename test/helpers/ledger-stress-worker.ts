/**
 * The two threads of the ledger stress test (test/native-free-core/taken-ledger.test.ts): a
 * producer writing numbered records into a ring, and a consumer that takes them into a FIFO
 * "mailbox" kept in a TakenLedger, handles them a few at a time (marking each in a shared
 * bitmap), ends its turns (spilling what is still queued, releasing the ring) — until the test
 * terminates it wherever it stands.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { TakenLedger } from '../../native-free-core/ledger/taken-ledger.js';
import { RingConsumer } from '../../native-free-core/ring/ring-consumer.js';
import { RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { Prng } from './prng.js';

export interface LedgerStressConfig {
  role: 'producer' | 'consumer';
  ring: SharedArrayBuffer;
  ledger: SharedArrayBuffer;
  /** One byte per record: 1 once the consumer handled it. */
  handled: SharedArrayBuffer;
  seed: number;
  records: number;
}

/** Record n's payload: its number, then n-derived bytes (0 to 200 of them). */
export function payloadOf(n: number): Uint8Array {
  const size = 8 + ((n * 37) % 201);
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setInt32(0, n, true);
  for (let i = 8; i < size; i++) bytes[i] = (n * 131 + i * 7) & 0xff;
  return bytes;
}

const cfg = workerData as LedgerStressConfig;

if (isMainThread) {
  // imported by the test for payloadOf
} else if (cfg.role === 'producer') {
  const ring = new RingProducer(cfg.ring);
  for (let n = 0; n < cfg.records; n++) {
    const payload = payloadOf(n);
    while (!ring.tryWrite(1, payload)) ring.flush();
    if ((n & 15) === 0) ring.flush();
  }
  ring.flush();
} else {
  const ring = new RingConsumer(cfg.ring);
  const ledger = new TakenLedger(cfg.ledger);
  ledger.attach([ring]);
  const handled = new Uint8Array(cfg.handled);
  const prng = new Prng(cfg.seed);
  const mailbox: number[] = []; // [n, slot] pairs
  const handler = {
    onRecord(_type: number, bytes: Uint8Array, offset: number, length: number): void {
      const n = new DataView(bytes.buffer, bytes.byteOffset).getInt32(offset, true);
      if (length !== payloadOf(n).length) throw new Error(`record ${n} has ${length} bytes`);
      const slot = ledger.take(0, offset);
      if (slot < 0) throw new Error(`record ${n} could not be kept`);
      ring.commitRead();
      mailbox.push(n, slot);
    },
  };
  for (let turn = 0; ; turn++) {
    if (ledger.unkept > 0) throw new Error(`${ledger.unkept} taken unkept: the test's backlog must fit the spill`);
    if (mailbox.length < 600) ring.read(handler, 1 + prng.int(300));
    // Handle fewer than were read, on average: a backlog builds and is spilled, flip after flip.
    for (let k = prng.int(10); k > 0 && mailbox.length > 0; k--) {
      const n = mailbox.shift()!;
      const slot = mailbox.shift()!;
      ledger.run(slot);
      handled[n] = 1;
      ledger.done(slot);
    }
    ledger.endTurn();
  }
}
