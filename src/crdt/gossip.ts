import type { KeyState, PeerMessage } from './replicator-messages.js';
import type { Replicator } from './replicator.js';

/**
 * Anti-entropy between the replicas of a store, which heals what eager or lazy replication
 * lost (a broken connection, a node that was down or cut off):
 *
 * 1. Every gossipIntervalMs a replica sends one peer (in turn) `crdt.digest`: a digest of each
 *    key both hold by the partitioning (when it was reached: at once, so a node that starts or
 *    comes back catches up without waiting for a round).
 * 2. The peer answers `crdt.states` with its state of every key whose digest differs, and of the
 *    keys it holds for the sender that the digest lacks, with `want`: the keys whose digest
 *    differs or that it lacks.
 * 3. The first replica merges those states and sends its states of the wanted keys.
 *
 * After one exchange both hold the merge of both states for every key they share. Digests are
 * stable hashes (hash.ts), so equal states never travel. Every key's digest goes in one round:
 * a store of very many keys would want ranges or a Merkle tree (not yet).
 */
export class Gossip {
  private turn = 0;
  private timer: ReturnType<typeof setInterval>;

  constructor(private readonly replica: Replicator) {
    this.timer = setInterval(() => replica.gossipRound(), replica.config.gossipIntervalMs);
    this.timer.unref();
  }

  /** One round: digests to the next reachable peer. */
  round(): void {
    const peers = [...this.replica.peers.keys()].sort();
    if (peers.length === 0) return;
    this.exchangeWith(peers[this.turn++ % peers.length]!);
  }

  /** Sends `peer` the digests of the keys it holds too. */
  exchangeWith(peer: string): void {
    const ref = this.replica.peers.get(peer);
    const self = this.replica.self;
    if (ref === undefined || self === null) return;
    const digests: [string, number][] = [];
    for (const [id, held] of this.replica.keys)
      if (this.replica.replicasOf(id).includes(peer)) digests.push([id, this.replica.digestOf(held)]);
    ref.tell({ type: 'crdt.digest', digests, from: self });
  }

  /** Another replica's digests: the states that differ, and the keys wanted back. */
  answer(msg: Extract<PeerMessage, { type: 'crdt.digest' }>): void {
    const entries: KeyState[] = [];
    const want: string[] = [];
    const seen = new Set<string>();
    for (const [id, digest] of msg.digests) {
      seen.add(id);
      const held = this.replica.keys.get(id);
      if (held === undefined) want.push(id);
      else if (this.replica.digestOf(held) !== digest) {
        entries.push([id, held.type, held.state]);
        want.push(id);
      }
    }
    // Keys the sender should hold and did not list: the sender's address, as this node names it.
    const sender = [...this.replica.peers].find(([, ref]) => ref.equals(msg.from))?.[0];
    if (sender !== undefined)
      for (const [id, held] of this.replica.keys)
        if (!seen.has(id) && this.replica.replicasOf(id).includes(sender)) entries.push([id, held.type, held.state]);
    if (entries.length > 0 || want.length > 0) this.replica.sendEntries(msg.from, entries, want);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
