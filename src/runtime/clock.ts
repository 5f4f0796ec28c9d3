import { performance } from 'node:perf_hooks';
/** Where the runtime reads time: real by default, a manual clock in tests. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

/** A clock that only moves when told: deterministic tests of timers, timeouts and backoff. */
export class ManualClock implements Clock {
  private readonly listeners = new Set<() => void>();
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  /** Moves time forward and wakes whoever runs timers on it. */
  advance(ms: number): void {
    this.time += ms;
    for (const listener of this.listeners) listener();
  }
  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
