import { hash53 } from './hash.js';

/**
 * Which nodes hold a key: its replicas. A custom partitioner gets the key and every node's
 * address (sorted, this node's included) and returns the replicas' addresses; it runs on the
 * main thread, and every node must use the same one (or they disagree on where a key lives).
 */
export type Partitioner = (key: string, nodes: readonly string[]) => readonly string[];

/**
 * Rendezvous (highest random weight) hashing: each node scores the key with a stable hash of
 * (node, key); the `factor` best-scoring nodes hold it. Stable: a node that joins or leaves moves
 * only the keys it wins or held, and every node that sees the same node list picks the same
 * replicas, in the same order (the first is the key's preferred replica).
 */
export function rendezvousReplicas(key: string, nodes: readonly string[], factor: number): string[] {
  if (factor >= nodes.length) return [...nodes].sort((a, b) => score(b, key) - score(a, key) || (a < b ? -1 : 1));
  const scored = nodes.map((node) => ({ node, s: score(node, key) }));
  scored.sort((a, b) => b.s - a.s || (a.node < b.node ? -1 : 1));
  return scored.slice(0, factor).map((x) => x.node);
}

function score(node: string, key: string): number {
  return hash53(`${node}\u0000${key}`);
}
