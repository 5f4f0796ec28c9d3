/**
 * The promises of `ActorSystem.stop`: each resolves when the main thread's guardian hears that
 * the actor stopped (it watches the actors it is asked to stop, and is the parent of top-level
 * ones), or when the system shuts down. They never reject: an actor that is already gone
 * answers the watch with Terminated at once.
 */
export class StopWaiters {
  private readonly waiting = new Map<number, (() => void)[]>();

  /** A promise for the stop of the actor at `packed`; `first` is true when nobody waited for it yet (watch it then). */
  wait(packed: number): { promise: Promise<void>; first: boolean } {
    let list = this.waiting.get(packed);
    const first = list === undefined;
    if (list === undefined) this.waiting.set(packed, (list = []));
    const promise = new Promise<void>((resolve) => list.push(resolve));
    return { promise, first };
  }

  /** The actor at `packed` stopped. */
  stopped(packed: number): void {
    if (this.waiting.size === 0) return;
    const list = this.waiting.get(packed);
    if (list === undefined) return;
    this.waiting.delete(packed);
    for (const resolve of list) resolve();
  }

  /** The system shut down: every actor is stopped. */
  releaseAll(): void {
    for (const list of this.waiting.values()) for (const resolve of list) resolve();
    this.waiting.clear();
  }
}
