import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { askTimeout } from './ref-checks.js';

/** Largest local id of an actor within one participant (24 bits). */
export const MAX_LOCAL_ID = 0xffffff;

/** Local ids with this bit are ask slots (the reply address of one ask), the others actors. */
export const ASK_SLOT_ID_BIT = 0x800000;

/** Packs a participant and a local id into the Int32 the wire headers carry. */
export function packRef(participant: number, id: number): number {
  return (participant << 24) | id | 0;
}
export function participantOf(packed: number): number {
  return packed >>> 24;
}
export function localIdOf(packed: number): number {
  return packed & MAX_LOCAL_ID;
}

/** What a ref needs from the thread it is used on (the runtime of that thread). */
export interface RefRouter {
  /** Sends; `sender` undefined: the running actor (if any). False when the sender should pause. */
  tell(target: ActorRef, message: unknown, sender?: ActorRef | null): boolean;
  /** Resolves when the ring toward `participant` has room for what waits. */
  whenWritable(target: ActorRef): Promise<void>;
  isBackpressured(target: ActorRef): boolean;
  ask(target: ActorRef, message: unknown, timeoutMs: number): Promise<unknown>;
  /** The actor whose handler is running now on this thread, if any (the implicit sender). */
  currentSelf(): ActorRef | null;
  /** Message `seq` of reliable producer `producer` (see reliable-producer.ts), the oldest unacknowledged being `first`. */
  tellReliable(target: ActorRef, seq: number, first: number, message: unknown, producer: ActorRef, producerId: string | null): void;
}

let router: RefRouter | null = null;
/** The incarnation of the system running on this thread (or of the last one): refs made now carry it. */
let incarnation = 0;

/** Sends `message` to `target` as if from `sender` (the runtime's own forwarding: reliable delivery on one thread). */
export function tellAs(target: ActorRef, message: unknown, sender: ActorRef | null): void {
  (router ?? currentRouter(target)).tell(target, message, sender);
}

/** See RefRouter.tellReliable. */
export function tellReliable(
  target: ActorRef,
  seq: number,
  first: number,
  message: unknown,
  producer: ActorRef,
  producerId: string | null,
): void {
  (router ?? currentRouter(target)).tellReliable(target, seq, first, message, producer, producerId);
}

/** Installs this thread's runtime; refs route through it. */
export function setRefRouter(r: RefRouter | null): void {
  router = r;
}

/**
 * Called when a system starts on this thread (main thread: a fresh random number per start;
 * workers: the one their system gave them), before any of its refs is made.
 */
export function setIncarnation(value: number): void {
  incarnation = value;
}

export function currentIncarnation(): number {
  return incarnation;
}

/** A key for a ref among refs of any node: its packed ref for this node's, with its incarnation for another's. */
export function refKey(ref: ActorRef): number | string {
  return ref.incarnation === incarnation ? ref.packed : `${ref.incarnation}:${ref.packed}`;
}

/** A random incarnation, never 0 and never the one before. */
export function newIncarnation(): number {
  let n: number;
  do n = (Math.random() * 0x7fffffff) | 0;
  while (n === 0 || n === incarnation);
  return n;
}

function currentRouter(ref?: ActorRef): RefRouter {
  if (router === null) {
    if (ref !== undefined && ref.incarnation !== 0) {
      throw new BactorError(
        ErrorCode.SYSTEM_STOPPED,
        `${ref} belongs to an actor system that has shut down: no actor system runs on this thread`,
      );
    }
    throw new BactorError(ErrorCode.NO_RUNTIME, 'no actor system runs on this thread: start one with ActorSystem.start()');
  }
  return router;
}

const RESOLVED = Promise.resolve();

export interface AskOptions {
  /** Milliseconds before the ask fails with ERR_ASK_TIMEOUT. Default 5000. */
  timeout?: number;
}

/**
 * The address of an actor: which participant (thread) hosts it and its local id there. A small
 * value: it travels in messages and is routed by a table lookup. `M` is what it accepts, `R`
 * what it replies to an ask.
 */
export class ActorRef<M = unknown, R = unknown> {
  /**
   * Type-only markers, so a ref of one actor type is not assignable to an unrelated one. M is
   * checked bivariantly (method syntax), so any ref still fits `ActorRef<unknown>`.
   */
  declare readonly __message?: { check(m: M): void }['check'];
  declare readonly __reply?: R;

  /**
   * @internal The actor's cell when this ref was made by the thread that hosts it: a local tell
   * goes straight to it, without a table lookup. Never encoded.
   */
  _cell: unknown = undefined;

  constructor(
    readonly participant: number,
    readonly id: number,
    /** The actor's definition name (for messages and reports). */
    readonly kind: string = '',
    /**
     * The start of the actor system the actor belongs to (a random number per
     * `ActorSystem.start`): a ref kept past `shutdown()` reaches nothing in the next system.
     */
    readonly incarnation: number = currentIncarnation(),
  ) {}

  /** @internal The ref of a pending ask's reply (ids with bit 23 set), not of an actor. */
  get isAskSlot(): boolean {
    return (this.id & ASK_SLOT_ID_BIT) !== 0;
  }

  /** Packed form for the wire headers. */
  get packed(): number {
    return packRef(this.participant, this.id);
  }

  /**
   * Sends `message`; from inside a handler the sender is the running actor. Never blocks: when
   * the ring toward the actor's thread is full the message waits, in order, in a bounded queue;
   * a sending actor is then suspended after its handler until the ring drains, and other callers
   * can see it in `backpressured` or `await ref.send(...)`.
   */
  tell(message: M): void {
    (router ?? currentRouter(this as ActorRef)).tell(this as ActorRef, message);
  }

  /** `tell`, then wait until the ring toward the actor has room again (at once when it has). */
  send(message: M): Promise<void> {
    const r = router ?? currentRouter(this as ActorRef);
    return r.tell(this as ActorRef, message) ? RESOLVED : r.whenWritable(this as ActorRef);
  }

  /** True while messages toward this actor's thread wait for room in a full ring. */
  get backpressured(): boolean {
    return (router ?? currentRouter(this as ActorRef)).isBackpressured(this as ActorRef);
  }

  /** Sends `message` and waits for the actor's `ctx.respond(...)`. */
  ask(message: M, options?: AskOptions): Promise<R> {
    const timeout = askTimeout(options, this as ActorRef);
    if (typeof timeout !== 'number') return Promise.reject(timeout);
    if (router === null) {
      try {
        currentRouter(this as ActorRef);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return router!.ask(this as ActorRef, message, timeout) as Promise<R>;
  }

  equals(other: ActorRef<unknown, unknown> | null | undefined): boolean {
    return other != null && other.participant === this.participant && other.id === this.id && other.incarnation === this.incarnation;
  }

  toString(): string {
    return `${this.kind || 'actor'}#${this.id}@${this.participant === 0 ? 'main' : `w${this.participant}`}`;
  }
}
