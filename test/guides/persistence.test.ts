// The README's persistence guide, run (test/guides/readme-guides.test.ts keeps the README's copy in step).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ActorSystem, SqliteJournal } from '../../src/index.js';
import { Account } from './account.actor.js';

test('persistence guide: an event-sourced actor survives a restart of the system', { timeout: 30_000 }, async (t) => {
  // The guide's bank.db, in a directory of its own (this file runs in a process of its own).
  const dir = mkdtempSync(join(tmpdir(), 'bactor-guide-'));
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  const system = await ActorSystem.start({ journal: new SqliteJournal({ path: 'bank.db' }) });
  const account = await system.spawn(Account, 'ada');
  await account.ask({ type: 'deposit', amount: 50 }); // 50
  await system.shutdown(); // closes the journal

  assert.equal(await account.ask({ type: 'balance' }).catch((e: { code?: string }) => e.code), 'ERR_SYSTEM_STOPPED');

  const again = await ActorSystem.start({ journal: new SqliteJournal({ path: 'bank.db' }) });
  const same = await again.spawn(Account, 'ada'); // its events replayed before its first message
  await same.ask({ type: 'balance' }); // 50

  assert.equal(await same.ask({ type: 'balance' }), 50);
  assert.equal(await same.ask({ type: 'deposit', amount: 25 }), 75);
  await again.shutdown();
});
