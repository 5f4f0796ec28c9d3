import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppendLogReader, AppendLogWriter, createAppendLogBuffer } from '../../native-free-core/log/append-log.js';
import { attachMesh, createMesh } from '../../native-free-core/mesh/mesh.js';

test('append log: entries read back in order; a full log says so; a new writer continues', () => {
  const sab = createAppendLogBuffer(64);
  const w = new AppendLogWriter(sab);
  assert.equal(w.tryAppend(Uint8Array.of(1, 2, 3)), 0);
  assert.equal(w.tryAppend(new Uint8Array(0)), 1);
  const r = new AppendLogReader(sab);
  assert.deepEqual([...r.next()!], [1, 2, 3]);
  assert.deepEqual([...r.next()!], []);
  assert.equal(r.next(), null);
  const w2 = new AppendLogWriter(sab);
  assert.equal(w2.length, 2);
  assert.equal(w2.tryAppend(Uint8Array.of(9)), 2);
  assert.deepEqual([...r.next()!], [9]);
  assert.equal(w2.tryAppend(new Uint8Array(64)), -1, 'no room');
  assert.equal(r.next(), null);
  assert.throws(() => createAppendLogBuffer(10), { code: 'ERR_INVALID_CAPACITY' });
  assert.throws(() => new AppendLogReader(new SharedArrayBuffer(512)), { code: 'ERR_BAD_LAYOUT' });
});

test('mesh: one ring per ordered pair; i→j producer and j←i consumer share it', () => {
  const mesh = createMesh({ participants: 3, ringCapacity: 1024 });
  assert.equal(mesh.rings.filter((r) => r !== null).length, 6);
  const ends = [0, 1, 2].map((p) => attachMesh(mesh, p));
  for (const from of [0, 1, 2]) {
    for (const to of [0, 1, 2]) {
      if (from === to) {
        assert.equal(ends[from]!.outbound[to], null);
        continue;
      }
      ends[from]!.outbound[to]!.tryWrite(from * 10 + to, new Uint8Array(0));
      ends[from]!.outbound[to]!.flush();
    }
  }
  for (const to of [0, 1, 2]) {
    const types: number[] = [];
    ends[to]!.inbox.drain({ onRecord: (t) => types.push(t) });
    assert.deepEqual(
      types.sort((a, b) => a - b),
      [0, 1, 2].filter((f) => f !== to).map((f) => f * 10 + to),
    );
  }
  assert.throws(() => createMesh({ participants: 1, ringCapacity: 1024 }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => attachMesh(mesh, 3), { code: 'ERR_INVALID_ARGUMENT' });
});
