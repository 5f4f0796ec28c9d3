import { LoopTurn, Next } from '../runtime/loop-turn.js';
import type { Runtime } from '../runtime/runtime.js';
import type { HostState } from '../runtime/worker-control.js';
import type { TransportEndpoint } from '../transport/transport.js';

/**
 * The main thread's driver of the loop every thread runs (LoopTurn: drain inbound rings, run
 * inline actors, fire timers such as ask timeouts, publish, write the thread's counters to slot
 * 0 of the stats block). It never blocks the thread: it lets the event loop run after every turn
 * with work, and parks with waitAsync until a worker rings, `wake` is called, or a timer is due.
 * Main-thread sends outside the loop are published once per microtask burst.
 */
export class MainLoop {
  private flushQueued = false;
  /** Without workers the loop parks on this word (the mesh's doorbell otherwise). */
  private readonly localBell = new Int32Array(new SharedArrayBuffer(4));
  private readonly host: HostState = { running: true, pendingLoads: 0, stopAll: null };
  private readonly loop: LoopTurn;

  constructor(
    private readonly runtime: Runtime,
    private readonly endpoint: TransportEndpoint | null,
    statsBuffer: SharedArrayBuffer,
  ) {
    this.loop = new LoopTurn({
      runtime,
      endpoint,
      statsBuffer,
      spins: 0,
      yields: 0,
      mayBlock: false,
      yieldEveryMs: 0,
      sliceMs: Infinity,
      host: this.host,
    });
  }

  /** Publishes main-thread sends soon (a microtask, so a burst of tells goes out as one batch) and wakes the loop. */
  wake(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.runtime.flush();
      });
    }
    if (this.endpoint !== null) this.endpoint.mesh.bells[0]!.ring();
    else {
      Atomics.store(this.localBell, 0, 1);
      Atomics.notify(this.localBell, 0);
    }
  }

  /** Runs until `stop` is called: what is queued then is still handled and published once. */
  async run(): Promise<void> {
    const loop = this.loop;
    const endpoint = this.endpoint;
    const parkAsync = endpoint !== null ? (ms: number) => endpoint.parkAsync(ms) : (ms: number) => this.parkLocal(ms);
    for (;;) {
      switch (loop.turn()) {
        case Next.Stop:
          return;
        case Next.Sleep:
          await loop.sleep();
          break;
        case Next.ParkAsync:
          await loop.parkAsync(parkAsync);
          break;
        default:
          // Continue or Yield: after a turn with work the main thread's event loop always runs.
          await loop.yieldToLoop();
          break;
      }
    }
  }

  /** Ends the loop after its next turn. */
  stop(): void {
    this.host.running = false;
    this.wake();
  }

  /** Without workers: waits on the private word, set and notified by `wake`. */
  private async parkLocal(timeoutMs: number): Promise<string> {
    const bell = this.localBell;
    if (this.runtime.runs.hasRunnable || Atomics.exchange(bell, 0, 0) === 1) return 'not-equal';
    const r = Atomics.waitAsync(bell, 0, 0, timeoutMs);
    if (!r.async) return r.value;
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      return await r.value;
    } finally {
      clearInterval(keepAlive);
      Atomics.store(bell, 0, 0);
    }
  }
}
