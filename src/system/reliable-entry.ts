import type { ActorDefinition } from '../actor/actor-definition.js';
import { ActorRef } from '../actor/actor-ref.js';
import { checkRef } from '../actor/ref-checks.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { Journal } from '../persistence/journal.js';
import { type ReliableChannel, type ReliableOptions, producerDefinition, reliableArgs } from '../reliable/reliable-producer.js';
import { ReliableRef } from '../reliable/reliable-ref.js';
import { checkBag, invalidOption } from '../util/option-bag.js';

/** What `system.reliable` needs of its system. */
export interface ReliableEntryHost {
  readonly journal: Journal | null;
  lookupRemote(address: string, name: string): Promise<ActorRef | undefined>;
  spawnInline(definition: ActorDefinition<unknown, unknown, unknown>, args: unknown): Promise<ActorRef>;
}

/**
 * `system.reliable(target, options)`: checks the target and options, looks a named remote target
 * up, and spawns the producer inline on the main thread; the ref sends through its channel.
 */
export async function reliableRef<M>(
  host: ReliableEntryHost,
  target: ActorRef<M> | { address: string; name: string },
  options: ReliableOptions | undefined,
): Promise<ReliableRef<M>> {
  const named = !(target instanceof ActorRef) && target !== null && typeof target === 'object' && 'name' in target;
  const where = 'system.reliable';
  if (named) {
    checkBag(target, ['address', 'name'], where, 'target');
    if (typeof target.address !== 'string' || typeof target.name !== 'string')
      throw invalidOption(where, "a named target is { address: 'host:port', name } of an actor on another node");
  } else checkRef(target, 'reliable', 'target');
  // The options first: a wrong one fails before any lookup.
  const args = reliableArgs(target as ActorRef, options, where);
  if (args.durable && host.journal === null)
    throw new BactorError(
      ErrorCode.NO_JOURNAL,
      `${where}({ durable: true }): a durable producer keeps its messages in the system's journal, and the system has none: ActorSystem.start({ journal })`,
    );
  const lookup = named ? () => host.lookupRemote(target.address, target.name) : null;
  if (lookup !== null) {
    const found = await lookup();
    const { address, name } = target as { address: string; name: string };
    if (found === undefined)
      throw new BactorError(ErrorCode.ACTOR_NOT_FOUND, `${where}: no actor named '${name}' on the node at ${address}`);
    args.target = found;
  }
  const producer = await host.spawnInline(producerDefinition(args, where) as ActorDefinition<unknown, unknown, unknown>, args);
  // Inline: the producer's cell is on this thread, its state the channel the ref sends through.
  const channel = (producer._cell as { state: unknown } | undefined)?.state as ReliableChannel;
  channel.lookup = lookup;
  return new ReliableRef<M>(producer, channel);
}
