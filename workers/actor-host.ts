/**
 * Entry point of an actor worker thread: runs the host loop of `src/runtime/host-loop.ts` with
 * the transport and settings the main thread passed in `workerData`.
 */
import { workerData } from 'node:worker_threads';
import { type HostInit, runHost } from '../src/runtime/host-loop.js';

await runHost(workerData as HostInit);
// The system shut down and this thread's actors have stopped: timers, sockets or servers they
// left open would keep the thread alive, so it ends here (README, *Timers*: what a handler may start).
process.exit(0);
