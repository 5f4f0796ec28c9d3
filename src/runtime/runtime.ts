import '../actor/actor-ref-codec.js';
import { ActorCell, type CellHost, DEFAULT_HIGH_WATER, type FlowSignal, applyDirective } from '../actor/actor-cell.js';
import type { ActorDefinition } from '../actor/actor-definition.js';
import {
  ASK_SLOT_ID_BIT,
  ActorRef,
  MAX_LOCAL_ID,
  type RefRouter,
  currentIncarnation,
  localIdOf,
  packRef,
  participantOf,
} from '../actor/actor-ref.js';
import { type SpawnOptions, checkSpawnArguments } from '../actor/spawn-options.js';
import type { ErrorInfo } from '../actor/spawn-failure.js';
import type { MessageSink } from '../codec/message-decoder.js';
import { inspectMessage } from '../codec/inspect-message.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { Deque } from '../mailbox/deque.js';
import { validateMailboxOptions } from '../mailbox/mailbox.js';
import { DEFAULT_STRATEGY, type Directive, type SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import type { TransportEndpoint } from '../transport/transport.js';
import { type Clock, systemClock } from './clock.js';
import { TimerQueue } from './timer-queue.js';
import { Congestion } from './congestion.js';
import { CellTable } from './cell-table.js';
import { CURRENT, STATS_SLOT_FLOAT64 } from '../../native-free-core/layout/stats-layout.js';
import { describeMessageType } from '../util/message-type.js';
import type { TypeNameTable } from '../../native-free-core/stats/stats-block.js';
import type { TaskPool } from './task-pool.js';
import { type ControlMessage, type KindStats, type MoveIn, RecordType, type RemoteSystemOp } from './wire-messages.js';

/** Something the runtime reports: dead letters and failures that reached the root guardian. */
export type RuntimeEvent =
  | { type: 'dead-letter'; target: string; reason: string; messageType: string; sender: string | null }
  | { type: 'actor-failed'; actor: string; error: { name: string; code?: string; message: string; stack?: string }; directive: string }
  /**
   * The watchdog saw a handler run past its limit. `action`: 'reported' (no restart policy),
   * 'interrupting' (restart policy: the handler will be interrupted in place, a
   * 'handler-interrupted' event follows), 'worker-replaced' (it could not be interrupted).
   */
  | {
      type: 'handler-stuck';
      actor: string;
      worker: number;
      ms: number;
      messageType: string;
      action: 'reported' | 'interrupting' | 'worker-replaced';
    }
  /** A stuck handler was interrupted; its actor failed with ERR_HANDLER_STUCK and is supervised. The worker's other actors carry on. */
  | { type: 'handler-interrupted'; actor: string; worker: number; messageType: string }
  | { type: 'actor-moved'; actor: string; to: string; reason: string };

export interface RuntimeOptions {
  participant: number;
  endpoint: TransportEndpoint | null;
  clock?: Clock;
  /** Supervision of top-level actors (the root guardian's strategy). */
  guardianStrategy?: SupervisorStrategy;
  /** Called for each event (on workers: forwarded to the main thread). */
  onEvent?: (event: RuntimeEvent) => void;
  /** Handles control messages the runtime itself does not (spawn requests are handled here). */
  onControl?: (from: number, message: ControlMessage) => void;
  random?: () => number;
  /** Where this thread publishes its next free actor id (survives the thread). */
  idWatermark?: Int32Array;
  /** Runs `ctx.runTask` work. */
  taskPool?: TaskPool;
  /** User records an overflow queue toward one peer may hold (default 262,144). */
  overflowLimit?: number;
  /** This thread's slot of the shared stats block. */
  stats?: Float64Array;
  /** This thread's type-name table of the stats block (codes of what CURRENT_TYPE stamps). */
  typeNames?: TypeNameTable;
  /**
   * Workers: the root guardian's decider runs on the main thread (functions do not cross
   * threads); this asks it. Absent: `guardianStrategy.decider` decides here.
   */
  decideRemotely?: (actor: ActorRef, error: unknown) => Promise<Directive>;
}

/** The spawn options that travel with a moving actor (placement options stay behind). */
function movableOptions(o: SpawnOptions | undefined): MoveIn['options'] {
  if (o === undefined) return {};
  const { name, throughput, mailbox } = o;
  return {
    ...(name !== undefined ? { name } : {}),
    ...(throughput !== undefined ? { throughput } : {}),
    ...(mailbox !== undefined ? { mailbox: { capacity: mailbox.capacity, overflow: mailbox.overflow, highWater: mailbox.highWater } } : {}),
  };
}

/** One cross-thread send in 64 is counted for the rebalancer. */
const TRAFFIC_SAMPLE_MASK = 63;
/** Senders, and targets per sender, the traffic samples hold at most (see sampleTraffic). */
const TRAFFIC_KEYS = 1024;
/**
 * About one actor turn in 256 is timed for the rebalancer (two clock reads); the gaps vary
 * (128–383 turns) so that actors taking turns in a fixed rhythm are not always or never timed.
 */
const LOAD_SAMPLE_MEAN = 256;
/**
 * Loop turns averaging more than this (ms per message) put a thread in heavy mode (see
 * noteLoopTurn). High enough that a GC pause over a loop turn of light messages stays under it
 * (50 ms over 4,096 messages is 12 µs each); low enough that a light loop turn (≤ 16,384
 * messages) stays under a second.
 */
const HEAVY_MS_PER_MESSAGE = 0.05;
/** Two light loop turns in a row longer than this (ms) switch to heavy mode too, whatever their average. */
const SLOW_LOOP_MS = 10;
/** Heavy mode: an actor whose recent turns took less than this per message runs a turn without a clock read per message. */
const FAST_MS_PER_MESSAGE = 0.01;
/** Heavy mode: an actor turn ends after the message that ends past this many ms. */
const HEAVY_TURN_MS = 1;
/** Heavy mode: runActors' message budget (time bounds it: see HEAVY_LOOP_MS). */
const HEAVY_BUDGET = 1 << 30;
/** Heavy mode: runActors returns after the actor turn that ends past this many ms. */
const HEAVY_LOOP_MS = 2;

/** Messages per actor turn unless the actor or the scheduler says otherwise. */
export const DEFAULT_QUANTUM = 100;
export const DEFAULT_OVERFLOW_LIMIT = 262_144;
/** Messages a worker runs between two looks at its inbound rings (the batch knob). */
export const DEFAULT_BATCH = 4096;

interface AskSlot {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: { cancel(): void };
}

interface PendingRecord {
  type: number;
  h0: number;
  h1: number;
  body: unknown;
}

/** Ids below this are reserved: 0 = nobody, 1 = the root guardian of this thread. */
const FIRST_ID = 2;
/** Local ids with this bit are ask slots (replies to one ask), the others actors. */
const ASK_SLOT_BIT = ASK_SLOT_ID_BIT;
const isAskSlot = (id: number): boolean => (id & ASK_SLOT_BIT) !== 0;

export function errorInfo(error: unknown, depth = 0): ErrorInfo {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      ...(typeof code === 'string' ? { code } : {}),
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
      // The cause travels too (an init failure's init error): a few levels, never a cycle.
      ...(error.cause !== undefined && depth < 3 ? { cause: errorInfo(error.cause, depth + 1) } : {}),
    };
  }
  return { name: 'NonError', message: String(error) };
}

/** The dead-letter reason of a message to a ref of an earlier actor system. */
const STALE_REF = 'earlier-system';

/** Where the send budget starts outside actor turns (see Runtime.sendBudget). */
const NO_TURN_BUDGET = 1 << 30;

/**
 * The actor runtime of one thread (a worker, or the main thread): its actors, their run queue,
 * its timers, the routing of messages to local cells or to the rings toward other threads, and
 * the asks it is waiting on.
 */
export class Runtime implements CellHost, RefRouter, MessageSink {
  readonly participant: number;
  readonly timers: TimerQueue;
  readonly endpoint: TransportEndpoint | null;
  readonly guardianStrategy: SupervisorStrategy;
  readonly guardianRef: ActorRef;
  /** The incarnation of this thread's system (see ActorRef.incarnation): refs of another reach nothing. */
  readonly incarnation = currentIncarnation();
  /** Actors by local id: ids are dense per thread, so arrays (pages of ids) beat a Map in time and bytes. */
  private readonly cells = new CellTable<ActorCell>();
  private liveCells = 0;
  private readonly slots = new Map<number, AskSlot>();
  private readonly runQueue = new Deque<ActorCell>();
  /** The run queue's head when it holds one cell (see `schedule`). */
  private next: ActorCell | null = null;
  private readonly overflow: Deque<PendingRecord>[] = [];
  private readonly guardianWindows = new Map<number, number>();
  private readonly onEvent: (event: RuntimeEvent) => void;
  private readonly onControl: (from: number, message: ControlMessage) => void;
  private readonly pendingRequests = new Map<number, { peer: number; resolve(v: ControlMessage): void; reject(e: unknown): void }>();
  private nextRequest = 1;
  private readonly senderRefs = new Map<number, ActorRef>();
  private nextId = FIRST_ID;
  /** Shared Int32 per participant: the next free actor id (see allocateId). */
  private readonly idWatermark: Int32Array | null;
  readonly taskPool: TaskPool | null;
  private nextSlot = ASK_SLOT_BIT;
  private current: ActorCell | null = null;
  private dirty = false;
  /** Handler promises not yet settled. */
  pendingAsync = 0;
  deadLetters = 0;
  processed = 0;
  /** A ref watched by this thread's guardian stopped (the system's name table uses it). */
  onGuardianTerminated: ((ref: ActorRef) => void) | null = null;
  /** Actors suspended because a ring they sent into is full, per peer (released by `flush`). */
  private readonly held: ActorCell[][] = [];
  /** Actors moving here whose definition is loading: the records that arrived for them meanwhile. */
  private readonly arriving = new Map<number, [unknown, ActorRef | null][]>();
  /**
   * Actors that moved here, by their old packed ref. `held` collects what local actors send to
   * the old ref until the move's fence is back (null afterwards: delivered directly).
   */
  private readonly aliases = new Map<number, { cell: ActorCell; held: [unknown, ActorRef | null][] | null }>();
  /** Sampled cross-thread sends per (local sender id → packed target), for the rebalancer. */
  private readonly traffic = new Map<number, Map<number, number>>();
  private trafficTick = 0;
  /** Main-thread requests waiting for an actor to move in, by id. */
  private readonly arrivalWaiters = new Map<number, ((ok: boolean) => void)[]>();
  /** Sampled handler milliseconds per local actor id since the last takeLoad (see runActors). */
  private readonly load = new Map<number, number>();
  /** Actor turns until the next timed one, and the xorshift state that spaces them. */
  private untilTimed = 1;
  private loadSeed = 0x9e3779b9;
  private heavy = false;
  /** Light loop turns in a row that averaged heavy (see noteLoopTurn). */
  private modeStreak = 0;
  /** Heavy mode: timed milliseconds and messages of the current window (see noteHeavyTurn). */
  private windowMs = 0;
  private windowMessages = 0;
  /** Heavy mode: the highest ms per message of a turn in the current window. */
  private windowSlowest = 0;
  private forcedHeavy = false;
  /** Milliseconds in actor turns so far, estimated from the timed turns (the HANDLER_MS word). */
  handlerMs = 0;
  /** performance.now() at the end of the last timed turn. */
  private timedAt = 0;
  /** Actors on other threads whose backlog is past its high-water mark (the sending side of per-actor backpressure). */
  private readonly congestionOut = new Congestion();
  /** Callers of `whenWritable`, per peer. */
  private readonly writableWaiters: (() => void)[][] = [];
  /** Records waiting in the overflow queues (rings that were full). */
  overflowed = 0;
  /** Actors suspended by a full ring now. */
  suspended = 0;
  /** User records one overflow queue may hold before `tell` refuses with ERR_BACKPRESSURE. */
  readonly overflowLimit: number;
  /** Messages per actor turn (taken, and sent) for actors without their own throughput (a scheduler knob). */
  quantum = DEFAULT_QUANTUM;
  /**
   * Sends left in the running actor turn (each turn sets it; see ActorCell.run). Sends outside a
   * turn (the main thread's) count down what the last turn left and start again from
   * NO_TURN_BUDGET when it runs out.
   */
  sendBudget = NO_TURN_BUDGET;
  /** Messages sent from this thread so far (a timed turn's work counts its sends: see timedRun). */
  private sends = 0;
  /** This thread's slot of the stats block (a private one without a block). */
  readonly stats: Float64Array;
  /** Names behind the CURRENT_TYPE codes (none without a stats block: every code is 0). */
  private readonly typeNames: TypeNameTable | null;
  /** Called when local work appears while the thread may be parked (main thread wake-up). */
  onWork: (() => void) | null = null;
  readonly random: () => number;
  private readonly decideRemotely: ((actor: ActorRef, error: unknown) => Promise<Directive>) | null;

  constructor(options: RuntimeOptions) {
    this.participant = options.participant;
    this.endpoint = options.endpoint;
    this.timers = new TimerQueue(options.clock ?? systemClock);
    this.guardianStrategy = options.guardianStrategy ?? DEFAULT_STRATEGY;
    this.guardianRef = new ActorRef(this.participant, 1, 'guardian');
    this.onEvent = options.onEvent ?? (() => {});
    this.onControl = options.onControl ?? (() => {});
    this.random = options.random ?? Math.random;
    this.idWatermark = options.idWatermark ?? null;
    this.taskPool = options.taskPool ?? null;
    this.decideRemotely = options.decideRemotely ?? null;
    if (this.idWatermark !== null) this.nextId = Math.max(FIRST_ID, this.idWatermark[this.participant]!);
    const peers = options.endpoint?.participants ?? 0;
    for (let p = 0; p < peers; p++) {
      this.overflow.push(new Deque<PendingRecord>());
      this.held.push([]);
      this.writableWaiters.push([]);
    }
    this.overflowLimit = options.overflowLimit ?? DEFAULT_OVERFLOW_LIMIT;
    this.stats = options.stats ?? new Float64Array(STATS_SLOT_FLOAT64);
    this.typeNames = options.typeNames ?? null;
  }

  typeCode(name: string): number {
    return this.typeNames === null ? 0 : this.typeNames.code(name);
  }

  /** Actors, mailbox depth and held actors per definition (walks every cell: on request only). */
  kindStats(): KindStats[] {
    const kinds = new Map<string, KindStats>();
    for (const cell of this.cells) {
      if (cell.isStopped) continue;
      const kind = cell.definition.name;
      let k = kinds.get(kind);
      if (k === undefined) kinds.set(kind, (k = { kind, actors: 0, mailbox: 0, held: 0 }));
      k.actors++;
      k.mailbox += cell.queue.length;
      if (cell.held) k.held++;
    }
    return [...kinds.values()].sort((a, b) => b.actors - a.actors || a.kind.localeCompare(b.kind));
  }

  get actorCount(): number {
    return this.liveCells;
  }

  /** Every live top-level actor (its parent is the guardian). */
  topLevel(): ActorCell[] {
    return [...this.cells].filter((c) => c.parentCell === null);
  }

  // ---- spawning ----------------------------------------------------------------------------

  private allocateSlot(): number {
    do {
      this.nextSlot = this.nextSlot >= MAX_LOCAL_ID ? ASK_SLOT_BIT : this.nextSlot + 1;
    } while (this.slots.has(this.nextSlot));
    return this.nextSlot;
  }

  private allocateId(): number {
    if (this.nextId >= ASK_SLOT_BIT)
      throw new BactorError(ErrorCode.INVALID_OPTION, `participant ${this.participant} ran out of actor ids (${ASK_SLOT_BIT})`);
    // Published for a replacement of this thread, so it never hands out an id in use (plain
    // store: the main thread reads it only after this thread has exited).
    if (this.idWatermark !== null) this.idWatermark[this.participant] = this.nextId + 1;
    return this.nextId++;
  }

  // ---- moving actors between threads ---------------------------------------------------------

  /** An id for an actor that is about to move here. */
  reserveId(): number {
    return this.allocateId();
  }

  /**
   * Moves top-level actor `id` to participant `to` under `newId`: sends its definition, state,
   * queued messages and watchers there as one control record, then turns the cell into a
   * forwarder. What reaches the old id later (from the rings, or from local refs that hold the
   * cell) is forwarded through the same ring, behind that record: nothing is lost or reordered
   * for any sender. Throws, changing nothing, if the actor cannot move or its state cannot be encoded.
   */
  moveOut(id: number, to: number, newId: number): void {
    const cell = this.cells.get(id);
    if (cell === undefined || cell.isStopped)
      throw new BactorError(ErrorCode.ACTOR_NOT_FOUND, `move: no actor ${id} on participant ${this.participant}`);
    if (cell.parentCell !== null) throw new BactorError(ErrorCode.INVALID_OPTION, `cannot move ${cell.self}: only top-level actors move`);
    const snapshot = cell.snapshotForMove();
    const moveIn: MoveIn = {
      op: 'move-in',
      url: cell.definition.moduleUrl,
      name: cell.definition.name,
      args: cell.args,
      options: movableOptions(cell.spawnOptions),
      id: newId,
      from: cell.self.packed,
      parent: (cell.parent ?? this.guardianRef).packed,
      ...snapshot,
    };
    this.sendRecord(to, RecordType.CONTROL, 0, packRef(this.participant, 0), moveIn);
    cell.forwardTo(new ActorRef(to, newId, cell.definition.name));
    // The forwarder stays in the table (refs and records still name it) but is no live actor.
    this.liveCells--;
  }

  /** Records for an actor that is moving here wait until its definition has loaded. */
  expectArrival(id: number): void {
    this.arriving.set(id, []);
  }

  /**
   * Resolves true once the actor moving in under `id` is live here (at once if it is), false if
   * it could not be re-created. Its move-in record may still be on its way from the old worker.
   */
  whenArrived(id: number): Promise<boolean> {
    const cell = this.cells.get(id);
    if (cell !== undefined && !cell.isStopped) return Promise.resolve(true);
    return new Promise((resolve) => {
      let waiters = this.arrivalWaiters.get(id);
      if (waiters === undefined) this.arrivalWaiters.set(id, (waiters = []));
      waiters.push(resolve);
    });
  }

  private arrived(id: number, ok: boolean): void {
    const waiters = this.arrivalWaiters.get(id);
    if (waiters === undefined) return;
    this.arrivalWaiters.delete(id);
    for (const resolve of waiters) resolve(ok);
  }

  /** The moved actor's definition loaded: re-create it with its state, then its messages in order. */
  moveIn(definition: ActorDefinition<unknown, unknown, unknown>, m: MoveIn): void {
    const waiting = this.arriving.get(m.id) ?? [];
    this.arriving.delete(m.id);
    const cell = new ActorCell(this, m.id, definition, m.args, null, this.senderRef(m.parent), m.options);
    this.addCell(cell);
    cell.restoreFromMove(
      m.state,
      m.watchers.map(([packed, kind]) => new ActorRef(participantOf(packed), localIdOf(packed), kind)),
    );
    for (const [message, sender] of m.backlog) cell.enqueue(message, sender === 0 ? null : this.senderRef(sender));
    for (const [message, sender] of waiting) cell.enqueue(message, sender);
    // Local actors may hold the old ref. What they sent to it before now goes to the forwarder
    // and comes back; a fence sent now comes back behind all of it. Until then their new sends
    // to the old ref wait here, in order; after it they are delivered directly.
    this.aliases.set(m.from, { cell, held: [] });
    this.sendRecord(participantOf(m.from), RecordType.CONTROL, 0, packRef(this.participant, 0), {
      op: 'move-fence',
      id: localIdOf(m.from),
      back: this.participant,
    });
    this.arrived(m.id, true);
  }

  /** At the old place: the fence passed the forwarder; send it back behind what it forwarded. */
  bounceFence(id: number, back: number): void {
    this.sendRecord(back, RecordType.CONTROL, 0, packRef(this.participant, 0), {
      op: 'move-fence-back',
      from: packRef(this.participant, id),
    });
  }

  /** At the new place: the fence is back; what waited goes in, and the old ref is delivered here directly. */
  fenceBack(from: number): void {
    const alias = this.aliases.get(from);
    if (alias === undefined || alias.held === null) return;
    const held = alias.held;
    alias.held = null;
    for (const [message, sender] of held) alias.cell.enqueue(message, sender);
  }

  /** The moved actor could not be re-created: what waited for it becomes dead letters. */
  failArrival(id: number, name: string): void {
    const waiting = this.arriving.get(id) ?? [];
    this.arriving.delete(id);
    for (const [message, sender] of waiting) this.deadLetter(new ActorRef(this.participant, id, name), message, sender, 'move-failed');
    this.arrived(id, false);
  }

  /** Spawns a top-level actor on this thread. Throws what init throws. */
  spawnTopLevel(
    definition: ActorDefinition<unknown, unknown, unknown>,
    args: unknown,
    options: SpawnOptions | undefined,
    parent: ActorRef | null,
    /** Re-create an actor under its old id (a replaced worker); a fresh id otherwise. */
    id?: number,
  ): ActorCell {
    validateSpawnOptions(definition, options);
    if (id !== undefined && (this.cells.get(id) !== undefined || id < FIRST_ID || id >= ASK_SLOT_BIT)) {
      throw new BactorError(ErrorCode.INVALID_OPTION, `cannot re-create an actor under id ${id} on participant ${this.participant}`);
    }
    const cell = new ActorCell(this, id ?? this.allocateId(), definition, args, null, parent ?? this.guardianRef, options);
    this.register(cell);
    return cell;
  }

  /**
   * Spawns one top-level actor per element of `argsList` under consecutive ids; returns the
   * first. All or none: if an init throws, the ones already started are stopped and it throws.
   */
  spawnMany(
    definition: ActorDefinition<unknown, unknown, unknown>,
    argsList: readonly unknown[],
    options: SpawnOptions | undefined,
    parent: ActorRef,
  ): number {
    const cells: ActorCell[] = [];
    try {
      for (const args of argsList) cells.push(this.spawnTopLevel(definition, args, options, parent));
    } catch (error) {
      for (const cell of cells) cell.stopSelf();
      throw error;
    }
    // Ids are allocated one after another by this thread alone: consecutive.
    return cells.length === 0 ? 0 : cells[0]!.id;
  }

  spawnChild(
    parent: ActorCell,
    definition: ActorDefinition<unknown, unknown, unknown>,
    args: unknown,
    options: SpawnOptions | undefined,
  ): ActorCell {
    validateSpawnOptions(definition, options);
    const cell = new ActorCell(this, this.allocateId(), definition, args, parent, null, options);
    this.register(cell);
    parent.addChild(cell);
    return cell;
  }

  private register(cell: ActorCell): void {
    this.addCell(cell);
    const previous = this.current;
    try {
      this.current = cell;
      cell.start();
    } catch (error) {
      this.dropCell(cell.id);
      throw error;
    } finally {
      this.current = previous;
    }
  }

  private addCell(cell: ActorCell): void {
    // Ids grow by one from FIRST_ID (or resume from the watermark): the pages stay dense.
    this.cells.set(cell.id, cell);
    this.liveCells++;
  }

  private dropCell(id: number): void {
    if (this.cells.get(id) === undefined) return;
    this.cells.delete(id);
    this.liveCells--;
  }

  removeCell(cell: ActorCell): void {
    this.dropCell(cell.id);
    this.guardianWindows.delete(cell.id);
    // Only the rebalancer's looks empty these (takeLoad, takeTraffic): without it, an entry per actor ever sampled.
    this.load.delete(cell.id);
    this.traffic.delete(cell.id);
  }

  // ---- messaging ---------------------------------------------------------------------------

  currentSelf(): ActorRef | null {
    return this.current?.self ?? null;
  }

  tellFromCurrent(target: ActorRef, message: unknown): boolean {
    const current = this.current;
    return this.tell(target, message, current === null ? null : current.self);
  }

  /** Sends; false when the ring toward the target is full (the message waits in order, see sendRecord). */
  tell(target: ActorRef, message: unknown, sender: ActorRef | null): boolean {
    if (--this.sendBudget === 0) this.turnBudgetSpent();
    this.sends++;
    if (target.incarnation !== this.incarnation) {
      this.deadLetter(target, message, sender, STALE_REF);
      return true;
    }
    if (target.participant === this.participant) {
      const cell = target._cell as ActorCell | undefined;
      if (cell !== undefined && cell.host === this) cell.enqueue(message, sender);
      else this.deliverTo(target, message, sender);
      return true;
    }
    if (this.aliases.size > 0) {
      // An actor that moved here, addressed by its old ref: local once the fence came back,
      // held here in order until then (see moveIn).
      const moved = this.aliases.get(target.packed);
      if (moved !== undefined && !moved.cell.isStopped) {
        if (moved.held === null) moved.cell.enqueue(message, sender);
        else moved.held.push([message, sender]);
        return true;
      }
    }
    if ((++this.trafficTick & TRAFFIC_SAMPLE_MASK) === 0 && this.current !== null) this.sampleTraffic(this.current.id, target.packed);
    if (this.congestionOut.size !== 0 && this.congestionOut.has(target.packed)) {
      // Under flow control (its backlog reached its mark): the message goes and spends a credit;
      // a sending actor with none left is held after its handler.
      const more = this.congestionOut.beforeSend(target.packed, target, this.current);
      return this.sendRecord(target.participant, RecordType.USER, target.id, sender === null ? 0 : sender.packed, message) && more;
    }
    return this.sendRecord(target.participant, RecordType.USER, target.id, sender === null ? 0 : sender.packed, message);
  }

  /** See CellHost.congestion: tells every other thread. */
  congestion(cell: ActorCell, signal: FlowSignal, amount: number): void {
    const endpoint = this.endpoint;
    if (endpoint === null) return;
    const message: ControlMessage = { op: 'flow', target: cell.self.packed, signal, amount };
    for (let peer = 0; peer < endpoint.participants; peer++) if (peer !== this.participant) this.control(peer, message);
    // Published now, not at the end of the loop turn: every record a producer writes before it
    // reads this lands in the backlog (a congestion is usually noticed while the rings are read).
    if (signal === 'congested') this.flush();
  }

  /** The running turn sent its limit: it ends after the message being handled (see ActorCell.run). */
  private turnBudgetSpent(): void {
    if (this.current !== null) this.current.yieldTurn();
    else this.sendBudget = NO_TURN_BUDGET;
  }

  /**
   * Counts one sampled message from local actor `from` to the actor at `to` (another thread).
   * Only the rebalancer empties the samples (takeTraffic; off by default), so they are kept
   * bounded: replies to asks (a new slot each: no pair to place together) are not counted, and a
   * table past TRAFFIC_KEYS entries starts again.
   */
  private sampleTraffic(from: number, to: number): void {
    if (isAskSlot(localIdOf(to))) return;
    let targets = this.traffic.get(from);
    if (targets === undefined) {
      if (this.traffic.size >= TRAFFIC_KEYS) this.traffic.clear();
      this.traffic.set(from, (targets = new Map()));
    } else if (targets.size >= TRAFFIC_KEYS && !targets.has(to)) targets.clear();
    targets.set(to, (targets.get(to) ?? 0) + 1);
  }

  /** The busiest cross-thread pairs since the last call, as [from, to, samples] (1 sample ≈ 64 messages); resets. */
  takeTraffic(limit = 32): [number, number, number][] {
    const pairs: [number, number, number][] = [];
    for (const [from, targets] of this.traffic) for (const [to, n] of targets) pairs.push([packRef(this.participant, from), to, n]);
    this.traffic.clear();
    return pairs.sort((a, b) => b[2] - a[2]).slice(0, limit);
  }

  /** The ring toward the target's thread is full, or the target's backlog is past its high-water mark. */
  isBackpressured(target: ActorRef): boolean {
    const peer = target.participant;
    if (peer === this.participant) return false;
    return (peer < this.overflow.length && this.overflow[peer]!.length > 0) || this.congestionOut.blocked(target.packed);
  }

  /** Resolves when nothing waits for room in the ring toward the target and its backlog is below its mark (at once for local targets). */
  async whenWritable(target: ActorRef): Promise<void> {
    const peer = target.participant;
    if (peer === this.participant || peer >= this.overflow.length) return;
    while (this.isBackpressured(target)) {
      if (this.overflow[peer]!.length > 0) await new Promise<void>((resolve) => this.writableWaiters[peer]!.push(resolve));
      else await this.congestionOut.whenClear(target.packed);
    }
  }

  ask(target: ActorRef, message: unknown, timeoutMs: number): Promise<unknown> {
    if (!(timeoutMs > 0))
      return Promise.reject(new BactorError(ErrorCode.INVALID_OPTION, `ask timeout=${timeoutMs} must be a positive number of ms`));
    const id = this.allocateSlot();
    const slotRef = new ActorRef(this.participant, id, 'ask');
    return new Promise((resolve, reject) => {
      const timer = this.timers.schedule(timeoutMs, () => {
        this.slots.delete(id);
        reject(new BactorError(ErrorCode.ASK_TIMEOUT, `${target} did not answer ${describeMessageType(message)} within ${timeoutMs} ms`));
      });
      this.slots.set(id, { resolve, reject, timer });
      try {
        this.tell(target, message, slotRef);
      } catch (error) {
        timer.cancel();
        this.slots.delete(id);
        reject(error);
      }
      this.onWork?.();
    });
  }

  /**
   * A local ref without its cell (decoded from a record, or made by another thread's runtime):
   * finds the cell and keeps it on the ref, so the ref's next tell goes straight to it.
   */
  private deliverTo(target: ActorRef, message: unknown, sender: ActorRef | null): void {
    const cell = this.cells.get(target.id);
    if (cell !== undefined && !cell.isStopped) {
      target._cell = cell;
      cell.enqueue(message, sender);
      return;
    }
    this.deliver(target.id, message, sender);
  }

  /** Delivers to a local actor or ask slot; otherwise to dead letters. */
  private deliver(id: number, message: unknown, sender: ActorRef | null): void {
    const cell = this.cells.get(id);
    if (cell !== undefined) {
      cell.enqueue(message, sender);
      return;
    }
    if (this.arriving.size > 0) {
      const waiting = this.arriving.get(id);
      if (waiting !== undefined) {
        waiting.push([message, sender]);
        return;
      }
    }
    const slot = this.slots.get(id);
    if (slot !== undefined) {
      this.slots.delete(id);
      slot.timer.cancel();
      slot.resolve(message);
      return;
    }
    this.deadLetter(new ActorRef(this.participant, id), message, sender, 'unknown');
  }

  deadLetter(target: ActorRef, message: unknown, sender: ActorRef | null, reason: string): void {
    this.deadLetters++;
    // An ask whose question cannot be delivered fails now rather than at its timeout.
    if (sender !== null && isAskSlot(sender.id)) {
      if (sender.participant === this.participant) this.failSlot(sender.id, target, reason);
      else
        this.sendRecord(sender.participant, RecordType.SYSTEM, sender.id, 0, {
          k: 'ask-failed',
          target: String(target),
          reason,
        } satisfies RemoteSystemOp);
    }
    this.onEvent({
      type: 'dead-letter',
      target: String(target),
      reason,
      messageType: describeMessageType(message),
      sender: sender === null ? null : String(sender),
    });
  }

  failAsk(asker: ActorRef, actor: ActorRef, messageType: string, error: unknown): void {
    const info = errorInfo(error);
    const reason = `failed on '${messageType}'`;
    if (asker.participant === this.participant) this.failSlot(asker.id, actor, reason, info);
    else
      this.sendRecord(asker.participant, RecordType.SYSTEM, asker.id, 0, {
        k: 'ask-failed',
        target: String(actor),
        reason,
        error: info,
      } satisfies RemoteSystemOp);
  }

  reportFailure(actor: ActorRef, error: unknown, directive: string): void {
    this.onEvent({ type: 'actor-failed', actor: String(actor), error: errorInfo(error), directive });
  }

  get currentCell(): ActorCell | null {
    return this.current;
  }

  private failSlot(id: number, target: ActorRef | string, reason: string, error?: ReturnType<typeof errorInfo>): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    slot.timer.cancel();
    if (error !== undefined) {
      const cause = Object.assign(new Error(error.message), error);
      slot.reject(new BactorError(ErrorCode.ACTOR_FAILED, `${target} ${reason}: ${error.message}`, { cause }));
      return;
    }
    slot.reject(
      reason === 'mailbox-full'
        ? new BactorError(ErrorCode.MAILBOX_FULL, `mailbox of ${target} is full: the ask was refused`)
        : new BactorError(
            ErrorCode.ACTOR_NOT_FOUND,
            reason === STALE_REF
              ? `${target} belongs to an actor system that has shut down (refs do not carry over to a new system): the ask cannot be answered`
              : `${target} is ${reason === 'stopped' ? 'stopped' : 'unknown'}: the ask cannot be answered`,
          ),
    );
  }

  sendSystem(
    target: ActorRef,
    op: { k: 'stop' } | { k: 'watch' | 'unwatch'; watcher: ActorRef } | { k: 'terminated'; ref: ActorRef },
  ): void {
    if (target.incarnation !== this.incarnation) {
      // A ref of an earlier system: it is gone (a watch gets its Terminated at once).
      if (op.k === 'watch') this.sendSystem(op.watcher, { k: 'terminated', ref: target });
      return;
    }
    if (target.participant === this.participant) {
      const cell = this.cells.get(target.id);
      if (cell !== undefined && !cell.isStopped) {
        cell.enqueueSystem(op);
      } else if (op.k === 'terminated' && target.id === 1) {
        this.onGuardianTerminated?.(op.ref);
      } else if (op.k === 'watch') {
        // Watching an actor that is already gone: Terminated at once.
        this.sendSystem(op.watcher, { k: 'terminated', ref: target });
      }
      return;
    }
    let body: RemoteSystemOp;
    switch (op.k) {
      case 'stop':
        body = { k: 'stop' };
        break;
      case 'watch':
      case 'unwatch':
        body = { k: op.k, watcher: op.watcher.packed, kind: op.watcher.kind };
        break;
      case 'terminated':
        body = { k: 'terminated', ref: op.ref.packed, kind: op.ref.kind };
        break;
    }
    this.sendRecord(target.participant, RecordType.SYSTEM, target.id, 0, body);
  }

  /**
   * Sends a record toward `peer`. When the ring is full the record waits in order in a bounded
   * overflow queue and the running actor is suspended: it finishes its handler, then takes no
   * message until `flush` has moved the queue into the ring. Returns false in that case.
   */
  sendRecord(peer: number, type: number, h0: number, h1: number, body: unknown): boolean {
    const endpoint = this.endpoint;
    if (endpoint === null || peer >= this.overflow.length) {
      throw new BactorError(ErrorCode.INVALID_ARGUMENT, `participant ${peer} is not reachable from participant ${this.participant}`);
    }
    const overflow = this.overflow[peer]!;
    if (overflow.length === 0 && endpoint.send(peer, type, body, h0, h1)) {
      this.markDirty();
      return true;
    }
    // The ring is full: check the message now, so a bad one still fails at the call site.
    inspectMessage(body);
    if (type === RecordType.USER && overflow.length >= this.overflowLimit) {
      throw new BactorError(
        ErrorCode.BACKPRESSURE,
        `the ring to participant ${peer} is full and ${overflow.length} messages wait for it (overflowLimit): ` +
          'message refused; await ref.send(), or wait while ref.backpressured, to follow the consumer',
      );
    }
    overflow.push({ type, h0, h1, body });
    this.overflowed++;
    const current = this.current;
    if (current !== null && type === RecordType.USER && current.holdForRing()) {
      this.held[peer]!.push(current);
      this.suspended++;
    }
    this.markDirty();
    return false;
  }

  private markDirty(): void {
    if (this.dirty) return;
    this.dirty = true;
    this.onWork?.();
  }

  /** Sends what waits in the overflow queues and publishes everything; true when all went out. */
  flush(): boolean {
    const endpoint = this.endpoint;
    if (endpoint === null) return true;
    let drained = true;
    for (let peer = 0; peer < this.overflow.length; peer++) {
      const overflow = this.overflow[peer]!;
      if (overflow.length === 0) continue;
      while (overflow.length > 0) {
        const r = overflow.peek()!;
        if (!endpoint.send(peer, r.type, r.body, r.h0, r.h1)) {
          drained = false;
          break;
        }
        overflow.shift();
        this.overflowed--;
      }
      if (overflow.length === 0) this.releaseHeld(peer);
    }
    endpoint.flush();
    this.dirty = !drained;
    return drained;
  }

  /** The ring toward `peer` took everything that waited: resume its producers and waiters. */
  private releaseHeld(peer: number): void {
    const held = this.held[peer]!;
    if (held.length > 0) {
      this.held[peer] = [];
      this.suspended -= held.length;
      for (const cell of held) cell.releaseRing();
    }
    const waiters = this.writableWaiters[peer]!;
    if (waiters.length > 0) {
      this.writableWaiters[peer] = [];
      for (const resolve of waiters) resolve();
    }
  }

  // ---- control plane -----------------------------------------------------------------------

  /** Sends a control message and waits for the reply with the same request id. */
  request(peer: number, message: ControlMessage & { req?: number }): Promise<ControlMessage> {
    const req = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pendingRequests.set(req, { peer, resolve, reject });
      try {
        this.sendRecord(peer, RecordType.CONTROL, 0, packRef(this.participant, 0), { ...message, req });
      } catch (error) {
        this.pendingRequests.delete(req);
        reject(error);
      }
    });
  }

  /** Fails the pending requests to `peer` (it died), or all of them (the system stops). */
  failRequests(error: unknown, peer?: number): void {
    for (const [req, pending] of this.pendingRequests) {
      if (peer !== undefined && pending.peer !== peer) continue;
      this.pendingRequests.delete(req);
      pending.reject(error);
    }
  }

  control(peer: number, message: ControlMessage): void {
    this.sendRecord(peer, RecordType.CONTROL, 0, packRef(this.participant, 0), message);
  }

  // ---- MessageSink: records from the rings ---------------------------------------------------

  onMessage(type: number, header0: number, header1: number, message: unknown): void {
    switch (type) {
      case RecordType.USER:
        this.deliver(header0, message, header1 === 0 ? null : this.senderRef(header1));
        return;
      case RecordType.SYSTEM:
        this.onSystemRecord(header0, message as RemoteSystemOp);
        return;
      case RecordType.CONTROL: {
        const control = message as ControlMessage & { req?: number; reply?: number };
        if (control.op === 'flow') {
          // Code outside actors may send a default mark's worth past a congestion before
          // ERR_BACKPRESSURE: a small bounded mailbox must not refuse the odd ask.
          if (control.signal === 'congested') this.congestionOut.congested(control.target, Math.max(control.amount, DEFAULT_HIGH_WATER));
          else if (control.signal === 'grant') this.congestionOut.grant(control.target, control.amount);
          else this.congestionOut.release(control.target);
          return;
        }
        if (control.reply !== undefined) {
          const pending = this.pendingRequests.get(control.reply);
          if (pending !== undefined) {
            this.pendingRequests.delete(control.reply);
            pending.resolve(control);
          }
          return;
        }
        this.onControl(participantOf(header1), control);
        return;
      }
    }
  }

  /**
   * The ref of a remote sender, from its packed form. Senders repeat (a stream from one actor),
   * so the last refs are kept: no allocation per message in the common case.
   */
  private senderRef(packed: number): ActorRef {
    let ref = this.senderRefs.get(packed);
    if (ref === undefined) {
      if (this.senderRefs.size >= 4096) this.senderRefs.clear();
      ref = new ActorRef(participantOf(packed), localIdOf(packed));
      this.senderRefs.set(packed, ref);
    }
    return ref;
  }

  onDecodeError(error: BactorError, type: number, header0: number): void {
    this.onEvent({
      type: 'dead-letter',
      target: `#${header0}@${this.participant}`,
      reason: `malformed: ${error.message}`,
      messageType: `record type ${type}`,
      sender: null,
    });
    this.deadLetters++;
  }

  private onSystemRecord(id: number, op: RemoteSystemOp): void {
    const self = new ActorRef(this.participant, id);
    switch (op.k) {
      case 'stop':
        this.sendSystem(self, { k: 'stop' });
        return;
      case 'watch':
      case 'unwatch': {
        const watcher = new ActorRef(participantOf(op.watcher), localIdOf(op.watcher), op.kind);
        this.sendSystem(self, { k: op.k, watcher });
        return;
      }
      case 'terminated': {
        if (id === 1) {
          this.onGuardianTerminated?.(new ActorRef(participantOf(op.ref), localIdOf(op.ref), op.kind));
          return;
        }
        const cell = this.cells.get(id);
        if (cell !== undefined)
          cell.enqueueSystem({ k: 'terminated', ref: new ActorRef(participantOf(op.ref), localIdOf(op.ref), op.kind) });
        return;
      }
      case 'ask-failed':
        this.failSlot(id, op.target, op.reason, op.error);
        return;
    }
  }

  // ---- running -----------------------------------------------------------------------------

  schedule(cell: ActorCell): void {
    // The head of the run queue lives in `next` while the deque is empty: a ping-pong hands the
    // turn over without a deque push and shift. Queued, then marked: a handler the watchdog
    // interrupts between the two (inside a `tell`) leaves at worst a second entry, an extra
    // turn; marked first, it could leave a cell marked scheduled that no queue holds, never to
    // run again.
    if (this.next === null && this.runQueue.length === 0) this.next = cell;
    else this.runQueue.push(cell);
    cell.scheduled = true;
    this.onWork?.();
  }

  /**
   * Runs actors from the run queue until about `budget` messages were handled; returns how many.
   * In heavy mode (see `timedRun`) the call also ends after the turn that ends past HEAVY_LOOP_MS,
   * or once each actor queued at the start had a turn: the loop turns again soon, so other
   * threads' records, control requests and the watchdog's view stay fresh.
   */
  runActors(budget: number): number {
    let total = 0;
    const queue = this.runQueue;
    const stats = this.stats;
    const loopEnd = this.heavy ? performance.now() + HEAVY_LOOP_MS : 0;
    // Heavy mode bounds the call in time, not in messages: a count would starve fast actors beside
    // slow ones. And to one turn for each actor queued at the start: a slow actor that is always
    // runnable would otherwise take a second turn while a fast one waits for the rings to be read
    // again (its messages come from them), and take two thirds of the thread.
    let rotation = queue.length + (this.next !== null ? 1 : 0);
    if (loopEnd !== 0) budget = HEAVY_BUDGET;
    try {
      while (total < budget) {
        let cell = this.next;
        if (cell !== null) this.next = null;
        else if (queue.length > 0) cell = queue.shift()!;
        else break;
        cell.scheduled = false;
        this.current = cell;
        // Which actor runs, on which type of message (the watchdog's word; one store per turn).
        stats[CURRENT] = cell.currentStamp;
        // A turn takes no more than what is left of the loop turn's budget (a slow actor with a
        // long backlog would otherwise hold the thread for its whole quarter-of-backlog turn).
        if (--this.untilTimed > 0) total += cell.run(budget - total);
        else total += this.timedRun(cell, budget - total);
        if (!cell.scheduled && cell.runnable) {
          // Back of the run queue: the others get their turn first (queued, then marked: see schedule).
          if (this.next === null && queue.length === 0) this.next = cell;
          else queue.push(cell);
          cell.scheduled = true;
        }
        if (loopEnd !== 0 && (this.timedAt >= loopEnd || --rotation <= 0)) break;
      }
    } finally {
      this.current = null;
      // Between turns (the cells stamp CURRENT per message; see stats-layout.ts).
      stats[CURRENT] = 0;
      this.processed += total;
    }
    return total;
  }

  /**
   * A timed actor turn. Light mode times about one turn in 256, at random gaps (128–383 turns: a
   * clock read costs about one local message here), each sample standing for its gap in the
   * per-actor load the rebalancer reads. Heavy mode — loop turns averaging more than
   * HEAVY_MS_PER_MESSAGE (see noteLoopTurn), or the watchdog's restart policy — times every turn
   * and runs it one message at a time until HEAVY_TURN_MS (a clock read per message is nothing
   * next to such handlers).
   */
  private timedRun(cell: ActorCell, cap: number): number {
    const heavy = this.heavy;
    let weight = 1;
    if (!heavy) {
      let x = this.loadSeed;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.loadSeed = x;
      weight = LOAD_SAMPLE_MEAN / 2 + ((x >>> 0) % LOAD_SAMPLE_MEAN);
    }
    const sends0 = this.sends;
    const t0 = performance.now();
    let n: number;
    if (!heavy) n = cell.run(cap);
    else {
      // Heavy mode bounds each turn in time. An actor known to be fast (its recent turns) runs a
      // turn's worth of messages without a clock read per message; the others one at a time.
      const estimate = cell.msPerMessage;
      n =
        estimate > 0 && estimate < FAST_MS_PER_MESSAGE && !this.forcedHeavy
          ? cell.run(-Math.max(2, Math.floor(HEAVY_TURN_MS / estimate)))
          : cell.runUntil(t0 + HEAVY_TURN_MS);
    }
    const t1 = performance.now();
    this.timedAt = t1;
    const ms = t1 - t0;
    // Work = messages taken + messages sent: a producer that sends a thousand per message it
    // takes is not a slow actor (its turns end by their send budget).
    const work = n + (this.sends - sends0);
    if (n > 0) {
      cell.noteTurn(ms, work);
      // A sampled turn of a slow actor: heavy mode now (fast neighbours may hide it from the loop's average).
      if (!heavy && cell.msPerMessage > HEAVY_MS_PER_MESSAGE) this.setHeavy(true);
    }
    // Not for a turn that stopped the actor: removeCell already dropped its entry.
    if (!cell.isStopped) this.load.set(cell.id, (this.load.get(cell.id) ?? 0) + ms * weight);
    this.handlerMs += ms * weight;
    if (heavy && n > 0) this.noteHeavyTurn(ms, work);
    this.untilTimed = this.heavy ? 1 : weight;
    return n;
  }

  /**
   * The host loop's view of one loop turn (`ms` of work for `messages`). Two light loop turns in
   * a row averaging more than HEAVY_MS_PER_MESSAGE switch to heavy mode (one alone may be a GC
   * pause or a JIT compilation).
   */
  noteLoopTurn(ms: number, messages: number): void {
    if (this.heavy || messages === 0) return;
    // Slow on average, or long: a slow actor's turns keep the rings unread for the others.
    if (ms / messages <= HEAVY_MS_PER_MESSAGE && ms <= SLOW_LOOP_MS) this.modeStreak = 0;
    else if (++this.modeStreak >= 2) this.setHeavy(true);
  }

  /**
   * Heavy mode: the timed turns are summed over windows of ~20 ms (or 1,000 messages), and a
   * window averaging under a quarter of HEAVY_MS_PER_MESSAGE switches back to light. A window,
   * not single turns: an actor that sends a hundred messages per message it takes looks heavy
   * beside the light one it feeds.
   */
  private noteHeavyTurn(ms: number, messages: number): void {
    this.windowMs += ms;
    this.windowMessages += messages;
    const perMessage = ms / messages;
    if (perMessage > this.windowSlowest) this.windowSlowest = perMessage;
    if (this.windowMs < 20 && this.windowMessages < 1000) return;
    // Light again when the window is light on average and no actor in it was slow enough that a
    // light loop turn of its messages would pass SLOW_LOOP_MS (fast neighbours must not hide it).
    const light = this.windowMs / this.windowMessages < HEAVY_MS_PER_MESSAGE / 4 && this.windowSlowest * DEFAULT_BATCH < SLOW_LOOP_MS;
    this.windowMs = 0;
    this.windowMessages = 0;
    this.windowSlowest = 0;
    if (light && !this.forcedHeavy) this.setHeavy(false);
  }

  private setHeavy(heavy: boolean): void {
    this.heavy = heavy;
    this.modeStreak = 0;
    this.windowMs = 0;
    this.windowMessages = 0;
    this.windowSlowest = 0;
    this.untilTimed = 1;
  }

  /**
   * Every actor turn timed and run a message at a time (see timedRun): the watchdog's restart
   * policy needs loop turns bounded in time whatever the handlers do.
   */
  set alwaysHeavy(value: boolean) {
    this.forcedHeavy = value;
    if (value) this.setHeavy(true);
  }
  get alwaysHeavy(): boolean {
    return this.forcedHeavy;
  }

  /** Every actor turn is timed and bounded (see timedRun). */
  get heavyMode(): boolean {
    return this.heavy;
  }

  /**
   * The actors that took the most handler time since the last call, as [local id, estimated ms]
   * (turns are timed at random, ~1 in 256, each standing for the gap before the next); resets.
   */
  takeLoad(limit = 16): [number, number][] {
    const out = [...this.load].sort((a, b) => b[1] - a[1]).slice(0, limit);
    this.load.clear();
    return out;
  }

  /**
   * The watchdog's guard stopped this thread's loop inside a handler (host-loop.ts): the turn
   * that ran is gone without its `finally`. Fails the actor whose turn it was with
   * ERR_HANDLER_STUCK (its supervisor decides: restart by default), and returns what it was on.
   */
  interrupted(): { actor: string; messageType: string } | null {
    const cell = this.current;
    this.current = null;
    this.stats[CURRENT] = 0;
    this.sendBudget = NO_TURN_BUDGET;
    this.endpoint?.abandonWrites();
    if (cell === null) return null;
    // Its turn never reached its end: a turn that had sent its limit would leave the actor held.
    cell.turnInterrupted();
    const messageType = describeMessageType(cell.message);
    cell.fail(
      new BactorError(
        ErrorCode.HANDLER_STUCK,
        `${cell.self} was interrupted: its handler ran past the watchdog's limit on a '${messageType}' message`,
      ),
    );
    return { actor: String(cell.self), messageType };
  }

  get runQueueLength(): number {
    return (this.next === null ? 0 : 1) + this.runQueue.length;
  }

  get hasRunnable(): boolean {
    return this.next !== null || this.runQueue.length > 0;
  }

  asyncDelta(delta: number): void {
    this.pendingAsync += delta;
    if (delta < 0) this.onWork?.();
  }

  runTask<T>(moduleUrl: string, exportName: string, input: unknown): Promise<T> {
    if (this.taskPool === null) return Promise.reject(new BactorError(ErrorCode.INVALID_OPTION, 'runTask: this thread has no task pool'));
    return this.taskPool.run<T>(moduleUrl, exportName, input);
  }

  // ---- root guardian -----------------------------------------------------------------------

  /** A top-level actor failed: apply the guardian strategy here, report what reaches the root. */
  guardianFailure(cell: ActorCell, error: unknown): void {
    if (this.decideRemotely === null) {
      this.applyGuardian(cell, error, this.guardianStrategy);
      return;
    }
    // The actor stays suspended (system messages only) until the main thread's decider answers.
    this.decideRemotely(cell.self, error).then(
      (directive) => this.applyGuardian(cell, error, { ...this.guardianStrategy, decider: () => directive }),
      () => this.applyGuardian(cell, error, { ...this.guardianStrategy, decider: () => 'stop' }),
    );
  }

  private applyGuardian(cell: ActorCell, error: unknown, strategy: SupervisorStrategy): void {
    if (cell.isStopped) return;
    const directive = applyDirective(this, strategy, cell, error, [cell], (e) => {
      // Escalation past the root guardian: stop the actor and report.
      cell.stopSelf();
      this.onEvent({
        type: 'actor-failed',
        actor: String(cell.self),
        error: errorInfo(e),
        directive: 'escalated to the root guardian: stopped',
      });
    });
    if (directive !== 'escalate') this.onEvent({ type: 'actor-failed', actor: String(cell.self), error: errorInfo(error), directive });
  }

  /**
   * Worker `worker` died and was replaced; of its top-level actors, those in `recreated` live
   * again under their refs. Watches of its actors: on a re-created one, sent again (its new
   * incarnation starts without watchers); on one that is gone, Terminated now. Watchers it held
   * on actors here that are gone are forgotten.
   */
  peerDied(worker: number, recreated: readonly number[]): void {
    const again = new Set(recreated);
    // Its actors drain no more: what waited for them goes on (the re-created ones start empty).
    this.congestionOut.releaseParticipant(worker);
    for (const cell of this.cells) if (!cell.isStopped) cell.peerDied(worker, again);
  }

  /** Stops every actor on this thread, children first. */
  stopAll(): void {
    for (const cell of this.topLevel()) cell.stopSelf();
  }

  /** Rejects every pending ask (shutdown). */
  failAsks(error: unknown): void {
    for (const [id, slot] of this.slots) {
      slot.timer.cancel();
      slot.reject(error);
      this.slots.delete(id);
    }
  }
}

function validateSpawnOptions(definition: ActorDefinition<unknown, unknown, unknown>, options: SpawnOptions | undefined): void {
  checkSpawnArguments(definition, options);
  validateMailboxOptions(definition.behavior.mailbox, `defineActor(${definition.name})`);
}
