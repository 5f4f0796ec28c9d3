import { type InspectOptionsStylized, inspect } from 'node:util';
import { ActorRef } from '../actor/actor-ref.js';
import { whereNow } from './moves.js';
import { checkRef } from '../actor/ref-checks.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import { checkBag, checkNumber, isInteger } from '../util/option-bag.js';
import type { SystemParts } from './system-parts.js';

/** One entry of an actor's trace: a message its handler took (`in`) or sent while it ran (`out`). */
export type ActorTraceEntry = Omit<Extract<RuntimeEvent, { type: 'actor-trace' }>, 'type' | 'tap' | 'direction'> & {
  direction: 'in' | 'out';
};

/** `system.traceActor(ref, options)`. */
export interface TraceActorOptions {
  /** Entries after which the trace ends by itself (default 1,000; 1 to 1,000,000). */
  max?: number;
}

const DEFAULT_MAX = 1000;
let nextTap = 1;

/**
 * The messages one actor takes and sends, as they happen (`system.traceActor`): `entries` so
 * far, and `for await (const entry of trace)` for the ones still to come. It ends after `max`
 * entries, at `stop()`, when the actor stops (or moves), or when the system shuts down.
 */
export class ActorTrace implements AsyncIterable<ActorTraceEntry> {
  readonly entries: ActorTraceEntry[] = [];
  private ended = false;
  private readonly readers: (() => void)[] = [];
  private unsubscribe: () => void = () => {};

  constructor(
    /** The traced actor. */
    readonly actor: ActorRef,
    private readonly untap: () => void,
  ) {}

  /** Whether it has ended (max entries, stop, shutdown). */
  get done(): boolean {
    return this.ended;
  }

  /** What `console.log(trace)` shows: the actor, whether it ended, and the entries so far (not its plumbing). */
  [inspect.custom](depth: number, options: InspectOptionsStylized, show: typeof inspect): string {
    if (depth < 0) {
      const n = this.entries.length;
      return `ActorTrace(${String(this.actor)}, ${n} ${n === 1 ? 'entry' : 'entries'}${this.ended ? ', done' : ''})`;
    }
    return `ActorTrace ${show({ actor: String(this.actor), done: this.ended, entries: this.entries }, { ...options, depth: options.depth === null ? null : depth })}`;
  }

  /** Ends the trace: the actor's thread stops recording, and iterators finish after the entries they have not read. */
  stop(): void {
    if (this.ended) return;
    this.untap();
    this.end();
  }

  /** @internal */
  listen(unsubscribe: () => void): void {
    this.unsubscribe = unsubscribe;
  }

  /** @internal An entry of this trace came (from the actor's thread). */
  add(event: Extract<RuntimeEvent, { type: 'actor-trace' }>): void {
    if (this.ended) return;
    if (event.direction === 'stopped') return this.end();
    const { type: _type, tap: _tap, ...entry } = event;
    this.entries.push(entry as ActorTraceEntry);
    // Its last entry: the actor's thread forgets the tap too (its cells' check goes once none is left).
    if (event.last) this.stop();
    else this.notify();
  }

  /** @internal */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe();
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ActorTraceEntry> {
    let read = 0;
    for (;;) {
      while (read < this.entries.length) yield this.entries[read++]!;
      if (this.ended) return;
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
  }

  private notify(): void {
    const readers = this.readers.splice(0);
    for (const resolve of readers) resolve();
  }
}

/** What the monitoring server asks of the system: the actor tree, and a trace of an actor named by a string. */
export interface SystemView {
  tree(): Promise<import('./system-stats.js').ActorTree>;
  trace(actor: string, max: number): Promise<ActorTrace>;
}

/** The monitoring server's view of `system`: `/tree`, and `/trace` of an actor named by a string. */
export function systemView(system: {
  actorTree(): Promise<import('./system-stats.js').ActorTree>;
  lookup(name: string): ActorRef | undefined;
  traceActor(ref: ActorRef, options: TraceActorOptions): Promise<ActorTrace>;
}): SystemView {
  return {
    tree: () => system.actorTree(),
    trace: (actor, max) =>
      system.traceActor(
        actorNamed(actor, (name) => system.lookup(name)),
        { max },
      ),
  };
}

/**
 * The actor a string names (the monitoring server's `/trace?actor=`): a ref as refs print
 * (`Kind#12@w1`, `#12@main`) or a name given at spawn; ERR_ACTOR_NOT_FOUND otherwise.
 */
export function actorNamed(spec: string, lookup: (name: string) => ActorRef | undefined): ActorRef {
  const printed = /^(.*)#(\d+)@(main|w(\d+))$/.exec(spec);
  if (printed !== null) return new ActorRef(printed[4] === undefined ? 0 : Number(printed[4]), Number(printed[2]), printed[1]);
  const named = lookup(spec);
  if (named === undefined)
    throw new BactorError(ErrorCode.ACTOR_NOT_FOUND, `no actor is named '${spec}' (give a name, or a ref as it prints: Kind#12@w1)`);
  return named;
}

/** Starts tracing `ref` (an actor of this system, on any of its threads); rejects with ERR_ACTOR_NOT_FOUND when it is not there or traced already. */
export async function traceActor(
  parts: SystemParts,
  traces: Set<ActorTrace>,
  ref: ActorRef,
  options: TraceActorOptions = {},
): Promise<ActorTrace> {
  checkRef(ref, 'traceActor');
  checkBag(options, ['max'], 'traceActor');
  checkNumber(options.max, isInteger(1, 1_000_000), 'traceActor', 'max', 'an integer from 1 to 1,000,000');
  const runtime = parts.runtime;
  const notHere = (why: string): BactorError => new BactorError(ErrorCode.ACTOR_NOT_FOUND, `traceActor(${String(ref)}): ${why}`);
  if (ref.incarnation !== runtime.incarnation) throw notHere('an actor of another node or of an earlier system (trace it where it runs)');
  // A moved actor is traced where it lives now.
  const target = whereNow(parts, ref);
  const tap = nextTap++;
  const max = options.max ?? DEFAULT_MAX;
  const p = target.participant;
  const trace = new ActorTrace(target, () => {
    traces.delete(trace);
    if (p === 0) runtime.taps.stop(tap);
    else runtime.control(p, { op: 'untap', tap });
  });
  trace.listen(parts.events.subscribe((event) => event.type === 'actor-trace' && event.tap === tap && trace.add(event)));
  let result: 'ok' | 'traced' | 'absent';
  if (p === 0) {
    const cell = runtime.actors.get(target.id);
    result = cell === undefined || cell.isStopped ? 'absent' : runtime.taps.start(cell, tap, max);
  } else {
    const reply = await runtime.request(p, { op: 'tap', id: target.id, tap, max });
    result = reply.op === 'tap-reply' ? reply.result : 'absent';
  }
  if (result !== 'ok') {
    trace.end();
    if (result === 'traced')
      throw new BactorError(
        ErrorCode.ACTOR_TRACED,
        `traceActor(${String(ref)}): it is traced already (one trace at a time: stop the other)`,
      );
    throw notHere('no such actor (stopped, or never spawned)');
  }
  traces.add(trace);
  return trace;
}
