import type { ErrorInfo } from '../errors/error-info.js';
/**
 * The records the runtime exchanges over the rings, and their bodies. Every record carries the
 * target's local id in header0 and the sender's packed ref (participant << 24 | id) in header1.
 */
export const RecordType = {
  /** A user message for actor header0, from header1 (0: no sender). */
  USER: 1,
  /** A system message for actor (or ask slot) header0: body is a RemoteSystemOp. */
  SYSTEM: 2,
  /** Thread-to-thread control plane: body is a ControlMessage; header1 is the sender thread. */
  CONTROL: 3,
  /**
   * To the gateway: a user message for an actor of another node, header0 its packed ref there,
   * header1 the sender's packed ref (0: none); body is [target incarnation, sender incarnation,
   * sender kind, message packed by packDetached] — the gateway forwards the bytes unread.
   */
  REMOTE_OUT: 4,
  /**
   * From the gateway: a user message from another node for actor header0; body is [sender packed
   * ref, sender incarnation, sender kind, message packed] (sender 0 and 0: none), unpacked here.
   */
  REMOTE_IN: 5,
  /** To the gateway: a system message for an actor of another node; body is [target, kind, ref] (see SystemOps). */
  REMOTE_SYSTEM: 6,
  /**
   * Between threads of one node: the USER record right behind this one (same sender header1, same
   * target header0, same ring) is message `s` of a reliable pair, `f` the oldest unacknowledged;
   * body { s, f } (the fast path). The message itself keeps the fast path too.
   */
  RELIABLE_SEQ: 7,
  /**
   * Between threads of one node: the USER record right behind this one (same sender header1,
   * same target header0, same ring) is traced; body: its trace ids as words (TraceRecordBody, FORMAT_WORDS).
   */
  TRACE: 8,
} as const;

export type RemoteSystemOp =
  | { k: 'stop' }
  /** `inc`: the incarnation of the watcher's (or the stopped actor's) node, when it is another node. */
  | { k: 'watch' | 'unwatch'; watcher: number; kind: string; inc?: number }
  | { k: 'terminated'; ref: number; kind: string; inc?: number }
  /** An ask cannot be answered: its target is gone ('stopped', 'unknown', …) or failed on it ('failed', with the error). */
  | { k: 'ask-failed'; target: string; reason: string; error?: { name: string; code?: string; message: string; stack?: string } };

export interface SpawnRequest {
  op: 'spawn';
  url: string;
  name: string;
  args: unknown;
  options: {
    name?: string;
    throughput?: number;
    mailbox?: { capacity?: number; overflow?: 'drop-newest' | 'drop-oldest' | 'fail' | 'backpressure'; highWater?: number };
  };
  /** Packed ref of the logical parent (the guardian on main). */
  parent: number;
  /** Re-create under this id (worker replacement). */
  id?: number;
  /** Worker replacement: `args` packed by packDetached (refs in them must arrive as refs). */
  packedArgs?: Uint8Array;
}

/** Many top-level actors of one definition in one request (`spawnMany`): ids `first`… in `args` order. */
export interface SpawnManyRequest {
  op: 'spawn-many';
  url: string;
  name: string;
  args: unknown[];
  options: SpawnRequest['options'];
  parent: number;
}

/** The typed control plane between the main thread and the workers. */
export type ControlMessage =
  | (SpawnRequest & { req?: number })
  | { op: 'spawned'; reply: number; id: number; kind: string }
  | (SpawnManyRequest & { req?: number })
  | { op: 'spawned-many'; reply: number; first: number; count: number; kind: string }
  | { op: 'failed'; reply: number; error: import('../errors/error-info.js').ErrorInfo }
  | { op: 'event'; event: import('./runtime-event.js').RuntimeEvent }
  | { op: 'stop-all'; req?: number }
  | { op: 'stopped-all'; reply: number; actors: number }
  | { op: 'stats'; req?: number }
  | { op: 'stats-reply'; reply: number; actors: number; processed: number; deadLetters: number; pendingAsync: number; kinds: KindStats[] }
  | { op: 'exit' }
  /** Tracing: a thread announces the spans it wrote to its ring of the span block (span-intake.ts). */
  | { op: 'spans'; notice: import('../observability/tracing/trace-context.js').SpanNotice }
  | { op: 'flush-spans'; req?: number }
  | { op: 'tree'; req?: number }
  /** system.traceActor: trace local actor `id` as tap `tap` for `max` entries (ok: false when it is not here or traced already); `untap` ends it. */
  | { op: 'tap'; req?: number; id: number; tap: number; max: number }
  | { op: 'tap-reply'; reply: number; result: 'ok' | 'traced' | 'absent' }
  | { op: 'untap'; tap: number }
  /** A worker's actors' log entries (`ctx.log`), for the system's log. */
  | { op: 'logs'; entries: import('../observability/actor-log.js').ActorLogEntry[] }
  | { op: 'tree-reply'; reply: number; roots: import('./actor-tree.js').ActorNode[]; truncated: boolean }
  | { op: 'spans-flushed'; reply: number }
  | { op: 'reserve-id'; req?: number }
  | { op: 'reserved'; reply: number; id: number }
  | { op: 'move-out'; req?: number; id: number; to: number; newId: number }
  | { op: 'moved'; reply: number }
  | { op: 'move-fence'; id: number; back: number }
  | { op: 'move-fence-back'; from: number }
  | { op: 'traffic'; req?: number }
  | { op: 'traffic-reply'; reply: number; pairs: [number, number, number][] }
  /** Answered once the actor moving in under `id` is live (ok) or could not be re-created. */
  | { op: 'arrival'; id: number; req?: number }
  | { op: 'arrival-reply'; reply: number; ok: boolean }
  /** The actors with the most sampled handler time since the last ask: [local id, ms]. */
  | { op: 'load'; req?: number }
  | { op: 'load-reply'; reply: number; actors: [number, number][] }
  /**
   * A worker's top-level actor failed: the system's guardian decider (a function, so it stays on
   * the main thread) decides from a copy of the error.
   */
  | { op: 'guardian-decide'; req?: number; actor: string; error: { name: string; code?: string; message: string; stack?: string } }
  | { op: 'guardian-directive'; reply: number; directive: import('../supervision/supervisor-strategy.js').Directive }
  /** Flow control of actor `target` toward every other thread (see FlowSignal, Congestion). */
  | { op: 'flow'; target: number; signal: import('../actor/actor-cell.js').FlowSignal; amount: number }
  /** A worker died: `recreated` of its actors live again under their refs, the others are gone. */
  | { op: 'worker-died'; worker: number; recreated: number[]; reason: string }
  /** To the gateway: the actor named `name` on the node at `address` (system.lookupRemote). */
  | { op: 'remote-lookup'; req?: number; address: string; name: string }
  /** `ref`: [thread, local id, kind, incarnation] of the named actor; null: none has that name. */
  | { op: 'remote-lookup-reply'; reply: number; ref: [number, number, string, number] | null; error?: { code: string; message: string } }
  /** From the gateway: the packed ref and kind of the actor named `name` on this node. */
  | { op: 'lookup'; req?: number; name: string }
  | { op: 'lookup-reply'; reply: number; ref: [number, string] | null }
  /** To the gateway: spawn `kind` on the node at `address` (system.spawnRemote); `args` packed by packRemote. */
  | { op: 'remote-spawn'; req?: number; address: string; kind: string; name: string; args: Uint8Array }
  /** From the gateway: another node asks this one to spawn `kind` (if `remote.spawnable` has it). */
  | { op: 'spawn-for-node'; req?: number; kind: string; name: string; args: Uint8Array }
  /** From the gateway: may the node that opened a stream in (remote.authenticate)? */
  | { op: 'authenticate-node'; req?: number; address: string; incarnation: number; credentials: string }
  /** null: let in; else the reason it is refused. */
  | { op: 'authenticate-reply'; reply: number; refusal: string | null }
  /** The answer to either: `ref` as in remote-lookup-reply, or the error. */
  | { op: 'remote-spawn-reply'; reply: number; ref: [number, number, string, number] | null; error?: { code: string; message: string } }
  | MoveIn
  | JournalMessage;

/**
 * Persistence (persistence/journal-client.ts on an actor's thread, journal-service.ts on the main
 * thread, where the journal is): `ticket` numbers a request of one thread; the answer carries it.
 */
export type JournalMessage =
  /**
   * Events to append, many actors' in one commit: write i is `counts[i]` events of persistence id
   * `ids[i]` from seq `firsts[i]`; the payloads of all of them, in order, are `body`, cut by `sizes`.
   */
  | { op: 'journal-write'; ticket: number; ids: string[]; firsts: number[]; counts: number[]; sizes: number[]; body: Uint8Array }
  /** Per write, null (stored) or why not; `failure`: the whole batch failed (the store itself). */
  | { op: 'journal-written'; ticket: number; errors: (ErrorInfo | null)[] | null; failure: ErrorInfo | null }
  /** Recover persistence id `id`: its latest snapshot, then its events after it. */
  | { op: 'journal-recover'; ticket: number; id: string }
  /** Part of a recovery: the snapshot ([seq, payload], first part only) and events from seq `first`. */
  | { op: 'journal-replay'; ticket: number; snapshot: [number, Uint8Array] | null; first: number; payloads: Uint8Array[] }
  /** The recovery ended: the last seq, what was dropped as unreadable (and why), or its failure. */
  | { op: 'journal-recovered'; ticket: number; last: number; dropped: number; reason: string; failure: ErrorInfo | null }
  /** Save a snapshot taken after `seq`, then (deleteTo > 0) delete the events up to deleteTo. */
  | { op: 'journal-snapshot'; ticket: number; id: string; seq: number; payload: Uint8Array; deleteTo: number }
  | { op: 'journal-delete'; ticket: number; id: string; toSeq: number }
  /** A snapshot or delete is done (failure: null) or failed. */
  | { op: 'journal-ack'; ticket: number; failure: ErrorInfo | null };

/** An actor arriving from another worker (sent by its old worker, ahead of what it forwards). */
export interface MoveIn {
  op: 'move-in';
  url: string;
  name: string;
  args: unknown;
  options: SpawnRequest['options'];
  id: number;
  /** The actor's packed ref at its old place. */
  from: number;
  parent: number;
  state: unknown;
  backlog: [unknown, number][];
  watchers: [number, string, number?][];
  seq?: number;
}

/** Actors of one definition on one thread. */
export interface KindStats {
  kind: string;
  actors: number;
  /** User messages waiting in their mailboxes. */
  mailbox: number;
  /** Actors suspended (a handler promise pending, a full ring, a full backpressure mailbox). */
  held: number;
}
