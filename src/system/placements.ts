import type { ActorRef } from '../actor/actor-ref.js';
import type { SpawnRequest } from '../runtime/wire-messages.js';

/** What the actors of one spawn call (or one `spawnMany` batch) share: one object for all of them. */
export interface SpawnSpec {
  readonly url: string;
  readonly name: string;
  readonly options: SpawnRequest['options'];
  /** Spawned with `worker: n`: never moved by the rebalancer. */
  readonly pinned: boolean;
}

/** A top-level actor on a worker: where it lives and what a replacement of its worker re-creates it from. */
export interface Placement {
  worker: number;
  id: number;
  spec: SpawnSpec;
  /** The spawn arguments as at spawn: a primitive as is, anything else packed (packDetached), so refs survive. */
  args: unknown;
}

/**
 * The main thread's record of the top-level actors on workers (by packed ref) and of named
 * actors. Kept small per actor: a spawn batch shares its spec, and primitive arguments are not packed.
 */
export class Placements {
  private readonly byRef = new Map<number, Placement>();
  private readonly names = new Map<string, ActorRef>();
  /** Packed ref → its name, so a stop finds the name without a scan. */
  private readonly nameOf = new Map<number, string>();

  get(packed: number): Placement | undefined {
    return this.byRef.get(packed);
  }

  set(packed: number, placement: Placement): void {
    this.byRef.set(packed, placement);
  }

  /** Forgets the actor at `packed`; whether it was a top-level actor on a worker. */
  delete(packed: number): boolean {
    return this.byRef.delete(packed);
  }

  /** The placements of one worker (a copy: the caller may delete while it walks). */
  onWorker(worker: number): [number, Placement][] {
    const out: [number, Placement][] = [];
    for (const entry of this.byRef) if (entry[1].worker === worker) out.push(entry);
    return out;
  }

  get size(): number {
    return this.byRef.size;
  }

  lookup(name: string): ActorRef | undefined {
    return this.names.get(name);
  }

  hasName(name: string): boolean {
    return this.names.has(name);
  }

  name(name: string, ref: ActorRef): void {
    this.names.set(name, ref);
    this.nameOf.set(ref.packed, name);
  }

  /** The actor stopped (or is gone): its placement and its name are dropped. */
  forget(packed: number): void {
    this.byRef.delete(packed);
    const name = this.nameOf.get(packed);
    if (name === undefined) return;
    this.nameOf.delete(packed);
    if (this.names.get(name)?.packed === packed) this.names.delete(name);
  }

  /** The actor moved: its name follows it. */
  rename(from: number, to: ActorRef): void {
    const name = this.nameOf.get(from);
    if (name === undefined) return;
    this.nameOf.delete(from);
    this.name(name, to);
  }
}
