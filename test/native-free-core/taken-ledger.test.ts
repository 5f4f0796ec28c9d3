import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { QUEUED, RUNNING, SLOT_TABLE_OFFSET, SLOT_WORDS, STATE } from '../../native-free-core/layout/taken-ledger-layout.js';
import { TakenLedger, createLedgerBuffer } from '../../native-free-core/ledger/taken-ledger.js';
import { createRingBuffer } from '../../native-free-core/ring/ring-buffer.js';
import { RingConsumer } from '../../native-free-core/ring/ring-consumer.js';
import { RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { type LedgerStressConfig, payloadOf } from '../helpers/ledger-stress-worker.js';
import { testSeed } from '../helpers/prng.js';

const WORKER = new URL('../helpers/ledger-stress-worker.js', import.meta.url);
const numberOf = (payload: Uint8Array): number => new DataView(payload.buffer, payload.byteOffset).getInt32(0, true);

/** Takes every published record into `mailbox` ([n, slot] pairs) through `ledger`. */
function takeAll(ring: RingConsumer, ledger: TakenLedger, mailbox: number[]): void {
  ring.read({
    onRecord(_type, bytes, offset) {
      mailbox.push(new DataView(bytes.buffer).getInt32(offset, true), ledger.take(0, offset));
    },
  });
}

test('a replacement recovers what was taken and not handled, in order: queued ones to deliver, the running one apart; the rest of the ring after them', () => {
  const sab = createRingBuffer(4096);
  const producer = new RingProducer(sab);
  const buffer = createLedgerBuffer(64, 8192);
  const ring = new RingConsumer(sab);
  const ledger = new TakenLedger(buffer);
  ledger.attach([ring]);
  const mailbox: number[] = [];
  for (let n = 0; n < 10; n++) producer.tryWrite(1, payloadOf(n));
  producer.flush();
  takeAll(ring, ledger, mailbox);
  // 0 and 1 handled; 2's handler runs; 3..9 queued; the turn ends (3..9 and 2 spilled).
  ledger.run(mailbox[1]!);
  ledger.done(mailbox[1]!);
  ledger.run(mailbox[3]!);
  ledger.done(mailbox[3]!);
  ledger.run(mailbox[5]!);
  ledger.endTurn();
  // Next turn: 10..14 taken, still in the ring when the thread dies; 15..19 never read.
  for (let n = 10; n < 20; n++) producer.tryWrite(1, payloadOf(n));
  producer.flush();
  ring.read(
    {
      onRecord(_type, bytes, offset) {
        mailbox.push(new DataView(bytes.buffer).getInt32(offset, true), ledger.take(0, offset));
      },
    },
    5,
  );

  // The thread is gone: its replacement attaches the same buffers.
  const ring2 = new RingConsumer(sab);
  const ledger2 = new TakenLedger(buffer);
  const records = ledger2.recover([ring2]);
  assert.deepEqual(
    records.map((r) => [numberOf(r.payload), r.state]),
    [[2, RUNNING], ...[3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((n) => [n, QUEUED])],
  );
  for (const r of records) assert.deepEqual(r.payload, payloadOf(numberOf(r.payload)), 'whole, byte for byte');
  ledger2.attach([ring2]);
  const rest: number[] = [];
  takeAll(ring2, ledger2, rest);
  assert.deepEqual(
    rest.filter((_, i) => i % 2 === 0),
    [15, 16, 17, 18, 19],
    'the ring goes on after what was taken',
  );
  // What the first thread had read is released: the producer has the whole ring again but what is unread.
  ledger2.endTurn();
  assert.equal(ring2.pendingBytes(), 0);
});

test('the spill flips halves as the backlog moves on; a message with no room is taken unkept, never refused', () => {
  const sab = createRingBuffer(1 << 16);
  const producer = new RingProducer(sab);
  const ring = new RingConsumer(sab);
  const ledger = new TakenLedger(createLedgerBuffer(128, 2048));
  ledger.attach([ring]);
  const mailbox: number[] = [];
  let next = 0;
  for (let turn = 0; turn < 200; turn++) {
    for (let k = 0; k < 10; k++) producer.tryWrite(1, payloadOf(next++));
    producer.flush();
    takeAll(ring, ledger, mailbox);
    for (let k = 0; k < 9 && mailbox.length > 0; k++) {
      mailbox.shift();
      const slot = mailbox.shift()!;
      if (slot >= 0) ledger.done(slot);
    }
    ledger.endTurn();
  }
  assert.ok(ledger.unkept > 0, 'a backlog of 200 messages does not fit 2 KiB halves: some were taken unkept');
  const stateOf = (slot: number): number => ledger.i32[(SLOT_TABLE_OFFSET >> 2) + slot * SLOT_WORDS + STATE]!;
  const kept = mailbox.filter((_, i) => i % 2 === 0 && mailbox[i + 1]! >= 0 && stateOf(mailbox[i + 1]!) === QUEUED);
  assert.ok(kept.length > 0);
  const recovered = new TakenLedger(ledger.buffer).recover([new RingConsumer(sab)]);
  assert.deepEqual(
    recovered.map((r) => numberOf(r.payload)),
    kept,
    'every kept one, in order, whole',
  );
  for (const r of recovered) assert.deepEqual(r.payload, payloadOf(numberOf(r.payload)));
});

test(
  'stress with real threads: a consumer terminated anywhere loses nothing and repeats nothing of what it had taken',
  { timeout: 120_000 },
  async (t) => {
    const seed = testSeed();
    t.diagnostic(`seed=${seed} (replay with BACTOR_SEED=${seed})`);
    for (let round = 0; round < 8; round++) {
      const records = 200_000;
      const ring = createRingBuffer(1 << 16);
      const ledger = createLedgerBuffer(8192, 256 * 1024);
      const handled = new SharedArrayBuffer(records);
      const config = (role: LedgerStressConfig['role']): LedgerStressConfig => ({
        role,
        ring,
        ledger,
        handled,
        seed: seed + round,
        records,
      });
      const producer = new Worker(WORKER, { workerData: config('producer') });
      const consumer = new Worker(WORKER, { workerData: config('consumer') });
      const failed = new Promise<never>((_, reject) => consumer.once('error', reject));
      // Let it run a while, then cut it wherever it is.
      await Promise.race([new Promise((r) => setTimeout(r, 80 + ((seed + round * 7919) % 250))), failed]);
      await consumer.terminate();

      const done = new Uint8Array(handled);
      let h = 0;
      while (h < records && done[h] === 1) h++;
      for (let n = h; n < records; n++)
        assert.equal(done[n], 0, `round ${round}: handled in FIFO order (a prefix), ${n} after a gap at ${h}`);
      const ring2 = new RingConsumer(ring);
      const recovered = new TakenLedger(ledger).recover([ring2]);
      let expected = h;
      let readAfter = 0;
      const running = recovered.filter((r) => r.state === RUNNING).map((r) => numberOf(r.payload));
      assert.ok(running.length <= 1, `round ${round}: one handler at most was running: ${running}`);
      if (running.length === 1) {
        // Cut between its start and its end: handled or not, it is not delivered again.
        assert.ok(running[0] === h || running[0] === h - 1, `round ${round}: the running one is the next in line (${running[0]}, h=${h})`);
        expected = running[0]! + 1;
      }
      for (const r of recovered.filter((x) => x.state === QUEUED)) {
        assert.equal(numberOf(r.payload), expected, `round ${round}: recovered in order, none lost or twice`);
        assert.deepEqual(r.payload, payloadOf(expected));
        expected++;
      }
      // The rest of the stream, read here after the ring moved past what the dead consumer took.
      const deadline = Date.now() + 30_000;
      const handler = {
        onRecord(_type: number, bytes: Uint8Array, offset: number) {
          assert.equal(new DataView(bytes.buffer).getInt32(offset, true), expected, `round ${round}: the ring goes on in order`);
          expected++;
          readAfter++;
        },
      };
      while (expected < records && Date.now() < deadline) ring2.read(handler);
      assert.equal(expected, records, `round ${round}: every record accounted for`);
      await producer.terminate();
      t.diagnostic(`round ${round}: handled ${h}, recovered ${recovered.length} (${running.length} running), read after ${readAfter}`);
    }
  },
);
