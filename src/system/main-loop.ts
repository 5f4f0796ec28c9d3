import type { Runtime } from '../runtime/runtime.js';
import type { TransportEndpoint } from '../transport/transport.js';

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The main thread's loop: drain inbound rings, run inline actors, fire timers (ask timeouts),
 * publish; park with waitAsync (never blocking) until a worker rings, `wake` is called, or a
 * timer is due. Main-thread sends are published once per microtask burst.
 */
export class MainLoop {
  private flushQueued = false;
  /** Without workers the loop parks on this word (the mesh's doorbell otherwise). */
  private readonly localBell = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly runtime: Runtime,
    private readonly endpoint: TransportEndpoint | null,
  ) {}

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

  /** Runs until `stopped()` says so (checked after each turn and park). */
  async run(stopped: () => boolean): Promise<void> {
    const runtime = this.runtime;
    const endpoint = this.endpoint;
    while (!stopped()) {
      let work = endpoint === null ? 0 : endpoint.drain(runtime, 1024);
      work += runtime.runs.runActors(4096);
      work += runtime.timers.runDue();
      const flushed = runtime.flush();
      if (work > 0) {
        await yieldToLoop();
        continue;
      }
      // A full ring: nobody rings the main thread when it drains, so look again soon.
      const timeout = flushed ? Math.min(runtime.timers.untilNext(), 1000) : 1;
      if (endpoint !== null) await endpoint.parkAsync(timeout);
      else await this.parkLocal(timeout);
    }
  }

  /** Without workers: waits on the private word, set and notified by `wake`. */
  private async parkLocal(timeoutMs: number): Promise<void> {
    const bell = this.localBell;
    if (this.runtime.runs.hasRunnable || Atomics.exchange(bell, 0, 0) === 1) return;
    const r = Atomics.waitAsync(bell, 0, 0, timeoutMs);
    if (!r.async) return;
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      await r.value;
    } finally {
      clearInterval(keepAlive);
      Atomics.store(bell, 0, 0);
    }
  }
}
