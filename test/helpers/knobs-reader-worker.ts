// Reads participant 1's knobs the way a worker's host loop does (knobsChanged, then the knobs)
// until the epoch reaches `last`, counting reads that saw knobs older than their epoch.
import { parentPort, workerData } from 'node:worker_threads';
import { BATCH, QUANTUM } from '../../native-free-core/layout/stats-layout.js';
import { knobsChanged, knobsEpoch, statsSlot } from '../../native-free-core/stats/stats-block.js';

const { sab, last, deadline } = workerData as { sab: SharedArrayBuffer; last: number; deadline: number };
const slot = statsSlot(sab, 1);
const epoch = knobsEpoch(sab, 1);
let seen = 0;
let looks = 0;
let changes = 0;
let stale = 0;
while (seen < last && Date.now() < deadline) {
  looks++;
  const e = knobsChanged(epoch, seen);
  if (e < 0) continue;
  changes++;
  seen = e;
  // Published with epoch e: quantum = batch = e (or newer ones since).
  if (slot[QUANTUM]! < e || slot[BATCH]! < e) stale++;
}
parentPort!.postMessage({ seen, looks, changes, stale });
