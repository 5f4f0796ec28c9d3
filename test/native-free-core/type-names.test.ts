import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TYPE_NAME_MAX_UNITS } from '../../native-free-core/layout/stats-layout.js';
import { TypeNameTable, createStatsBuffer, statsSlot } from '../../native-free-core/index.js';

test('type-name table: codes are stable, names read back on another view, a replacement continues the table', () => {
  const sab = createStatsBuffer(3);
  const writer = new TypeNameTable(sab, 2);
  const ping = writer.code('ping');
  const pong = writer.code('pong');
  assert.ok(ping > 0 && pong > 0 && ping !== pong);
  assert.equal(writer.code('ping'), ping, 'the same name keeps its code');
  const unicode = writer.code('größe→✓');
  const reader = new TypeNameTable(sab, 2);
  assert.equal(reader.name(ping), 'ping');
  assert.equal(reader.name(pong), 'pong');
  assert.equal(reader.name(unicode), 'größe→✓');
  assert.equal(reader.name(0), null);
  assert.equal(reader.name(ping + 1), null, 'a code inside a name is not a name');
  assert.equal(new TypeNameTable(sab, 1).name(ping), null, "another participant's table is separate");
  // The stats slots and the tables do not overlap.
  statsSlot(sab, 2).fill(1e300);
  assert.equal(reader.name(pong), 'pong');
  // A replacement participant knows what its predecessor wrote and appends after it.
  const next = new TypeNameTable(sab, 2);
  assert.equal(next.code('pong'), pong);
  const fresh = next.code('fresh');
  assert.ok(fresh > unicode);
  assert.equal(reader.name(fresh), 'fresh');
  const long = 'x'.repeat(500);
  assert.equal(reader.name(next.code(long)), long.slice(0, TYPE_NAME_MAX_UNITS), 'long names are cut');
});

test('type-name table: a full table gives 0 and keeps what it has', () => {
  const sab = createStatsBuffer(1);
  const table = new TypeNameTable(sab, 0);
  const codes: number[] = [];
  for (let i = 0; ; i++) {
    const code = table.code(`t${i}-${'y'.repeat(60)}`);
    if (code === 0) break;
    codes.push(code);
  }
  assert.ok(codes.length > 20, `${codes.length} names fit`);
  assert.equal(table.code('z'.repeat(TYPE_NAME_MAX_UNITS)), 0, 'no room for one more');
  assert.equal(table.code(''), 0, 'an empty name has no code');
  assert.equal(new TypeNameTable(sab, 0).name(codes.at(-1)!), `t${codes.length - 1}-${'y'.repeat(60)}`);
  assert.throws(() => new TypeNameTable(sab, 1), { code: 'ERR_INVALID_ARGUMENT' });
});
