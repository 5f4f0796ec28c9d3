import type { ActorRef } from '../actor/actor-ref.js';
import type { CrdtKey, CrdtType } from './crdt-types.js';
import type { Consistency } from './replication-options.js';

/**
 * The messages of a replicator actor (the ref of `ReplicatedStore.ref`), typed in one place.
 *
 * From any actor (ask them; the reply is a `ReplicatorReply`, never a rejection: a failure is
 * `{ ok: false, code, message }` with the error code):
 * - `{ type: 'update', key, op, args, write?, timeoutMs? }` → the key's value after the update;
 * - `{ type: 'get', key, read?, timeoutMs? }` → its value (the type's empty value when none);
 * - `{ type: 'subscribe', key, subscriber }` / `'unsubscribe'`: `subscriber` is told a
 *   `CrdtChanged` whenever the key's value changes here (a local update or a merge).
 *
 * Between the replicators of one store (`crdt.`-prefixed; not for users):
 * - `crdt.states`: key states to merge; with `ack`, answered by `crdt.acked` to `from` once merged;
 *   with `want`, the keys `from` asks states of (a gossip answer).
 * - `crdt.read` → `crdt.read-reply` to `from`: one key's state here (null: none).
 * - `crdt.digest`: gossip, the digests of the keys both hold; answered by `crdt.states` with the
 *   states that differ and the keys wanted back.
 */
export type ReplicatorRequest =
  | { type: 'update'; key: CrdtKey; op: string; args: readonly unknown[]; write?: Consistency; timeoutMs?: number }
  | { type: 'get'; key: CrdtKey; read?: Consistency; timeoutMs?: number }
  | { type: 'subscribe'; key: CrdtKey; subscriber: ActorRef<CrdtChanged> }
  | { type: 'unsubscribe'; key: CrdtKey; subscriber: ActorRef<CrdtChanged> };

/** A replicator's answer to an update or get ask. */
export type ReplicatorReply<V = unknown> = { ok: true; value: V } | { ok: false; code: string; message: string };

/** Told to a subscriber when a key's value changed on its node. */
export interface CrdtChanged<V = unknown> {
  type: 'crdt.changed';
  store: string;
  key: string;
  value: V;
}

/** One key's state as it travels: [key id, type, state]. */
export type KeyState = [id: string, type: CrdtType, state: unknown];

/** Between the replicators of one store; `from` is the sender's replicator. */
export type PeerMessage =
  | { type: 'crdt.states'; entries: KeyState[]; from: ActorRef; ack?: number; want?: string[] }
  | { type: 'crdt.acked'; ack: number; from: ActorRef }
  | { type: 'crdt.read'; req: number; id: string; from: ActorRef }
  | { type: 'crdt.read-reply'; req: number; entry: KeyState | null; from: ActorRef }
  | { type: 'crdt.digest'; digests: [id: string, digest: number][]; from: ActorRef };

export type ReplicatorMessage = ReplicatorRequest | PeerMessage;
