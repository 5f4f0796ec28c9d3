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

  /** An unwatch, or the target's `terminated` reached the watcher: the target's ref as the watch knew it (its kind), if it was watched. */
  forget(watcher: ActorRef, target: ActorRef): ActorRef | undefined {
    const node = this.byNode.get(target.incarnation);
    if (node === undefined) return undefined;
    const k = key(watcher, target);
    const entry = node.get(k);
    node.delete(k);
    if (node.size === 0) this.byNode.delete(target.incarnation);
    return entry?.[1];
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
