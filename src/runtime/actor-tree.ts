import type { ActorCell } from '../actor/actor-cell.js';

/** One actor in a thread's tree (`system.actorTree()`, `/tree`, `bactor tree`). */
export interface ActorNode {
  /** As refs print: `Kind#id@w1`. */
  ref: string;
  kind: string;
  /** The name it was spawned with, if any. */
  name?: string;
  /** Messages waiting in its mailbox. */
  mailbox: number;
  /** Takes no message now (backpressure, a pending promise, a persist, a failure). */
  held: boolean;
  children: ActorNode[];
}

/** Nodes one thread lists at most (a larger tree is cut, `truncated`). */
export const TREE_LIMIT = 10_000;

/** The live actors of a thread as trees under their top-level actors, breadth first, at most `limit` nodes. */
export function actorTree(cells: Iterable<ActorCell>, limit = TREE_LIMIT): { roots: ActorNode[]; truncated: boolean } {
  const roots: ActorNode[] = [];
  const queue: [ActorCell, ActorNode[]][] = [];
  for (const cell of cells) if (cell.parentCell === null && !cell.isStopped) queue.push([cell, roots]);
  let listed = 0;
  for (let i = 0; i < queue.length; i++) {
    if (listed === limit) return { roots, truncated: true };
    const [cell, into] = queue[i]!;
    const node: ActorNode = {
      ref: String(cell.self),
      kind: cell.definition.name,
      mailbox: cell.queue.length,
      held: cell.held,
      children: [],
    };
    if (cell.name !== undefined) node.name = cell.name;
    into.push(node);
    listed++;
    for (const child of cell.children) {
      const c = child._cell as ActorCell | undefined;
      if (c !== undefined && !c.isStopped) queue.push([c, node.children]);
    }
  }
  return { roots, truncated: false };
}
