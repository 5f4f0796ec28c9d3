import { threadRandom } from '../runtime/seeded-turns.js';
import type { ActorRef, AskOptions } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { checkRef } from '../actor/ref-checks.js';
import { checkBag, checkNumber, describe, invalidOption, isInteger, isPlainObject, listOf, show } from '../util/option-bag.js';
import { HashRing } from './hash-ring.js';

/** How a router picks routees. */
export type RoutingStrategy =
  | { kind: 'round-robin' }
  | { kind: 'random' }
  /** Every routee gets every message (tell only). */
  | { kind: 'broadcast' }
  /** Messages with the same key go to the same routee, stably as routees are added. */
  | { kind: 'consistent-hash'; key: (message: never) => string; virtualNodes?: number }
  /** The routee with the fewest queued messages, as `depthOf` reports them. */
  | { kind: 'smallest-mailbox'; depthOf: (routee: ActorRef) => number }
  /**
   * Asks go to the routee with the fewest of this router's asks in flight, the first such in
   * order: sequential asks stay on one routee (its worker stays warm), concurrent ones spread
   * by load. Tells go round robin.
   */
  | { kind: 'least-outstanding' };

/**
 * Sends to one of a set of actors (or all of them), chosen by a strategy. A router is a plain
 * object on the sender's side: routing costs no extra hop through a router actor.
 */
export class Router<M, R = never> {
  private routeeList: ActorRef<M, R>[];
  private next = 0;
  private ring: HashRing<ActorRef<M, R>> | null = null;
  /** least-outstanding: this router's asks in flight per routee (packed ref). */
  private readonly inFlight = new Map<number, number>();

  constructor(
    routees: readonly ActorRef<M, R>[],
    readonly strategy: RoutingStrategy,
    private readonly random: () => number = threadRandom,
  ) {
    if (!Array.isArray(routees)) throw invalidOption('router', `routees must be an array of ActorRefs, got ${describe(routees)}`);
    if (routees.length === 0) throw new BactorError(ErrorCode.INVALID_OPTION, 'a router needs at least one routee');
    routees.forEach((r, i) => checkRef(r, 'router', `routees[${i}]`));
    checkRoutingStrategy(strategy, 'router');
    this.routeeList = [...routees];
    if (strategy.kind === 'consistent-hash')
      this.ring = new HashRing(this.routeeList, (r) => `${r.participant}:${r.id}`, strategy.virtualNodes ?? 100);
  }

  get routees(): readonly ActorRef<M, R>[] {
    return this.routeeList;
  }

  /** Adds a routee (a group that grows, or a pool that scales). */
  add(routee: ActorRef<M, R>): void {
    this.routeeList.push(routee);
    this.ring?.rebuild(this.routeeList);
  }

  remove(routee: ActorRef<M, R>): void {
    this.routeeList = this.routeeList.filter((r) => !r.equals(routee));
    this.ring?.rebuild(this.routeeList);
  }

  /** The routee `message` goes to (not meaningful for broadcast). */
  select(message: M): ActorRef<M, R> {
    const list = this.routeeList;
    if (list.length === 0) {
      throw new BactorError(ErrorCode.ACTOR_NOT_FOUND, 'the router has no routees left (they all stopped): nothing to route to');
    }
    switch (this.strategy.kind) {
      case 'round-robin':
      case 'least-outstanding':
      case 'broadcast': {
        const r = list[this.next % list.length]!;
        this.next = (this.next + 1) % list.length;
        return r;
      }
      case 'random':
        return list[Math.floor(this.random() * list.length)]!;
      case 'consistent-hash':
        return this.ring!.lookup((this.strategy.key as (m: M) => string)(message))!;
      case 'smallest-mailbox': {
        let best = list[0]!;
        let depth = Infinity;
        for (const r of list) {
          const d = this.strategy.depthOf(r);
          if (d < depth) {
            depth = d;
            best = r;
          }
        }
        return best;
      }
    }
  }

  private leastOutstanding(): ActorRef<M, R> {
    return leastOutstandingOf(this.routeeList, this.inFlight);
  }

  tell(message: M): void {
    if (this.strategy.kind === 'broadcast') {
      for (const r of this.routeeList) r.tell(message);
      return;
    }
    this.select(message).tell(message);
  }

  ask(message: M, options?: AskOptions): Promise<R> {
    if (this.strategy.kind === 'broadcast') {
      return Promise.reject(new BactorError(ErrorCode.INVALID_OPTION, 'ask on a broadcast router: ask each routee instead'));
    }
    return this.askRoutee(message, options, this.routeeList.length);
  }

  /**
   * A routee that stopped before the router heard of it answers ERR_ACTOR_NOT_FOUND: the message
   * reached no handler, so it goes to the next routee (the stopped one is dropped), up to `tries` times.
   */
  private async askRoutee(message: M, options: AskOptions | undefined, tries: number): Promise<R> {
    const leastOutstanding = this.strategy.kind === 'least-outstanding';
    const routee = leastOutstanding ? this.leastOutstanding() : this.select(message);
    try {
      if (!leastOutstanding) return await routee.ask(message, options);
      const packed = routee.packed;
      this.inFlight.set(packed, (this.inFlight.get(packed) ?? 0) + 1);
      try {
        return await routee.ask(message, options);
      } finally {
        const left = this.inFlight.get(packed)! - 1;
        if (left === 0) this.inFlight.delete(packed);
        else this.inFlight.set(packed, left);
      }
    } catch (error) {
      if ((error as { code?: unknown }).code !== ErrorCode.ACTOR_NOT_FOUND || tries <= 1 || this.routeeList.length <= 1) throw error;
      this.remove(routee);
      return this.askRoutee(message, options, tries - 1);
    }
  }
}

/** The routee with the fewest of this router's asks in flight (the first such). */
function leastOutstandingOf<T extends ActorRef>(list: readonly T[], inFlight: ReadonlyMap<number, number>): T {
  if (list.length === 0) {
    throw new BactorError(ErrorCode.ACTOR_NOT_FOUND, 'the router has no routees left (they all stopped): nothing to route to');
  }
  let best = list[0]!;
  let least = Infinity;
  for (const r of list) {
    const n = inFlight.get(r.packed) ?? 0;
    if (n < least) {
      least = n;
      best = r;
      if (n === 0) break;
    }
  }
  return best;
}

const STRATEGY_KEYS: Record<RoutingStrategy['kind'], readonly string[]> = {
  'round-robin': ['kind'],
  random: ['kind'],
  broadcast: ['kind'],
  'consistent-hash': ['kind', 'key', 'virtualNodes'],
  'smallest-mailbox': ['kind', 'depthOf'],
  'least-outstanding': ['kind'],
};

/** Throws ERR_INVALID_OPTION unless `strategy` is a routing strategy (`{ kind: 'round-robin' }`, …). */
export function checkRoutingStrategy(strategy: unknown, where: string): asserts strategy is RoutingStrategy {
  const kinds = Object.keys(STRATEGY_KEYS);
  if (!isPlainObject(strategy)) {
    const hint = typeof strategy === 'string' && kinds.includes(strategy) ? ` (write { kind: '${strategy}' })` : '';
    throw invalidOption(where, `strategy must be an object such as { kind: 'round-robin' }, got ${describe(strategy)}${hint}`);
  }
  if (!kinds.includes(strategy.kind as string)) throw invalidOption(where, `strategy.kind=${show(strategy.kind)} must be ${listOf(kinds)}`);
  const kind = strategy.kind as RoutingStrategy['kind'];
  checkBag(strategy, STRATEGY_KEYS[kind], where, `strategy`);
  if (kind === 'consistent-hash') {
    if (typeof strategy.key !== 'function')
      throw invalidOption(where, `a consistent-hash strategy needs key: (message) => string, got ${describe(strategy.key)}`);
    checkNumber(strategy.virtualNodes, isInteger(1), where, 'strategy.virtualNodes', 'a positive integer');
  }
  if (kind === 'smallest-mailbox' && typeof strategy.depthOf !== 'function')
    throw invalidOption(where, `a smallest-mailbox strategy needs depthOf: (routee) => number, got ${describe(strategy.depthOf)}`);
}

/** A group router over actors that already exist. */
export function groupRouter<M, R>(routees: readonly ActorRef<M, R>[], strategy: RoutingStrategy): Router<M, R> {
  return new Router(routees, strategy);
}
