import { BactorError, CoreErrorCode } from '../../native-free-core/errors.js';

export { BactorError };

/**
 * Every stable error code bactor raises. Match on `err.code`; messages may be reworded.
 */
export const ErrorCode = {
  ...CoreErrorCode,
  /** A message holds a value the codec cannot carry; the message names the path. */
  UNSERIALIZABLE_MESSAGE: 'ERR_UNSERIALIZABLE_MESSAGE',
  /** A record on a ring is not in the wire format (corrupt or from another version). */
  MALFORMED_RECORD: 'ERR_MALFORMED_RECORD',
  /** A record refers to a shape or structure the schema log does not have. */
  UNKNOWN_SCHEMA: 'ERR_UNKNOWN_SCHEMA',
  /** A large-lane reference arrived without its payload. */
  LARGE_LANE_DESYNC: 'ERR_LARGE_LANE_DESYNC',
  /** A message codec was registered twice or with a bad type number. */
  CODEC_REGISTRATION: 'ERR_CODEC_REGISTRATION',
  /** An ask got no reply within its timeout. */
  ASK_TIMEOUT: 'ERR_ASK_TIMEOUT',
  /** The target of an ask is stopped or unknown. */
  ACTOR_NOT_FOUND: 'ERR_ACTOR_NOT_FOUND',
  /** A bounded mailbox with the `fail` policy is full. */
  MAILBOX_FULL: 'ERR_MAILBOX_FULL',
  /** The ring toward a thread is full and its overflow queue is at its limit. */
  BACKPRESSURE: 'ERR_BACKPRESSURE',
  /** An actor definition could not be found or loaded on a worker. */
  UNKNOWN_ACTOR: 'ERR_UNKNOWN_ACTOR',
  /**
   * A spawned actor's `init` (or `started` hook) threw: the spawn fails. The message names the
   * actor and carries the init error's message; `cause` is the init error (rebuilt from its name,
   * code, message and stack when it was thrown on another thread).
   */
  ACTOR_INIT_FAILED: 'ERR_ACTOR_INIT_FAILED',
  /** A ref or context was used on a thread without an actor system. */
  NO_RUNTIME: 'ERR_NO_RUNTIME',
  /**
   * An option or argument of a public call is wrong: an unknown option name, a value of the wrong
   * type or out of range. The message names the call, the bad key or value and what is allowed.
   */
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** An actor system already runs on this thread (refs route through the one system of their thread). */
  SYSTEM_RUNNING: 'ERR_SYSTEM_RUNNING',
  /**
   * `ActorSystem.start` ran inside one of bactor's worker threads: a module that defines actors
   * (imported by every worker) also starts the system. Put the actors in a module of their own.
   */
  SYSTEM_IN_WORKER: 'ERR_SYSTEM_IN_WORKER',
  /** The actor system is shutting down or stopped. */
  SYSTEM_STOPPED: 'ERR_SYSTEM_STOPPED',
  /**
   * `ctx.respond`, `ctx.forward` or `ctx.stash` outside the handler of the message they refer to
   * (from a timer or a callback after the handler returned).
   */
  OUTSIDE_HANDLER: 'ERR_OUTSIDE_HANDLER',
  /** An actor's handler failed; carried in supervision reports, and to an ask whose handler failed. */
  ACTOR_FAILED: 'ERR_ACTOR_FAILED',
  /** The watchdog interrupted a handler that ran past its limit (restart policy). */
  HANDLER_STUCK: 'ERR_HANDLER_STUCK',
  /** A worker thread died. */
  WORKER_DIED: 'ERR_WORKER_DIED',
  /** A thread handed out all its actor ids (8,388,606 per thread, never reused while it lives). */
  OUT_OF_IDS: 'ERR_OUT_OF_IDS',
  /**
   * `system.move` of an actor that cannot move: not top-level, not on a pool worker, or with
   * state that cannot travel (children, timers, a switched behaviour, a non-default mailbox).
   */
  CANNOT_MOVE: 'ERR_CANNOT_MOVE',
  /** `ctx.runTask` on a thread without a task pool (the system was started with `tasks: 0`). */
  NO_TASK_POOL: 'ERR_NO_TASK_POOL',
  /** `spawn` without a worker to place the actor on (a system of `workers: 0` spawns inline only). */
  NO_WORKERS: 'ERR_NO_WORKERS',
  /** `dispatcher: 'dedicated'` while every dedicated worker holds an actor (ActorSystemOptions.dedicatedWorkers). */
  NO_DEDICATED_WORKER: 'ERR_NO_DEDICATED_WORKER',
  /** `spawn` with a `name` a live actor of the system already has. */
  NAME_TAKEN: 'ERR_NAME_TAKEN',
  /** A message for another node is larger than the nodes accept (it is a dead letter, with this code in its reason). */
  MESSAGE_TOO_LARGE: 'ERR_MESSAGE_TOO_LARGE',
  /** A remote call on a system started without the `remote` option. */
  NO_REMOTE: 'ERR_NO_REMOTE',
  /** Another node refused this one's handshake (a wrong secret or protocol version). */
  REMOTE_REFUSED: 'ERR_REMOTE_REFUSED',
  /** Another node could not be reached, or its connection ended before the answer. */
  REMOTE_UNREACHABLE: 'ERR_REMOTE_UNREACHABLE',
  /** `remote.listen` names an address another process (or system) already listens on. */
  ADDRESS_IN_USE: 'ERR_ADDRESS_IN_USE',
  /** A remote spawn of a kind the target node does not allow (its `remote.spawnable`). */
  REMOTE_SPAWN_REFUSED: 'ERR_REMOTE_SPAWN_REFUSED',
  /** Another node's frames broke the protocol (pieces of a large message that do not fit together): its stream is closed. */
  REMOTE_MALFORMED: 'ERR_REMOTE_MALFORMED',
  /** A journal write refused: its first seq is not right after the persistence id's highest (two writers of one id). */
  PERSISTENCE_CONFLICT: 'ERR_PERSISTENCE_CONFLICT',
  /** A call on a journal after its `close`. */
  JOURNAL_CLOSED: 'ERR_JOURNAL_CLOSED',
  /** A journal's store failed (disk full, database down): the cause is attached. */
  JOURNAL_FAILED: 'ERR_JOURNAL_FAILED',
  /** An optional package a configured feature needs is not installed (the message names it). */
  MISSING_PEER_DEPENDENCY: 'ERR_MISSING_PEER_DEPENDENCY',
  /** A persistent actor (behavior.persistence) in a system started without a journal (ActorSystem.start({ journal })). */
  NO_JOURNAL: 'ERR_NO_JOURNAL',
  /** ctx.persist, ctx.saveSnapshot or ctx.deleteEvents on an actor whose behaviour has no persistence (or the wrong kind). */
  NOT_PERSISTENT: 'ERR_NOT_PERSISTENT',
  /** A persistent actor could not recover: the journal failed, or an event or snapshot could not be applied (the cause is attached). */
  RECOVERY_FAILED: 'ERR_RECOVERY_FAILED',
  /** A call that needs a running actor (ctx.persist after the actor stopped or restarted). */
  ACTOR_STOPPED: 'ERR_ACTOR_STOPPED',
  /**
   * A replicated store's write or read did not reach its consistency level (`majority`, `all`)
   * within its timeout. A write still stands locally and keeps replicating; retry a read.
   */
  REPLICATION_TIMEOUT: 'ERR_REPLICATION_TIMEOUT',
  /** A TestProbe (bactor/testkit) waited `timeoutMs` and nothing fitting came (the message says what did). */
  PROBE_TIMEOUT: 'ERR_PROBE_TIMEOUT',
  /** A TestProbe expectation met another message, or something came where nothing was expected. */
  PROBE_MISMATCH: 'ERR_PROBE_MISMATCH',
  /** system.traceActor: the actor is traced already (one trace at a time per actor: stop the other). */
  ACTOR_TRACED: 'ERR_ACTOR_TRACED',
  /** A deterministic scenario (bactor/testkit `explore`) failed for a seed: the error names it, its cause is the scenario's error. */
  SIMULATION_FAILED: 'ERR_SIMULATION_FAILED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
