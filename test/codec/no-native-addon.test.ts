import assert from 'node:assert/strict';
import { test } from 'node:test';

test('bactor keeps msgpackr off its native addon', async () => {
  await import('../../src/index.js');
  const msgpackr = await import('msgpackr');
  assert.equal(msgpackr.isNativeAccelerationEnabled, false);
  assert.equal(process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED, 'true');
});
