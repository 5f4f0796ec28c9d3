import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { ActorSystem, type ActorRef } from '../../src/index.js';
import { Metered, type MeteredMsg } from '../fixtures/metered.actor.js';

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it), or CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the screenshot is kept (the repository's test-results/, ignored by git). */
const ARTEFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-results');

/** The number a dashboard cell shows (`1.25M`, `12.3k`, `42`). */
function figure(text: string): number {
  const m = /^([\d.]+)([kMG]?)$/.exec(text.trim());
  if (m === null) return NaN;
  return Number(m[1]) * { '': 1, k: 1e3, M: 1e6, G: 1e9 }[m[2] as '' | 'k' | 'M' | 'G'];
}

describe('the dashboard in headless Chromium', () => {
  let system: ActorSystem;
  let browser: Browser;
  let page: Page;
  let load: ReturnType<typeof setInterval> | null = null;
  let refs: ActorRef<MeteredMsg, number>[];

  before(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), or set CHROMIUM_PATH`);
    system = await ActorSystem.start({ workers: 2, monitoring: { port: 0, intervalMs: 200 } });
    refs = await system.spawnMany(
      Metered,
      Array.from({ length: 8 }, () => undefined),
    );
    // A steady load while the page watches: 4,000 messages every 20 ms (stopped in `after`).
    let tick = 0;
    load = setInterval(() => {
      for (let i = 0; i < 4000; i++) refs[(tick + i) % refs.length]!.tell({ type: i % 500 === 0 ? 'spin' : 'n', ms: 0.05 } as MeteredMsg);
      tick++;
    }, 20);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], timeout: 30_000 });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    if (load !== null) clearInterval(load);
    await browser?.close();
    await system?.shutdown();
  });

  it('shows the threads, the kinds and moving numbers, live over its event stream', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(system.monitoring!.url!, { timeout: 15_000 });
    await page.waitForFunction("document.getElementById('status')?.textContent === 'live'", undefined, { timeout: 10_000 });
    await page.waitForFunction('Number(document.body.dataset.frames) >= 2', undefined, { timeout: 10_000 });
    const first = figure((await page.textContent('#total-processed')) ?? '');
    // Frames come every 200 ms: a few later the count has moved and the rate is above 0.
    await page.waitForFunction('Number(document.body.dataset.frames) >= 6', undefined, { timeout: 10_000 });
    const later = figure((await page.textContent('#total-processed')) ?? '');
    assert.ok(later > first, `handled ${first} then ${later}`);
    assert.ok(figure((await page.textContent('#total-rate')) ?? '') > 0, 'a rate above 0');
    assert.equal(figure((await page.textContent('#total-actors')) ?? ''), refs.length);
    const threads = await page.evaluate<string[]>("[...document.querySelectorAll('#workers tbody tr')].map((r) => r.dataset.thread)");
    assert.deepEqual(threads, ['main', 'w1', 'w2']);
    const kinds = await page.evaluate<string[]>("[...document.querySelectorAll('#kinds tbody tr')].map((r) => r.dataset.kind)");
    assert.ok(kinds.includes('Metered'), `kinds: ${kinds.join(', ')}`);
    // A dead letter shows up with its message type.
    const gone = await system.spawn(Metered, undefined);
    await system.stop(gone);
    gone.tell({ type: 'get' });
    await page.waitForFunction("document.querySelector('#deadletters')?.textContent?.includes('get') === true", undefined, {
      timeout: 10_000,
    });
    // The actor tree lists them under their threads (fetched every 5 s, and at load).
    await page.waitForFunction("document.querySelectorAll('#tree li[data-ref]').length >= 8", undefined, { timeout: 10_000 });
    const listed = await page.evaluate<string[]>("[...document.querySelectorAll('#tree li[data-ref]')].map((l) => l.dataset.ref)");
    for (const ref of refs) assert.ok(listed.includes(String(ref)), `${String(ref)} in the tree`);
    // Clicking a kind shows its histogram.
    await page.click('#kinds tbody tr[data-kind="Metered"]');
    assert.equal(await page.textContent('#hist-kind'), 'Metered');
    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTEFACTS, 'dashboard.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});
