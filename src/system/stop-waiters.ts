import { type ActorRef, participantOf } from '../actor/actor-ref.js';
import { whereNow } from './moves.js';
import type { SystemParts } from './system-parts.js';

/**
 * The promises of `ActorSystem.stop`: each resolves when the main thread's guardian hears that
 * the actor stopped (it watches the actors it is asked to stop, and is the parent of top-level
 * ones), or when the system shuts down. They never reject: an actor that is already gone
 * answers the watch with Terminated at once.
 */
export class StopWaiters {
  private readonly waiting = new Map<number, (() => void)[]>();

  /** Actors whose stop is awaited. */
  get size(): number {
    return this.waiting.size;
  }

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

  /** Thread `participant` died: the actors waited for there are gone (a stopped actor is not re-created). */
  peerDied(participant: number): void {
    for (const packed of [...this.waiting.keys()]) if (participantOf(packed) === participant) this.stopped(packed);
  }

  /** The system shut down: every actor is stopped. */
  releaseAll(): void {
    for (const list of this.waiting.values()) for (const resolve of list) resolve();
    this.waiting.clear();
  }
}

/**
 * `system.stop(ref)` of an actor of the running system: asked to stop where it lives now (a
 * moved actor at its new place); resolves once it stopped.
 */
export function stopActor(parts: SystemParts, ref: ActorRef): Promise<void> {
  const target = whereNow(parts, ref);
  // Asked to stop: a worker replacement must not bring it back, even if its death notice is lost with the worker.
  const topLevel = parts.placements.delete(target.packed);
  const { promise, first } = parts.stopWaiters.wait(target.packed);
  // A top-level actor on a worker tells the guardian when it stops anyway; any other is watched.
  if (first && !topLevel) parts.runtime.sendSystem(target, { k: 'watch', watcher: parts.runtime.guardianRef });
  parts.runtime.sendSystem(target, { k: 'stop' });
  return promise;
}
