import { ActorCell, type CellHost } from '../actor/actor-cell.js';
import type { ActorDefinition } from '../actor/actor-definition.js';
import { ActorRef, localIdOf, packRef, participantOf } from '../actor/actor-ref.js';
import type { SpawnOptions } from '../actor/spawn-options.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { LocalActors } from './local-actors.js';
import { type MoveIn, RecordType } from './wire-messages.js';

/** What moving actors needs of the thread's runtime. */
export interface MigrationHost {
  readonly participant: number;
  readonly guardianRef: ActorRef;
  /** The host the moved-in cells run on. */
  readonly cellHost: CellHost;
  cell(id: number): ActorCell | undefined;
  /** The thread's actors: a cell moved in is added (live here now); one moved out is retired (a forwarder, no live actor). */
  readonly actors: Pick<LocalActors, 'add' | 'retire'>;
  sendRecord(peer: number, type: number, h0: number, h1: number, body: unknown): boolean;
  senderRef(packed: number): ActorRef;
  deadLetter(target: ActorRef, message: unknown, sender: ActorRef | null, reason: string): void;
}

type Held = [unknown, ActorRef | null][];

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

/**
 * Moving top-level actors between threads, one thread's side of the protocol (the main thread
 * orchestrates it: actor-system.ts `move`). At the old place `moveOut` sends the actor — definition,
 * state, queued messages, watchers — as one control record and turns the cell into a forwarder;
 * at the new place `moveIn` re-creates it and sends a fence back through the forwarder. Local
 * senders that hold the old ref are held here in order until the fence is back (`fenceBack`);
 * nothing is lost or reordered for any sender.
 */
export class Migration {
  /** Actors moving here whose definition is loading: the records that arrived for them meanwhile. */
  private readonly arriving = new Map<number, Held>();
  /**
   * Actors that moved here, by their old packed ref. `held` collects what local actors send to
   * the old ref until the move's fence is back (null afterwards: delivered directly).
   */
  /** Old refs of actors that moved here, by packed ref (the send path checks its size before calling sendToAlias). */
  readonly aliases = new Map<number, { cell: ActorCell; held: Held | null }>();
  /** Main-thread requests waiting for an actor to move in, by id. */
  private readonly arrivalWaiters = new Map<number, ((ok: boolean) => void)[]>();

  constructor(private readonly host: MigrationHost) {}

  /**
   * Moves top-level actor `id` to participant `to` under `newId`: sends its definition, state,
   * queued messages and watchers there as one control record, then turns the cell into a
   * forwarder. What reaches the old id later (from the rings, or from local refs that hold the
   * cell) is forwarded through the same ring, behind that record. Throws, changing nothing, if
   * the actor cannot move or its state cannot be encoded.
   */
  moveOut(id: number, to: number, newId: number): void {
    const host = this.host;
    const cell = host.cell(id);
    if (cell === undefined || cell.isStopped)
      throw new BactorError(ErrorCode.ACTOR_NOT_FOUND, `move: no actor ${id} on participant ${host.participant}`);
    if (cell.parentCell !== null) throw new BactorError(ErrorCode.CANNOT_MOVE, `cannot move ${cell.self}: only top-level actors move`);
    const snapshot = cell.snapshotForMove();
    const moveIn: MoveIn = {
      op: 'move-in',
      url: cell.definition.moduleUrl,
      name: cell.definition.name,
      args: cell.args,
      options: movableOptions(cell.spawnOptions),
      id: newId,
      from: cell.self.packed,
      parent: (cell.parent ?? host.guardianRef).packed,
      ...snapshot,
    };
    host.sendRecord(to, RecordType.CONTROL, 0, packRef(host.participant, 0), moveIn);
    cell.forwardTo(new ActorRef(to, newId, cell.definition.name));
    host.actors.retire();
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
    const cell = this.host.cell(id);
    if (cell !== undefined && !cell.isStopped) return Promise.resolve(true);
    return new Promise((resolve) => {
      let waiters = this.arrivalWaiters.get(id);
      if (waiters === undefined) this.arrivalWaiters.set(id, (waiters = []));
      waiters.push(resolve);
    });
  }

  /** The moved actor's definition loaded: re-create it with its state, then its messages in order. */
  moveIn(definition: ActorDefinition<unknown, unknown, unknown>, m: MoveIn): void {
    const host = this.host;
    const waiting = this.arriving.get(m.id) ?? [];
    this.arriving.delete(m.id);
    const cell = new ActorCell(host.cellHost, m.id, definition, m.args, null, host.senderRef(m.parent), m.options);
    host.actors.add(cell);
    cell.restoreFromMove(
      m.state,
      m.watchers.map(([packed, kind, inc]) => new ActorRef(participantOf(packed), localIdOf(packed), kind, inc)),
      m.seq,
    );
    for (const [message, sender] of m.backlog) cell.enqueue(message, sender === 0 ? null : host.senderRef(sender));
    for (const [message, sender] of waiting) cell.enqueue(message, sender);
    // Local actors may hold the old ref. What they sent to it before now goes to the forwarder
    // and comes back; a fence sent now comes back behind all of it. Until then their new sends
    // to the old ref wait here, in order; after it they are delivered directly.
    this.aliases.set(m.from, { cell, held: [] });
    host.sendRecord(participantOf(m.from), RecordType.CONTROL, 0, packRef(host.participant, 0), {
      op: 'move-fence',
      id: localIdOf(m.from),
      back: host.participant,
    });
    this.arrived(m.id, true);
  }

  /** At the old place: the fence passed the forwarder; send it back behind what it forwarded. */
  bounceFence(id: number, back: number): void {
    const host = this.host;
    host.sendRecord(back, RecordType.CONTROL, 0, packRef(host.participant, 0), {
      op: 'move-fence-back',
      from: packRef(host.participant, id),
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
    for (const [message, sender] of waiting)
      this.host.deadLetter(new ActorRef(this.host.participant, id, name), message, sender, 'move-failed');
    this.arrived(id, false);
  }

  /**
   * A local send to `packed`, a ref of another thread: true if it is the old ref of an actor
   * that moved here (then the message went to it, or waits for the fence). Cheap when none did.
   */
  sendToAlias(packed: number, message: unknown, sender: ActorRef | null): boolean {
    const moved = this.aliases.get(packed);
    if (moved === undefined || moved.cell.isStopped) return false;
    if (moved.held === null) moved.cell.enqueue(message, sender);
    else moved.held.push([message, sender]);
    return true;
  }

  /** A record for local id `id`, which no cell holds: true if it waits for an actor moving in. */
  holdForArrival(id: number, message: unknown, sender: ActorRef | null): boolean {
    if (this.arriving.size === 0) return false;
    const waiting = this.arriving.get(id);
    if (waiting === undefined) return false;
    waiting.push([message, sender]);
    return true;
  }

  private arrived(id: number, ok: boolean): void {
    const waiters = this.arrivalWaiters.get(id);
    if (waiters === undefined) return;
    this.arrivalWaiters.delete(id);
    for (const resolve of waiters) resolve(ok);
  }
}
