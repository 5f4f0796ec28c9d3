import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CellTable } from '../../src/runtime/cell-table.js';

test('cell table: ids found while set, pages of stopped ids dropped behind the frontier', () => {
  const table = new CellTable<{ id: number }>();
  // A long-lived actor, then rounds of many short-lived ones (ids never reused).
  table.set(2, { id: 2 });
  let next = 3;
  for (let round = 0; round < 20; round++) {
    const ids: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = next++;
      table.set(id, { id });
      ids.push(id);
    }
    assert.equal(table.get(ids[1234]!)?.id, ids[1234]);
    for (const id of ids) table.delete(id);
    assert.equal(table.get(ids[1234]!), undefined);
  }
  // The long-lived actor's page and the frontier page: not one per 256 ids ever used.
  assert.equal(table.pageCount, 2);
  assert.deepEqual(
    [...table].map((c) => c.id),
    [2],
  );
  assert.equal(table.get(2)?.id, 2);
  // Ids past every page (an ask slot's), and an id in a dropped page, find nothing.
  assert.equal(table.get(1 << 23), undefined);
  assert.equal(table.get(1000), undefined);
  // An old id set again (a replaced worker re-creates its actors under their ids) gets its page back.
  table.set(1000, { id: 1000 });
  assert.equal(table.get(1000)?.id, 1000);
  assert.deepEqual(
    [...table].map((c) => c.id),
    [2, 1000],
  );
});
