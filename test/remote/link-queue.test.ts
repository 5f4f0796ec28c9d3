import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BATCH_BYTES, CHUNK_BYTES, LinkQueue } from '../../src/remote/link-queue.js';
import type { Envelope } from '../../src/remote/wire.js';

/** An envelope of sender `from` (0: none) for `target`, numbered `n` in its first body byte pair. */
function envelope(from: number, target: number, n: number, size: number): Envelope {
  const body = new Uint8Array(Math.max(size, 4));
  new DataView(body.buffer).setUint32(0, n);
  body.fill(n & 255, 4);
  return { target, target_incarnation: 7, sender: from === 0 ? null : { incarnation: 9, id: from, kind: 'K' }, body };
}

/** What a receiving gateway does with the batches: assembles pieces (one message at a time), in arrival order. */
function receive(batches: Envelope[][]): Envelope[] {
  const out: Envelope[] = [];
  let pieces: { size: number; target: number; parts: Uint8Array[]; have: number } | null = null;
  for (const batch of batches) {
    for (const e of batch) {
      if (!e.chunked_size) {
        out.push(e);
        continue;
      }
      assert.ok(e.body.length <= CHUNK_BYTES);
      if (pieces === null) pieces = { size: e.chunked_size, target: e.target, parts: [], have: 0 };
      assert.equal(pieces.size, e.chunked_size, 'one large message in pieces at a time');
      assert.equal(pieces.target, e.target);
      pieces.parts.push(e.body);
      pieces.have += e.body.length;
      if (pieces.have === pieces.size) {
        const body = new Uint8Array(pieces.size);
        let at = 0;
        for (const p of pieces.parts) body.set(p, (at += p.length) - p.length);
        out.push({ ...e, body, chunked_size: 0 });
        pieces = null;
      }
    }
  }
  assert.equal(pieces, null, 'no message left in pieces');
  return out;
}

function drain(queue: LinkQueue): Envelope[][] {
  const batches: Envelope[][] = [];
  for (let b = queue.nextBatch(); b !== null; b = queue.nextBatch()) {
    assert.ok(b.length > 0);
    batches.push(b);
  }
  assert.ok(queue.empty);
  assert.equal(queue.byteLength, 0);
  return batches;
}

const pairKey = (e: Envelope): string => `${e.sender?.id ?? 0}>${e.target}`;
const numberOf = (e: Envelope): number => new DataView(e.body.buffer, e.body.byteOffset).getUint32(0);

test('small messages only: one batch per BATCH_BYTES, in order', () => {
  const queue = new LinkQueue();
  for (let n = 0; n < 3000; n++) queue.push(envelope(1, 2, n, 1000));
  const batches = drain(queue);
  assert.equal(batches.length, Math.ceil((3000 * 1000) / BATCH_BYTES));
  assert.deepEqual(
    batches.flat().map(numberOf),
    Array.from({ length: 3000 }, (_, n) => n),
  );
});

test("a large message goes in pieces; other pairs' messages pass it, its own pair's wait behind it", () => {
  const queue = new LinkQueue();
  queue.push(envelope(1, 10, 0, 5 * CHUNK_BYTES + 17)); // 6 pieces
  queue.push(envelope(2, 20, 1, 100)); // another pair: goes with the first piece
  queue.push(envelope(1, 10, 2, 100)); // the large one's pair: after its last piece
  queue.push(envelope(2, 20, 3, 100));
  assert.equal(queue.length, 4);
  const batches = drain(queue);
  assert.equal(batches.length, 6);
  assert.deepEqual(
    batches[0]!.map((e) => [numberOf(e), e.chunked_size ?? 0]),
    [
      [0, 5 * CHUNK_BYTES + 17],
      [1, 0],
      [3, 0],
    ],
  );
  assert.deepEqual(batches[5]!.map(numberOf), [0, 2], 'its pair follows its last piece');
  const got = receive(batches);
  assert.deepEqual(got.map(numberOf), [1, 3, 0, 2]);
  assert.ok(got[2]!.body.subarray(4).every((b) => b === 0));
});

test('random traffic of many pairs: per-pair order kept, every message once and whole, batches bounded', () => {
  let seed = 42;
  const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let round = 0; round < 20; round++) {
    const queue = new LinkQueue();
    const sent: Envelope[] = [];
    const batches: Envelope[][] = [];
    for (let n = 0; n < 400; n++) {
      const r = random();
      const size = r < 0.05 ? Math.floor(random() * 600_000) + CHUNK_BYTES + 1 : r < 0.1 ? CHUNK_BYTES : Math.floor(random() * 300);
      const e = envelope(Math.floor(random() * 4), Math.floor(random() * 3), n, size);
      sent.push(e);
      queue.push(e);
      // Now and then the link writes what it can, between pushes.
      if (random() < 0.2)
        for (let k = Math.floor(random() * 4); k > 0; k--) {
          const b = queue.nextBatch();
          if (b !== null) batches.push(b);
        }
    }
    batches.push(...drain(queue));
    for (const b of batches) assert.ok(b.reduce((s, e) => s + e.body.length, 0) <= BATCH_BYTES + CHUNK_BYTES);
    const got = receive(batches);
    assert.equal(got.length, sent.length, 'every message once');
    const perPair = (list: Envelope[]): Map<string, number[]> => {
      const m = new Map<string, number[]>();
      for (const e of list) m.set(pairKey(e), [...(m.get(pairKey(e)) ?? []), numberOf(e)]);
      return m;
    };
    assert.deepEqual(perPair(got), perPair(sent), 'per sender → receiver order');
    for (const e of got) assert.deepEqual(e.body, sent[numberOf(e)]!.body, 'whole');
  }
});

test('a connection broken mid-message: the message goes again, whole, first; takeWhere keeps the others in order', () => {
  const queue = new LinkQueue();
  queue.push(envelope(1, 10, 0, 3 * CHUNK_BYTES));
  queue.push(envelope(1, 10, 1, 10));
  queue.push(envelope(2, 11, 2, 10));
  const first = queue.nextBatch()!;
  assert.deepEqual(first.map(numberOf), [0, 2]);
  assert.equal(queue.byteLength, 2 * CHUNK_BYTES + 10);
  queue.restartPieces(); // the stream with the first piece is gone
  assert.equal(queue.length, 2);
  assert.equal(queue.byteLength, 3 * CHUNK_BYTES + 10);
  const got = receive(drain(queue));
  assert.deepEqual(got.map(numberOf), [0, 1]);
  assert.equal(got[0]!.body.length, 3 * CHUNK_BYTES);

  queue.push(envelope(1, 10, 3, 3 * CHUNK_BYTES));
  queue.push(envelope(1, 10, 4, 10)); // waits behind 3
  assert.deepEqual(queue.nextBatch()!.map(numberOf), [3], 'a piece of 3 is out, 4 waits');
  const dead = queue.takeWhere((e) => numberOf(e) === 3);
  assert.deepEqual(dead.map(numberOf), [3], 'the message in pieces is taken whole');
  assert.deepEqual(drain(queue).flat().map(numberOf), [4]);
});
