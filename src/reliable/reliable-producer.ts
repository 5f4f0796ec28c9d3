import { randomUUID } from 'node:crypto';
import type { ActorContext } from '../actor/actor-context.js';
import { defineActor } from '../actor/actor-definition.js';
import { type ActorRef, tellAs } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { checkBag, checkNumber, describe, invalidOption, isInteger } from '../util/option-bag.js';
import { ReliableAck } from './reliable-messages.js';
import { type ProducerArgs, ReliableChannel } from './reliable-channel.js';

export type { ProducerArgs } from './reliable-channel.js';
export { ReliableChannel } from './reliable-channel.js';

/** Options of `ctx.reliable` / `system.reliable`. */
export interface ReliableOptions {
  /** A name for the producer (in `ReliableRef.producerId` and its `toString`). Default: a random id. */
  producerId?: string;
  /** Messages sent and not yet acknowledged, at most; the rest wait in order. Default 4,096. */
  window?: number;
  /** With no ack for this long, the unacknowledged messages go again (then twice as long, up to 5 s). Default 200 ms. */
  redeliverAfterMs?: number;
  /**
   * Keep what is accepted in the system's journal until the target acknowledges it, so it
   * survives the death of the producer's process: a producer made later with the same
   * `producerId` (required) sends it first. Default false.
   */
  durable?: boolean;
}

const OPTION_KEYS = ['producerId', 'window', 'redeliverAfterMs', 'durable'] as const;

/** Checks the options of ctx.reliable / system.reliable; the producer's arguments. */
export function reliableArgs(target: ActorRef, options: ReliableOptions | undefined, where: string): ProducerArgs {
  const bag = checkBag(options, OPTION_KEYS, where);
  if (bag?.producerId !== undefined && (typeof bag.producerId !== 'string' || bag.producerId === ''))
    throw invalidOption(where, `producerId must be a non-empty string, got ${describe(bag.producerId)}`);
  checkNumber(bag?.window, isInteger(1, 1 << 20), where, 'window', 'an integer from 1 to 1,048,576');
  checkNumber(bag?.redeliverAfterMs, isInteger(1, 60_000), where, 'redeliverAfterMs', 'an integer number of ms from 1 to 60,000');
  if (bag?.durable !== undefined && typeof bag.durable !== 'boolean')
    throw invalidOption(where, `durable must be a boolean, got ${describe(bag.durable)}`);
  if (bag?.durable === true && bag.producerId === undefined)
    throw invalidOption(where, 'a durable producer needs a producerId of its own (the same one after a restart finds what it stored)');
  return {
    target,
    producerId: (bag?.producerId as string | undefined) ?? `p-${randomUUID()}`,
    window: (bag?.window as number | undefined) ?? 4096,
    redeliverAfterMs: (bag?.redeliverAfterMs as number | undefined) ?? 200,
    durable: bag?.durable === true,
  };
}

const TICK = Object.freeze({ k: 'tick' as const });
const LOOKUP = Object.freeze({ k: 'lookup' as const });

/** The target found again by the channel's lookup (a message to the producer itself, on its thread). */
class Found {
  constructor(readonly ref: ActorRef) {}
}

/** The producer's timers, its watch of the target, its durable queue: what a channel needs of its actor. */
function wire(channel: ReliableChannel, ctx: ActorContext): void {
  // (The cell is the context: its timers may be set from the ReliableRef's calls too, on this thread.)
  channel.schedule = (ms) => void ctx.scheduleOnce(ms, TICK);
  ctx.watch(channel.target);
}

/**
 * Looks the target up again (after its node was lost or restarted) every 250 ms until it is
 * found; a lookup with no answer within LOOKUP_PATIENCE_MS is given up and asked again (the
 * first lookup of a node that is restarting sometimes gets no answer for seconds).
 */
function lookUp(channel: ReliableChannel, ctx: ActorContext): void {
  let settled = false;
  const again = (): void => {
    if (settled) return;
    settled = true;
    clearTimeout(patience);
    void ctx.scheduleOnce(250, LOOKUP);
  };
  const patience = setTimeout(again, LOOKUP_PATIENCE_MS);
  channel.lookup!().then((ref) => {
    if (settled) return;
    if (ref === undefined) return again();
    settled = true;
    clearTimeout(patience);
    tellAs(ctx.self, new Found(ref), null);
  }, again);
}

/** How long the producer waits for one lookup of its target before it asks again (ms). */
const LOOKUP_PATIENCE_MS = 2000;

const behavior = {
  // The target is gone for good (stopped, or its node lost): nothing more to deliver. What is
  // told later goes to dead letters (a re-created target — its worker died — is not gone). A
  // target with a name to look up (system.reliable) is looked up again instead.
  terminated(channel: ReliableChannel, ref: ActorRef, ctx: ActorContext) {
    if (!ref.equals(channel.target)) return;
    if (channel.lookup !== null) {
      channel.lost();
      lookUp(channel, ctx);
      return;
    }
    channel.close();
    ctx.stop();
  },
  stopped(channel: ReliableChannel) {
    channel.producerStopped();
  },
  receive(channel: ReliableChannel, msg: unknown, ctx: ActorContext) {
    if (msg instanceof ReliableAck) channel.ack(msg.seq);
    else if (msg === TICK) channel.tick();
    else if (msg === LOOKUP) lookUp(channel, ctx);
    else if (msg instanceof Found) {
      ctx.watch(msg.ref);
      channel.retarget(msg.ref);
    }
    // A reply of the consumer (its sender is this actor): passed on to the producing actor. A
    // main-thread producer has none: replies to it are dropped (use ask for answers).
    else if (channel.replyTo !== null) tellAs(channel.replyTo, msg, ctx.sender);
  },
};

const init = (args: ProducerArgs, ctx: ActorContext): ReliableChannel =>
  new ReliableChannel(args, ctx.self, ctx.parent?.kind === 'guardian' ? null : ctx.parent);

/** The actor of a ReliableChannel: acks and the redelivery timer reach it; the consumer's replies are passed on to the producing actor. */
export const ReliableProducer = defineActor(import.meta.url, 'bactor.ReliableProducer', {
  init,
  started: wire,
  ...behavior,
});

/** A stored message of a durable producer: its seq and the message. */
interface StoredMessage {
  s: number;
  m: unknown;
}

/**
 * The actor of a durable ReliableChannel: an event-sourced actor whose events are the accepted
 * messages (persistence id `bactor.reliable:<producerId>`, the event's seq the message's),
 * deleted once acknowledged. A journal failure stops it (a restart would make a second
 * producer of the same id beside the one its ref feeds): the ref's tell then throws.
 */
export const DurableReliableProducer = defineActor(import.meta.url, 'bactor.DurableReliableProducer', {
  init,
  persistence: {
    id: (args: ProducerArgs) => `bactor.reliable:${args.producerId}`,
    apply(channel: ReliableChannel, event: StoredMessage) {
      channel.onStored(event.s, event.m);
    },
  },
  started(channel, ctx) {
    wire(channel, ctx);
    channel.queue = {
      store: (seq, message) => ctx.persistAsync({ s: seq, m: message } satisfies StoredMessage),
      deleteTo: (seq) => void ctx.deleteEvents(seq).catch(() => undefined),
    };
    channel.recovered(ctx.lastSequenceNr);
  },
  restarted(channel, _error, ctx) {
    ctx.stop();
  },
  ...behavior,
  stopped(channel) {
    channel.producerStopped();
    durableIds.delete(channel.producerId);
  },
});

/** The ids of the durable producers running on this thread. */
const durableIds = new Set<string>();

/**
 * The producer actor for `args`: durable or not. A durable producer's id is claimed on this
 * thread until it stops (ERR_NAME_TAKEN for a second one; on two threads or nodes the journal
 * refuses the second writer with ERR_PERSISTENCE_CONFLICT, which stops it).
 */
export function producerDefinition(args: ProducerArgs, where: string): typeof ReliableProducer {
  if (!args.durable) return ReliableProducer;
  if (durableIds.has(args.producerId))
    throw new BactorError(
      ErrorCode.NAME_TAKEN,
      `${where}: a durable producer with id '${args.producerId}' runs already (one at a time per id: stop the other, or use another id)`,
    );
  durableIds.add(args.producerId);
  return DurableReliableProducer as unknown as typeof ReliableProducer;
}
