// Reads participant 1's knobs the way a worker's host loop does (knobsChanged, then the knobs)
// until the writer says it is done and the last epoch was seen, counting reads that saw knobs
// older than their epoch.
import { parentPort, workerData } from 'node:worker_threads';
import { BATCH, QUANTUM } from '../../native-free-core/layout/stats-layout.js';
import { knobsChanged, knobsEpoch, statsSlot } from '../../native-free-core/stats/stats-block.js';

const { sab, ctrl, deadline } = workerData as { sab: SharedArrayBuffer; ctrl: SharedArrayBuffer; deadline: number };
const slot = statsSlot(sab, 1);
const epoch = knobsEpoch(sab, 1);
/** [0]: the last epoch once the writer is done (0 before); [1]: set by this reader when it is ready. */
const control = new Int32Array(ctrl);
Atomics.store(control, 1, 1);
let seen = 0;
let changes = 0;
let stale = 0;
while (Date.now() < deadline) {
  const e = knobsChanged(epoch, seen);
  if (e >= 0) {
    changes++;
    seen = e;
    // Published with epoch e: quantum = batch = e (or newer ones since).
    if (slot[QUANTUM]! < e || slot[BATCH]! < e) stale++;
  }
  const last = Atomics.load(control, 0);
  if (last !== 0 && seen >= last) break;
}
parentPort!.postMessage({ seen, changes, stale });
