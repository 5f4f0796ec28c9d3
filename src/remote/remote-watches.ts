import type { ActorRef } from '../actor/actor-ref.js';

/**
 * Which actors of this node watch which actors of other nodes, by the watched node's
 * incarnation: when that node is lost, each watcher hears `terminated` from the gateway (the
 * watched actor's own `terminated` can no longer come). Kept by the gateway from the watch,
 * unwatch and terminated messages it carries.
 */
export class RemoteWatches {
  private readonly byNode = new Map<number, Map<string, [watcher: ActorRef, target: ActorRef]>>();

  watch(watcher: ActorRef, target: ActorRef): void {
    let node = this.byNode.get(target.incarnation);
    if (node === undefined) this.byNode.set(target.incarnation, (node = new Map()));
    node.set(key(watcher, target), [watcher, target]);
  }

  /** An unwatch, or the target's `terminated` reached the watcher. */
  forget(watcher: ActorRef, target: ActorRef): void {
    const node = this.byNode.get(target.incarnation);
    if (node === undefined) return;
    node.delete(key(watcher, target));
    if (node.size === 0) this.byNode.delete(target.incarnation);
  }

  has(incarnation: number): boolean {
    return this.byNode.has(incarnation);
  }

  /** The node of `incarnation` is lost: its watches, removed. */
  take(incarnation: number): [watcher: ActorRef, target: ActorRef][] {
    const node = this.byNode.get(incarnation);
    if (node === undefined) return [];
    this.byNode.delete(incarnation);
    return [...node.values()];
  }
}

function key(watcher: ActorRef, target: ActorRef): string {
  return `${watcher.packed}>${target.packed}`;
}
