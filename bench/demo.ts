/**
 * `npm start`: the flagship demo. Renders a deep Mandelbrot view with a two-stage actor pipeline
 * (Renderer → Shader on every worker, tiles pulled by the main thread as workers free up), shows
 * a live progress bar, then renders the same image on this one thread for comparison, and
 * reports throughput, tile latency percentiles, per-worker utilisation and the speed-up. Writes
 * the picture (PNG) and an HTML report with charts to ./bactor-demo/ and prints their paths.
 *
 * `npm start -- --small` renders a smaller image (a few seconds). The system serves its live
 * dashboard (monitoring) while it renders; `--hold` keeps it up after the report, until Ctrl-C.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { type ActorRef, ActorSystem, defineActor } from '../src/index.js';
import { type Shaded, type Tile, type View, Renderer, escapeTimes, shade } from './demo/mandelbrot.js';
import { parseFlags } from './flags.js';
import { machine } from './harness.js';

const flags = parseFlags(
  'usage: npm start -- [--small] [--hold]   (--small: a smaller image, a few seconds; --hold: the dashboard stays up)',
  {
    small: { type: 'boolean' },
    hold: { type: 'boolean' },
  },
).values;
const small = flags.small === true;
const hold = flags.hold === true;
const view: View = small
  ? { width: 480, height: 320, cx: -0.743643887037151, cy: 0.13182590420533, span: 0.000012, maxIter: 6000 }
  : { width: 1200, height: 800, cx: -0.743643887037151, cy: 0.13182590420533, span: 0.000012, maxIter: 12000 };
const TILE = 32;
const tiles: Tile[] = [];
for (let y = 0; y < view.height; y += TILE)
  for (let x = 0; x < view.width; x += TILE)
    tiles.push({ id: tiles.length, x, y, w: Math.min(TILE, view.width - x), h: Math.min(TILE, view.height - y) });

const workers = Math.max(1, os.availableParallelism());
console.log('bactor demo: a Mandelbrot zoom rendered by a two-stage actor pipeline');
console.log(`${machine()}`);
console.log(
  `${view.width}×${view.height} pixels, up to ${view.maxIter} iterations each, ${tiles.length} tiles of ${TILE}×${TILE}; ` +
    `${workers} worker threads, each with renderers and their shaders\n`,
);

// ---- the parallel run ---------------------------------------------------------------------------

const image = new Uint8Array(view.width * view.height * 3);
const system = await ActorSystem.start({ workers, monitoring: { port: 0, intervalMs: 250 } });
console.log(`  live dashboard: ${system.monitoring!.url}/  (npm start -- --hold keeps it up after the render)\n`);
const renderersPerWorker = 2;
const renderers: ActorRef<{ type: 'render'; view: View; tile: Tile; replyTo: ActorRef<Shaded> }>[] = [];
for (let w = 1; w <= workers; w++)
  for (let k = 0; k < renderersPerWorker; k++) renderers.push(await system.spawn(Renderer, undefined, { worker: w }));

const sentAt = new Float64Array(tiles.length);
const assigned = new Int32Array(tiles.length);
const latencyMs: number[] = [];
const timeline: { t: number; done: number }[] = [];
const perWorkerTiles = new Array<number>(workers + 1).fill(0);
let next = 0;
let done = 0;
let t0 = 0;
let finish: () => void = () => {};
const finished = new Promise<void>((resolve) => (finish = resolve));
const bar = progressBar('pipeline');

// The collector runs inline on the main thread: it copies a shaded tile into the image and pulls
// the next tile for the renderer that freed up.
const Collector = defineActor(import.meta.url, 'Collector', {
  init: () => null,
  receive(_s, m: Shaded & { renderer?: number }) {
    const { tile, rgb } = m;
    for (let row = 0; row < tile.h; row++)
      image.set(rgb.subarray(row * tile.w * 3, (row + 1) * tile.w * 3), ((tile.y + row) * view.width + tile.x) * 3);
    const now = performance.now();
    latencyMs.push(now - sentAt[tile.id]!);
    perWorkerTiles[m.worker]!++;
    done++;
    timeline.push({ t: now - t0, done });
    bar(done / tiles.length);
    if (next < tiles.length) dispatch(assigned[tile.id]!);
    if (done === tiles.length) finish();
  },
});
const collector = await system.spawn(Collector, undefined, { dispatcher: 'inline' });

/** Sends the next tile to `renderer` (the one that just freed up: a renderer pulls work). */
function dispatch(renderer: number): void {
  const tile = tiles[next++]!;
  sentAt[tile.id] = performance.now();
  assigned[tile.id] = renderer;
  renderers[renderer]!.tell({ type: 'render', view, tile, replyTo: collector });
}

const utilisation: number[][] = Array.from({ length: workers }, () => []);
const sampler = setInterval(() => {
  void system.stats().then((s) => s.workers.forEach((w, i) => utilisation[i]!.push(w.utilisation)));
}, 250);
t0 = performance.now();
// Four tiles in flight per renderer: the pipeline stays full while tiles of very different cost finish.
for (let i = 0; i < Math.min(tiles.length, renderers.length * 4); i++) dispatch(i % renderers.length);
await finished;
const parallelMs = performance.now() - t0;
clearInterval(sampler);
bar(1, true);
const stats = await system.stats();
if (!hold) await system.shutdown();

// ---- the same image on one thread -----------------------------------------------------------------

const serialBar = progressBar('one thread');
const serialTimeline: { t: number; done: number }[] = [];
const check = new Uint8Array(image.length);
const s0 = performance.now();
for (const tile of tiles) {
  const rgb = shade(escapeTimes(view, tile));
  for (let row = 0; row < tile.h; row++)
    check.set(rgb.subarray(row * tile.w * 3, (row + 1) * tile.w * 3), ((tile.y + row) * view.width + tile.x) * 3);
  serialTimeline.push({ t: performance.now() - s0, done: tile.id + 1 });
  serialBar((tile.id + 1) / tiles.length);
}
const serialMs = performance.now() - s0;
serialBar(1, true);
const identical = Buffer.compare(Buffer.from(image), Buffer.from(check)) === 0;

// ---- the report ---------------------------------------------------------------------------------

const sorted = [...latencyMs].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const pixels = view.width * view.height;
const speedup = serialMs / parallelMs;
const util = utilisation.map((u) => (u.length === 0 ? 0 : u.reduce((a, b) => a + b, 0) / u.length));
console.log(`\n  image identical to the one-thread render: ${identical ? 'yes' : 'NO'}`);
console.log(
  `  pipeline: ${(parallelMs / 1000).toFixed(2)} s, ${(((pixels / parallelMs) * 1000) / 1e6).toFixed(2)} Mpixel/s, ${((tiles.length / parallelMs) * 1000).toFixed(0)} tiles/s`,
);
console.log(
  `  one thread: ${(serialMs / 1000).toFixed(2)} s → speed-up ${speedup.toFixed(2)}× on ${workers} workers (${((speedup / workers) * 100).toFixed(0)}% of ideal)`,
);
console.log(
  `  tile latency (sent → shaded tile back): p50 ${pct(50).toFixed(1)} ms, p90 ${pct(90).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`,
);
for (let w = 1; w <= workers; w++) {
  const ws = stats.workers[w - 1]!;
  console.log(
    `  worker ${w}: ${perWorkerTiles[w]} tiles, ${ws.processed} messages, utilisation ${(util[w - 1]! * 100).toFixed(0)}% (sampled every 250 ms)`,
  );
}
const dir = path.resolve('bactor-demo');
mkdirSync(dir, { recursive: true });
const png = encodePng(view.width, view.height, image);
writeFileSync(path.join(dir, 'mandelbrot.png'), png);
writeFileSync(
  path.join(dir, 'report.html'),
  reportHtml({ png, parallelMs, serialMs, speedup, timeline, serialTimeline, latencyMs: sorted, util, perWorkerTiles, workers, identical }),
);
console.log(`\n  picture: ${path.join(dir, 'mandelbrot.png')}`);
console.log(`  report:  ${path.join(dir, 'report.html')}`);
if (hold) {
  console.log(`\n  dashboard: ${system.monitoring!.url}/ (the workers idle now) — Ctrl-C ends`);
  process.once('SIGINT', () => void system.shutdown());
}
if (!identical) process.exitCode = 1;

// ---- helpers ------------------------------------------------------------------------------------

function progressBar(label: string): (fraction: number, final?: boolean) => void {
  let last = 0;
  const tty = process.stdout.isTTY;
  return (fraction, final = false) => {
    const now = performance.now();
    if (!final && now - last < 100) return;
    last = now;
    const width = 40;
    const filled = Math.round(fraction * width);
    const line = `  ${label.padEnd(11)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
    if (tty) process.stdout.write(`\r${line}${final ? '\n' : ''}`);
    else if (final) console.log(line);
  };
}

function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) {
    c ^= buf[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface ReportData {
  png: Buffer;
  parallelMs: number;
  serialMs: number;
  speedup: number;
  timeline: { t: number; done: number }[];
  serialTimeline: { t: number; done: number }[];
  latencyMs: number[];
  util: number[];
  perWorkerTiles: number[];
  workers: number;
  identical: boolean;
}

function reportHtml(d: ReportData): string {
  const W = 640;
  const H = 240;
  const maxT = Math.max(d.serialMs, d.parallelMs);
  const line = (pts: { t: number; done: number }[], colour: string) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts
      .filter((_, i) => i % Math.ceil(pts.length / 400) === 0 || i === pts.length - 1)
      .map((p) => `${((p.t / maxT) * W).toFixed(1)},${(H - (p.done / tiles.length) * H).toFixed(1)}`)
      .join(' ')}"/>`;
  const buckets = 30;
  const maxL = d.latencyMs[d.latencyMs.length - 1] ?? 1;
  const hist = new Array<number>(buckets).fill(0);
  for (const l of d.latencyMs) hist[Math.min(buckets - 1, Math.floor((l / maxL) * buckets))]!++;
  const maxH = Math.max(...hist);
  const bars = hist
    .map(
      (n, i) =>
        `<rect x="${(i * W) / buckets}" y="${H - (n / maxH) * H}" width="${W / buckets - 2}" height="${(n / maxH) * H}" fill="#4a7"/>`,
    )
    .join('');
  const utilBars = d.util
    .map(
      (u, i) =>
        `<rect x="0" y="${i * 40}" width="${u * W}" height="30" fill="#47a"/><text x="6" y="${i * 40 + 20}" fill="#fff">worker ${i + 1}: ${(u * 100).toFixed(0)}% busy, ${d.perWorkerTiles[i + 1]} tiles</text>`,
    )
    .join('');
  const q = (p: number) => d.latencyMs[Math.min(d.latencyMs.length - 1, Math.floor((p / 100) * d.latencyMs.length))]!.toFixed(1);
  return `<!doctype html><html><head><meta charset="utf-8"><title>bactor demo report</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;color:#222}svg{background:#f6f6f6;margin:.5em 0}td{padding:2px 12px}</style></head><body>
<h1>bactor demo: Mandelbrot pipeline</h1>
<p>${machine()} — ${new Date().toISOString()}</p>
<img src="data:image/png;base64,${d.png.toString('base64')}" width="${Math.min(W, view.width)}" alt="the rendered image">
<table>
<tr><td>pipeline (${d.workers} workers)</td><td>${(d.parallelMs / 1000).toFixed(2)} s</td><td>${((view.width * view.height) / d.parallelMs / 1000).toFixed(2)} Mpixel/s</td></tr>
<tr><td>one thread</td><td>${(d.serialMs / 1000).toFixed(2)} s</td><td>${((view.width * view.height) / d.serialMs / 1000).toFixed(2)} Mpixel/s</td></tr>
<tr><td>speed-up</td><td>${d.speedup.toFixed(2)}×</td><td>${((d.speedup / d.workers) * 100).toFixed(0)}% of ideal</td></tr>
<tr><td>tile latency</td><td colspan="2">p50 ${q(50)} ms · p90 ${q(90)} ms · p99 ${q(99)} ms</td></tr>
<tr><td>images identical</td><td colspan="2">${d.identical ? 'yes' : 'no'}</td></tr>
</table>
<h2>Tiles done over time</h2><p><span style="color:#d43">■</span> actor pipeline <span style="color:#888">■</span> one thread</p>
<svg width="${W}" height="${H}">${line(d.serialTimeline, '#888')}${line(d.timeline, '#d43')}</svg>
<h2>Tile latency (sent → shaded tile back), 0–${maxL.toFixed(0)} ms</h2>
<svg width="${W}" height="${H}">${bars}</svg>
<h2>Worker utilisation</h2>
<svg width="${W}" height="${d.util.length * 40}">${utilBars}</svg>
</body></html>`;
}
