import type { ActorCell } from '../actor/actor-cell.js';
import { ASK_SLOT_ID_BIT } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { CellTable } from './cell-table.js';
import type { KindStats } from './wire-messages.js';

/** The first actor id of a thread (1 is its guardian). */
export const FIRST_ID = 2;

/**
 * The actors of one thread by local id, and the ids themselves: dense, growing from the thread's
 * watermark, never reused while the system runs — a replacement of a dead worker resumes past the
 * ids its predecessor handed out (the watermark is shared), so a ref never reaches a newer actor.
 */
export class LocalActors {
  /** Id → cell (read directly on the delivery path, Runtime.onMessage). */
  readonly table = new CellTable<ActorCell>();
  private live = 0;
  private nextId: number;

  constructor(
    private readonly participant: number,
    /** Shared Int32 per participant: the next free actor id (outlives the thread). */
    private readonly idWatermark: Int32Array | null,
  ) {
    this.nextId = idWatermark === null ? FIRST_ID : Math.max(FIRST_ID, idWatermark[participant]!);
  }

  get(id: number): ActorCell | undefined {
    return this.table.get(id);
  }

  /** Live actors (a forwarder left by a move is in the table but not counted). */
  get count(): number {
    return this.live;
  }

  [Symbol.iterator](): Iterator<ActorCell> {
    return this.table[Symbol.iterator]();
  }

  add(cell: ActorCell): void {
    this.table.set(cell.id, cell);
    this.live++;
  }

  /** A cell moved out: it stays as a forwarder (refs and records still name it) but is no live actor. */
  retire(): void {
    this.live--;
  }

  /** The actor `id` stopped (or never started). */
  remove(id: number): void {
    if (this.table.get(id) === undefined) return;
    this.table.delete(id);
    this.live--;
  }

  allocateId(): number {
    if (this.nextId >= ASK_SLOT_ID_BIT)
      throw new BactorError(
        ErrorCode.OUT_OF_IDS,
        `participant ${this.participant} ran out of actor ids (${ASK_SLOT_ID_BIT - FIRST_ID} per thread)`,
      );
    // Published for a replacement of this thread, so it never hands out an id in use (plain
    // store: the main thread reads it only after this thread has exited).
    if (this.idWatermark !== null) this.idWatermark[this.participant] = this.nextId + 1;
    return this.nextId++;
  }

  /** Throws unless an actor may be re-created under `id` (a replaced worker's): free, and an actor id. */
  checkRecreate(id: number): void {
    if (this.table.get(id) !== undefined || id < FIRST_ID || id >= ASK_SLOT_ID_BIT)
      throw new BactorError(ErrorCode.INVALID_ARGUMENT, `cannot re-create an actor under id ${id} on participant ${this.participant}`);
  }

  /** Worker `worker` died; `recreated` are the ids of its top-level actors that live again (see Runtime.peerDied). */
  peerDied(worker: number, recreated: ReadonlySet<number>): void {
    for (const cell of this.table) if (!cell.isStopped) cell.peerDied(worker, recreated);
  }

  /** Every live top-level actor (its parent is the guardian). */
  topLevel(): ActorCell[] {
    return [...this.table].filter((c) => c.parentCell === null);
  }

  /** Actors, mailbox depth and held actors per definition (walks every cell: on request only). */
  kindStats(): KindStats[] {
    const kinds = new Map<string, KindStats>();
    for (const cell of this.table) {
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
}
