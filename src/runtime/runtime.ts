import { OUTSIDE_POLL_SENDS, sendBudgetSpent } from './outside-sends.js';
import { type ActorTap, ActorTaps } from './actor-taps.js';
import '../actor/actor-ref-codec.js';
import { ActorCell, type CellHost, type FlowSignal } from '../actor/actor-cell.js';
import type { ActorDefinition } from '../actor/actor-definition.js';
import { ActorRef, type RefRouter, currentIncarnation, packRef, participantOf } from '../actor/actor-ref.js';
import type { SpawnOptions } from '../actor/spawn-options.js';
import type { MessageSink } from '../codec/message-decoder.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { DEFAULT_STRATEGY, type SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import type { TransportEndpoint } from '../transport/transport.js';
import { systemClock } from './clock.js';
import { TimerQueue } from './timer-queue.js';
import { STATS_SLOT_FLOAT64 } from '../../native-free-core/layout/stats-layout.js';
import { errorInfo } from '../errors/error-info.js';
import { packRemote, unpackRemoteIn } from '../remote/remote-message.js';
import { DeadLetters } from './dead-letters.js';
import { SenderRefs } from './sender-refs.js';
import { AskSlots, STALE_REF, type SendQuestion, isAskSlot } from './ask-slots.js';
import { ControlRequests } from './control-requests.js';
import { DEFAULT_QUANTUM } from './knob-defaults.js';
import { Migration, type MigrationHost } from './migration.js';
import { DEFAULT_OVERFLOW_LIMIT, Outbound, type OutboundHost, type Sender } from './outbound.js';
import { RunQueue } from './run-queue.js';
import { CellSpawner } from './cell-spawner.js';
import type { RuntimeOptions } from './runtime-options.js';
import { type SystemSend, SystemOps } from './system-ops.js';
import { TrafficSamples } from './traffic-samples.js';
import type { KindMetrics } from './kind-metrics.js';
import type { ThreadTracer } from '../observability/tracing/thread-tracer.js';
import { type TraceRecordBody, TracedMessage, setTracingOn, tracingOn } from '../observability/tracing/trace-context.js';
import { TraceMarks } from '../observability/tracing/trace-marks.js';
import { TraceSends } from './trace-sends.js';
import { NO_LOGS, type ThreadLogs } from '../observability/actor-log.js';
import type { TypeNameTable } from '../../native-free-core/stats/stats-block.js';
import type { TaskPool } from './task-pool.js';
import { LocalActors } from './local-actors.js';
import { RootGuardian } from './root-guardian.js';
import type { RuntimeEvent } from './runtime-event.js';
import { type ControlMessage, RecordType, type RemoteSystemOp } from './wire-messages.js';
import { JournalClient } from '../persistence/journal-client.js';
import type { ReliableConsumer } from '../reliable/reliable-inbox.js';
import { ReliableRoom } from './reliable-room.js';
import { ReliableEnvelope } from '../reliable/reliable-messages.js';
import type { ReliableMarks, ReliableSeqBody } from '../reliable/reliable-marks.js';

export type { RuntimeEvent } from './runtime-event.js';

export type { RuntimeOptions } from './runtime-options.js';

/**
 * The actor runtime of one thread (a worker, or the main thread): its actors and the routing of
 * messages to them — to a local cell, to an ask slot, to the rings toward other threads, or to
 * dead letters. The rooms it delegates to: the run queue and turn timing (run-queue.ts,
 * turn-timer.ts), asks (ask-slots.ts), the sending side and its backpressure (outbound.ts),
 * control requests (control-requests.ts), migration (migration.ts), traffic samples
 * (traffic-samples.ts), dead letters (dead-letters.ts), system messages (system-ops.ts), the
 * actors and their ids (local-actors.ts, cell-spawner.ts), the root guardian (root-guardian.ts).
 */
export class Runtime implements CellHost, RefRouter, MessageSink, MigrationHost, OutboundHost {
  readonly participant: number;
  readonly timers: TimerQueue;
  readonly endpoint: TransportEndpoint | null;
  readonly guardianStrategy: SupervisorStrategy;
  readonly guardianRef: ActorRef;
  /** The incarnation of this thread's system (see ActorRef.incarnation): refs of another reach nothing. */
  readonly incarnation = currentIncarnation();
  /** This thread's actors by local id, and their ids. */
  readonly actors: LocalActors;
  readonly runs: RunQueue<ActorCell>;
  readonly asks: AskSlots;
  readonly outbound: Outbound;
  readonly requests: ControlRequests;
  readonly migration: Migration;
  readonly traffic: TrafficSamples;
  private readonly systemOps: SystemOps;
  /** Creates this thread's actors (top-level ones, in bulk, children). */
  readonly spawner: CellSpawner;
  /** Reliable delivery: the sending side, the RELIABLE_SEQ marks and the inbox of this thread's actors (reliable-room.ts). */
  readonly reliable: ReliableRoom;
  /** The reliable room's RELIABLE_SEQ marks (read inline on the USER path). */
  private readonly marks: ReliableMarks;
  /** Persistent actors' way to the journal on the main thread (the main thread's own is linked to it directly). */
  readonly journal: JournalClient;
  private readonly guardian: RootGuardian;
  private readonly onEvent: (event: RuntimeEvent) => void;
  private readonly onControl: (from: number, message: ControlMessage) => void;
  private readonly senderRefs = new SenderRefs();
  readonly taskPool: TaskPool | null;
  /** Handler promises not yet settled. */
  pendingAsync = 0;
  /** What could not be delivered (dead-letters.ts). */
  readonly dead: DeadLetters;
  /** A ref watched by this thread's guardian stopped (the system's name table uses it). */
  onGuardianTerminated: ((ref: ActorRef) => void) | null = null;
  /** Messages per actor turn (taken, and sent) for actors without their own throughput (a scheduler knob). */
  quantum = DEFAULT_QUANTUM;
  /**
   * Sends left in the running actor turn (each turn sets it; see ActorCell.run). Sends outside a
   * turn (the main thread's, a timer's) count down what the last turn left; at zero the thread
   * reads its rings and starts again from OUTSIDE_POLL_SENDS (outside-sends.ts).
   */
  sendBudget = OUTSIDE_POLL_SENDS;
  /** Messages sent from this thread so far (a timed turn's work counts its sends: see TurnTimer). */
  sends = 0;
  /** This thread's slot of the stats block (a private one without a block). */
  readonly stats: Float64Array;
  /** Names behind the CURRENT codes (none without a stats block: every code is 0). */
  private readonly typeNames: TypeNameTable | null;
  /** This thread's side of the metrics block (null without monitoring: cells get base -1). */
  readonly metrics: KindMetrics | null;
  /** This thread's side of tracing (null without the `tracing` option: one compare per send). */
  readonly tracer: ThreadTracer | null;
  /** The actors' logs of this thread (`ctx.log`). */
  readonly logs: ThreadLogs;
  /** The send side of tracing (null without it). */
  readonly traceSends: TraceSends | null;
  /** TRACE records read, per sending thread (null without tracing). */
  private readonly traceMarks: TraceMarks | null;
  /** The traced actors of this thread (system.traceActor), and the tap whose handler runs now (its sends are entries). */
  readonly taps = new ActorTaps((event) => this.onEvent(event));
  tapping: ActorTap | null = null;
  /** Called when local work appears while the thread may be parked (the main thread's wake-up; a worker's own doorbell during a waitAsync park). */
  onWork: (() => void) | null = null;
  readonly random: () => number;
  /** The gateway thread's participant number (0: no remote); refs of other incarnations go there. */
  readonly gateway: number;

  constructor(options: RuntimeOptions) {
    this.participant = options.participant;
    this.gateway = options.gateway ?? 0;
    this.endpoint = options.endpoint;
    this.timers = new TimerQueue(options.clock ?? systemClock);
    this.guardianStrategy = options.guardianStrategy ?? DEFAULT_STRATEGY;
    this.guardianRef = new ActorRef(this.participant, 1, 'guardian');
    this.onEvent = options.onEvent ?? (() => {});
    this.onControl = options.onControl ?? (() => {});
    this.random = options.random ?? Math.random;
    this.taskPool = options.taskPool ?? null;
    this.actors = new LocalActors(this.participant, options.idWatermark ?? null);
    this.guardian = new RootGuardian(this, this.guardianStrategy, this.onEvent, options.decideRemotely ?? null);
    this.stats = options.stats ?? new Float64Array(STATS_SLOT_FLOAT64);
    this.typeNames = options.typeNames ?? null;
    this.runs = new RunQueue<ActorCell>(this, this.stats, () => this.onWork?.());
    this.metrics = options.metrics ?? null;
    this.tracer = options.tracer ?? null;
    this.traceMarks = this.tracer === null ? null : new TraceMarks();
    this.traceSends = this.tracer === null ? null : new TraceSends(this, this.tracer);
    this.logs = options.logs ?? NO_LOGS;
    setTracingOn(this.tracer !== null);
    if (this.metrics !== null) this.runs.countInto(this.metrics);
    this.asks = new AskSlots(this.timers, (id) => new ActorRef(this.participant, id, 'ask'));
    this.outbound = new Outbound(
      this.participant,
      this.endpoint,
      this,
      options.overflowLimit ?? DEFAULT_OVERFLOW_LIMIT,
      options.gateway ?? 0,
      this.incarnation,
    );
    const from = packRef(this.participant, 0);
    this.requests = new ControlRequests((peer, message) => this.sendRecord(peer, RecordType.CONTROL, 0, from, message));
    this.migration = new Migration(this);
    this.traffic = new TrafficSamples(this.participant);
    this.systemOps = new SystemOps(this, this.asks);
    this.dead = new DeadLetters(this, this.asks, this.onEvent);
    this.spawner = new CellSpawner(this, this.actors, this.runs);
    this.reliable = new ReliableRoom(this);
    this.marks = this.reliable.marks;
    this.journal = new JournalClient(
      (message) => this.control(0, message),
      () => this.wake(),
      () => this.outbound.flush(),
    );
  }

  typeCode(name: string): number {
    return this.typeNames === null ? 0 : this.typeNames.code(name);
  }

  /** The cell of local id `id`, if any (a forwarder of a moved actor included). */
  cell(id: number): ActorCell | undefined {
    return this.actors.get(id);
  }

  get cellHost(): CellHost {
    return this;
  }

  // ---- spawning (the system and the control plane spawn top-level actors through `spawner`) ----

  spawnChild(
    parent: ActorCell,
    definition: ActorDefinition<unknown, unknown, unknown>,
    args: unknown,
    options: SpawnOptions | undefined,
  ): ActorCell {
    return this.spawner.child(parent, definition, args, options);
  }

  removeCell(cell: ActorCell): void {
    this.actors.remove(cell.id);
    if (cell.tap !== null) this.taps.removed(cell);
    // Only the rebalancer's looks empty these (takeLoad, take): without it, an entry per actor ever sampled.
    this.runs.timer.forget(cell.id);
    this.traffic.forget(cell.id);
  }

  // ---- messaging ---------------------------------------------------------------------------

  get currentCell(): ActorCell | null {
    return this.runs.current;
  }

  /** OutboundHost: the running actor, held after its handler when a ring is full or its credit is spent. */
  get currentSender(): Sender | null {
    return this.runs.current;
  }

  wake(): void {
    this.onWork?.();
  }

  currentSelf(): ActorRef | null {
    return this.runs.current?.self ?? null;
  }

  /**
   * Sends; false when the sender should pause (a full ring, or no credit toward the target: the
   * message went, in order). `sender` undefined: the running actor, if any (`ref.tell`).
   */
  tell(target: ActorRef, message: unknown, sender?: ActorRef | null): boolean {
    if (--this.sendBudget === 0) sendBudgetSpent(this);
    this.sends++;
    const current = this.runs.current;
    if (sender === undefined) sender = current === null ? null : current.self;
    if (this.tapping !== null) this.tapping.sent(target, message);
    // Tracing: out of line only in a traced handler, at a sampled root, or with an external parent.
    // One call of `route` either way: with a second call site, the traced variant's profiles
    // showed `route` no longer inlined into `tell`.
    const tracer = this.tracer;
    if (tracer !== null && (tracer.active || --tracer.untilSample <= 0 || tracer.external))
      message = this.traceSends!.wrap(target, message, sender);
    return this.route(target, message, sender, current);
  }

  /** Where a send goes: another node, a cell of this thread, a moved actor's new place, or another thread's ring. */
  private route(target: ActorRef, message: unknown, sender: ActorRef | null, current: ActorCell | null): boolean {
    if (target.incarnation !== this.incarnation) {
      // An actor of another node (the gateway knows its incarnation), or of an earlier system.
      if (this.gateway !== 0) return this.outbound.sendRemote(target, sender, packRemote(message));
      this.deadLetter(target, message, sender, STALE_REF);
      return true;
    }
    if (target.participant === this.participant) {
      const cell = target._cell as ActorCell | undefined;
      if (cell !== undefined && cell.host === this) cell.enqueue(message, sender);
      else this.deliverTo(target, message, sender);
      return true;
    }
    // The old ref of an actor that moved here (see Migration): local once its fence came back.
    const migration = this.migration;
    if (migration.aliases.size !== 0 && migration.sendToAlias(target.packed, message, sender)) return true;
    if (current !== null && --this.traffic.countdown === 0) this.traffic.note(current.id, target.packed);
    return this.outbound.sendUser(target, sender, message);
  }

  /** RefRouter.tellReliable (see ReliableRoom.send). */
  tellReliable(target: ActorRef, seq: number, first: number, message: unknown, producer: ActorRef, producerId: string | null): void {
    this.reliable.send(target, seq, first, message, producer, producerId);
  }

  /** See CellHost.congestion: tells every other thread. */
  congestion(cell: ActorCell, signal: FlowSignal, amount: number): void {
    this.outbound.announceFlow(cell.self.packed, signal, amount);
  }

  /** An ask's question, sent with its slot as sender (AskSlots.open). */
  private readonly sendQuestion: SendQuestion = (from, target, message) => void this.tell(target, message, from);

  ask(target: ActorRef, message: unknown, timeoutMs: number): Promise<unknown> {
    const answer = this.asks.open(target, message, timeoutMs, this.sendQuestion);
    this.onWork?.();
    return answer;
  }

  /**
   * A local ref without its cell (decoded from a record, or made by another thread's runtime):
   * finds the cell and keeps it on the ref, so the ref's next tell goes straight to it.
   */
  private deliverTo(target: ActorRef, message: unknown, sender: ActorRef | null): void {
    const cell = this.actors.get(target.id);
    if (cell !== undefined && !cell.isStopped) {
      target._cell = cell;
      cell.enqueue(message, sender);
      return;
    }
    this.deliver(target.id, message, sender);
  }

  /** Delivers to a local actor or ask slot; otherwise to dead letters. */
  deliver(id: number, message: unknown, sender: ActorRef | null): void {
    const cell = this.actors.get(id);
    if (cell !== undefined) {
      cell.enqueue(message, sender);
      return;
    }
    if (this.migration.holdForArrival(id, message, sender)) return;
    if (isAskSlot(id) && this.asks.answer(id, message)) return;
    this.deadLetter(new ActorRef(this.participant, id), message, sender, 'unknown');
  }

  deadLetter(target: ActorRef, message: unknown, sender: ActorRef | null, reason: string): void {
    this.dead.add(target, tracingOn && message instanceof TracedMessage ? message.message : message, sender, reason);
  }

  failAsk(asker: ActorRef, actor: ActorRef, messageType: string, error: unknown): void {
    this.dead.failAsk(asker, actor, messageType, error);
  }

  reliableHandled(consumer: ReliableConsumer, envelope: ReliableEnvelope): void {
    this.reliable.inbox.handled(consumer, envelope);
  }

  publish(event: RuntimeEvent): void {
    this.onEvent(event);
  }

  reportFailure(actor: ActorRef, error: unknown, directive: string): void {
    this.onEvent({ type: 'actor-failed', actor: String(actor), error: errorInfo(error), directive });
  }

  /** A system message to an actor on any thread (see system-ops.ts). */
  sendSystem(target: ActorRef, op: SystemSend): void {
    this.systemOps.send(target, op);
  }

  /** A record toward `peer` (see Outbound.send): false when the ring was full and it waits in order. */
  sendRecord(peer: number, type: number, h0: number, h1: number, body: unknown): boolean {
    return this.outbound.send(peer, type, h0, h1, body);
  }

  /** Sends what waits in the overflow queues and publishes everything; true when all went out. */
  flush(): boolean {
    if (this.reliable.inbox.pending) this.reliable.inbox.flush();
    if (this.journal.pending) this.journal.flush();
    return this.outbound.flush();
  }

  isBackpressured(target: ActorRef): boolean {
    // Outside turns, read the rings first: a congestion or grant may wait there (see outside-sends.ts).
    if (this.runs.current === null) this.endpoint?.drain(this, OUTSIDE_POLL_SENDS);
    return this.outbound.isBackpressured(target);
  }

  whenWritable(target: ActorRef): Promise<void> {
    return this.outbound.whenWritable(target);
  }

  // ---- control plane -----------------------------------------------------------------------

  /** Sends a control message and waits for the reply with the same request id. */
  request(peer: number, message: ControlMessage): Promise<ControlMessage> {
    return this.requests.request(peer, message);
  }

  control(peer: number, message: ControlMessage): void {
    this.sendRecord(peer, RecordType.CONTROL, 0, packRef(this.participant, 0), message);
  }

  // ---- MessageSink: records from the rings ---------------------------------------------------

  onMessage(type: number, header0: number, header1: number, message: unknown): void {
    switch (type) {
      case RecordType.USER: {
        const sender = header1 === 0 ? null : this.senderRef(header1);
        // The common case inline (one call less per message): a cell of this thread.
        const cell = this.actors.table.get(header0);
        const from = header1 >>> 24;
        // Right behind its TRACE record: a traced message.
        if (this.traceMarks !== null && this.traceMarks.forActor[from] === header0) message = this.traceMarks.take(from, header1, message);
        if (this.marks.forActor[from] === header0) {
          // Right behind its RELIABLE_SEQ record: the message of a reliable pair.
          const envelope = this.marks.take(from, header1, message);
          if (envelope !== null) {
            this.reliable.receive(header0, envelope, sender);
            return;
          }
        }
        if (message instanceof ReliableEnvelope) this.reliable.receive(header0, message, sender);
        else if (cell !== undefined) cell.enqueue(message, sender);
        else this.deliver(header0, message, sender);
        return;
      }
      case RecordType.REMOTE_IN: {
        let sender: ActorRef | null;
        let body: unknown;
        try {
          ({ sender, message: body } = unpackRemoteIn(message as [number, number, string, Uint8Array], this.tracer !== null));
        } catch (error) {
          this.dead.malformed(new BactorError(ErrorCode.MALFORMED_RECORD, (error as Error).message, { cause: error }), type, header0);
          return;
        }
        if (body instanceof ReliableEnvelope) this.reliable.receive(header0, body, sender);
        else this.deliver(header0, body, sender);
        return;
      }
      case RecordType.SYSTEM:
        this.systemOps.onRecord(header0, message as RemoteSystemOp);
        return;
      case RecordType.RELIABLE_SEQ:
        this.marks.note(header0, header1, message as ReliableSeqBody);
        return;
      case RecordType.TRACE:
        this.traceMarks?.note(header0, header1, message as TraceRecordBody);
        return;
      case RecordType.CONTROL: {
        const control = message as ControlMessage & { req?: number; reply?: number };
        if (control.op === 'flow') this.outbound.onFlow(control.target, control.signal, control.amount);
        else if (control.reply !== undefined) this.requests.settle(control.reply, control);
        else this.onControl(participantOf(header1), control);
        return;
      }
    }
  }

  /** The ref of a sender on another thread (see SenderRefs). */
  senderRef(packed: number): ActorRef {
    return this.senderRefs.get(packed);
  }

  onDecodeError(error: BactorError, type: number, header0: number): void {
    this.dead.malformed(error, type, header0);
  }

  // ---- running -----------------------------------------------------------------------------

  schedule(cell: ActorCell): void {
    this.runs.schedule(cell);
  }

  /** Sends outside turns start a new budget (the watchdog cut a turn short: see interrupted-turn.ts). */
  resetSendBudget(): void {
    this.sendBudget = OUTSIDE_POLL_SENDS;
  }

  asyncDelta(delta: number): void {
    this.pendingAsync += delta;
    if (delta < 0) this.onWork?.();
  }

  runTask<T>(moduleUrl: string, exportName: string, input: unknown): Promise<T> {
    if (this.taskPool === null) return Promise.reject(new BactorError(ErrorCode.NO_TASK_POOL, 'runTask: this thread has no task pool'));
    return this.taskPool.run<T>(moduleUrl, exportName, input);
  }

  // ---- root guardian -----------------------------------------------------------------------

  /** A top-level actor failed: the root guardian decides (see root-guardian.ts). */
  guardianFailure(cell: ActorCell, error: unknown): void {
    this.guardian.failure(cell, error);
  }

  /**
   * Worker `worker` died and was replaced; of its top-level actors, those in `recreated` live
   * again under their refs. Watches of its actors: on a re-created one, sent again (its new
   * incarnation starts without watchers); on one that is gone, Terminated now. Watchers it held
   * on actors here that are gone are forgotten.
   */
  peerDied(worker: number, recreated: readonly number[]): void {
    // Its actors drain no more: what waited for them goes on (the re-created ones start empty).
    this.outbound.peerDied(worker);
    this.actors.peerDied(worker, new Set(recreated));
  }

  /** Stops every actor on this thread, children first. */
  stopAll(): void {
    for (const cell of this.actors.topLevel()) cell.stopSelf();
  }
}
