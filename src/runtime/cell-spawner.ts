import { ActorCell, type CellHost } from '../actor/actor-cell.js';
import type { ActorDefinition } from '../actor/actor-definition.js';
import type { ActorRef } from '../actor/actor-ref.js';
import { type SpawnOptions, checkSpawnArguments } from '../actor/spawn-options.js';
import { validateMailboxOptions } from '../mailbox/mailbox.js';
import type { LocalActors } from './local-actors.js';
import type { RunQueue } from './run-queue.js';

/**
 * Creating actors on one thread: a cell under a fresh id (or an old one, for a replaced
 * worker), registered before its init runs (as the running actor, so what init sends has it as
 * sender), and dropped again if init throws.
 */
export class CellSpawner {
  constructor(
    private readonly host: CellHost,
    private readonly actors: LocalActors,
    private readonly runs: RunQueue<ActorCell>,
  ) {}

  /** A top-level actor under `parent` (the guardian). Throws what init throws. */
  topLevel(
    definition: ActorDefinition<unknown, unknown, unknown>,
    args: unknown,
    options: SpawnOptions | undefined,
    parent: ActorRef,
    /** Re-create an actor under its old id (a replaced worker); a fresh id otherwise. */
    id?: number,
  ): ActorCell {
    validate(definition, options);
    if (id !== undefined) this.actors.checkRecreate(id);
    const cell = new ActorCell(this.host, id ?? this.actors.allocateId(), definition, args, null, parent, options);
    this.start(cell);
    return cell;
  }

  /**
   * One top-level actor per element of `argsList` under consecutive ids; returns the first. All
   * or none: if an init throws, the ones already started are stopped and it throws.
   */
  many(
    definition: ActorDefinition<unknown, unknown, unknown>,
    argsList: readonly unknown[],
    options: SpawnOptions | undefined,
    parent: ActorRef,
  ): number {
    const cells: ActorCell[] = [];
    try {
      for (const args of argsList) cells.push(this.topLevel(definition, args, options, parent));
    } catch (error) {
      for (const cell of cells) cell.stopSelf();
      throw error;
    }
    // Ids are allocated one after another by this thread alone: consecutive.
    return cells.length === 0 ? 0 : cells[0]!.id;
  }

  child(
    parent: ActorCell,
    definition: ActorDefinition<unknown, unknown, unknown>,
    args: unknown,
    options: SpawnOptions | undefined,
  ): ActorCell {
    validate(definition, options);
    const cell = new ActorCell(this.host, this.actors.allocateId(), definition, args, parent, null, options);
    this.start(cell);
    parent.addChild(cell);
    return cell;
  }

  private start(cell: ActorCell): void {
    this.actors.add(cell);
    const runs = this.runs;
    const previous = runs.current;
    try {
      runs.current = cell;
      cell.start();
    } catch (error) {
      this.actors.remove(cell.id);
      throw error;
    } finally {
      runs.current = previous;
    }
  }
}

function validate(definition: ActorDefinition<unknown, unknown, unknown>, options: SpawnOptions | undefined): void {
  checkSpawnArguments(definition, options);
  validateMailboxOptions(definition.behavior.mailbox, `defineActor(${definition.name})`);
}
