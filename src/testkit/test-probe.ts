import { type ActorDefinition, defineActor } from '../actor/actor-definition.js';
import type { ActorRef } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { ActorSystem } from '../system/actor-system.js';
import { checkBag, describe as describeValue, invalidOption, isInteger, requireNumber } from '../util/option-bag.js';

/** What a probe took: a message and its sender, or the news that a watched actor stopped. */
type Taken = { message: unknown; sender: ActorRef | null; terminated: null } | { message: undefined; sender: null; terminated: ActorRef };

/** The probe actor's state: what it took and not handed out yet, and the test's wait for the next. */
interface Inbox {
  taken: Taken[];
  wake: (() => void) | null;
}

type ProbeControl =
  | { readonly [PROBE]: 'watch'; target: ActorRef }
  | { readonly [PROBE]: 'spawn'; definition: ActorDefinition<unknown, unknown, unknown>; args: unknown };
const PROBE = Symbol('bactor.testkit.probe');

function push(inbox: Inbox, taken: Taken): void {
  inbox.taken.push(taken);
  const wake = inbox.wake;
  inbox.wake = null;
  wake?.();
}

/** The probe's actor: inline on the main thread, its state the inbox the TestProbe reads (passed by reference). */
const ProbeActor = defineActor(import.meta.url, 'bactor.TestProbe', {
  init: (inbox: Inbox) => inbox,
  receive(inbox, message: unknown, ctx) {
    const control = message as Partial<ProbeControl> | null;
    if (control !== null && typeof control === 'object' && PROBE in control) {
      if (control[PROBE] === 'watch') ctx.watch((control as { target: ActorRef }).target);
      else {
        const { definition, args } = control as { definition: ActorDefinition<unknown, unknown, unknown>; args: unknown };
        ctx.respond(ctx.spawn(definition, args));
      }
      return;
    }
    push(inbox, { message, sender: ctx.sender, terminated: null });
  },
  terminated(inbox, ref) {
    push(inbox, { message: undefined, sender: null, terminated: ref });
  },
});

const DEFAULT_TIMEOUT_MS = 3000;

function timeoutOf(options: { timeoutMs?: number } | undefined, where: string): number {
  checkBag(options, ['timeoutMs'], where);
  if (options?.timeoutMs === undefined) return DEFAULT_TIMEOUT_MS;
  requireNumber(options.timeoutMs, isInteger(0, 3_600_000), where, 'timeoutMs', 'a whole number of ms from 0 to 3,600,000');
  return options.timeoutMs;
}

function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A test's stand-in actor: its `ref` goes where an actor under test sends (as a target, a
 * `replyTo`, a watcher, a parent), and the test awaits what arrives — `expectMessage`,
 * `expectNoMessage`, `fishForMessage`, `receiveN`, `expectTerminated`. It lives inline on the
 * main thread; what it took and no call has handed out yet waits in order. A wait fails with
 * ERR_PROBE_TIMEOUT when nothing comes in time, and with ERR_PROBE_MISMATCH (saying what came)
 * when something else does.
 */
export class TestProbe<M = unknown> {
  /** The sender of the last message handed out (null: none, or code outside actors). */
  lastSender: ActorRef | null = null;

  private constructor(
    readonly ref: ActorRef<M, never>,
    private readonly inbox: Inbox,
    private readonly system: ActorSystem,
  ) {}

  /** A new probe in `system`. */
  static async create<M = unknown>(system: ActorSystem, options?: { name?: string }): Promise<TestProbe<M>> {
    checkBag(options, ['name'], 'TestProbe.create');
    const inbox: Inbox = { taken: [], wake: null };
    const ref = await system.spawn(ProbeActor, inbox, {
      dispatcher: 'inline',
      ...(options?.name !== undefined ? { name: options.name } : {}),
    });
    return new TestProbe<M>(ref as unknown as ActorRef<M, never>, inbox, system);
  }

  /**
   * The next message, which must equal `expected` (deep equality of plain data) or satisfy it
   * (a predicate); with no `expected`, whatever comes. Rejects after `timeoutMs` (default 3,000).
   */
  async expectMessage(expected?: M | ((message: M) => boolean), options?: { timeoutMs?: number }): Promise<M> {
    const timeoutMs = timeoutOf(options, 'expectMessage');
    const taken = await this.next(timeoutMs, 'expectMessage', expected === undefined ? 'a message' : shown(expected));
    if (taken.terminated !== null) throw this.mismatch('expectMessage', expected, `Terminated(${String(taken.terminated)})`);
    const message = taken.message as M;
    if (expected !== undefined && !(typeof expected === 'function' ? (expected as (m: M) => boolean)(message) : equal(message, expected)))
      throw this.mismatch('expectMessage', expected, shown(message));
    this.lastSender = taken.sender;
    return message;
  }

  /** Nothing arrives within `withinMs` (default 100): rejects with what came if something did. */
  async expectNoMessage(withinMs = 100): Promise<void> {
    requireNumber(withinMs, isInteger(0, 3_600_000), 'expectNoMessage', 'withinMs', 'a whole number of ms from 0 to 3,600,000');
    if (this.inbox.taken.length === 0) await this.wait(withinMs);
    const taken = this.inbox.taken.shift();
    if (taken !== undefined)
      throw new BactorError(
        ErrorCode.PROBE_MISMATCH,
        `expectNoMessage(${withinMs}): got ${taken.terminated !== null ? `Terminated(${String(taken.terminated)})` : shown(taken.message)}`,
      );
  }

  /** Skips messages until one satisfies `match` (returned); rejects after `timeoutMs` in all (default 3,000). */
  async fishForMessage(match: (message: M) => boolean, options?: { timeoutMs?: number }): Promise<M> {
    if (typeof match !== 'function') throw invalidOption('fishForMessage', `match must be a function, got ${describeValue(match)}`);
    const timeoutMs = timeoutOf(options, 'fishForMessage');
    const until = performance.now() + timeoutMs;
    for (;;) {
      const taken = await this.next(Math.max(0, until - performance.now()), 'fishForMessage', 'a message that matches');
      if (taken.terminated === null && match(taken.message as M)) {
        this.lastSender = taken.sender;
        return taken.message as M;
      }
    }
  }

  /** The next `n` messages, in order; rejects after `timeoutMs` in all (default 3,000) with those that came. */
  async receiveN(n: number, options?: { timeoutMs?: number }): Promise<M[]> {
    requireNumber(n, isInteger(0, 10_000_000), 'receiveN', 'n', 'a whole number');
    const timeoutMs = timeoutOf(options, 'receiveN');
    const until = performance.now() + timeoutMs;
    const out: M[] = [];
    while (out.length < n) out.push(await this.expectMessage(undefined, { timeoutMs: Math.max(0, Math.ceil(until - performance.now())) }));
    return out;
  }

  /** Tells `message` to the sender of the last message handed out (ERR_INVALID_ARGUMENT without one). */
  reply(message: unknown): void {
    if (this.lastSender === null)
      throw new BactorError(ErrorCode.INVALID_ARGUMENT, 'reply: the last message had no sender (or none was taken yet)');
    this.lastSender.tell(message);
  }

  /** Watches `target`: when it stops, the probe takes a Terminated (see expectTerminated). */
  watch(target: ActorRef): void {
    (this.ref as unknown as ActorRef).tell({ [PROBE]: 'watch', target } satisfies ProbeControl);
  }

  /** The next thing the probe takes is `target`'s Terminated (it must be watched). */
  async expectTerminated(target: ActorRef, options?: { timeoutMs?: number }): Promise<void> {
    const timeoutMs = timeoutOf(options, 'expectTerminated');
    const taken = await this.next(timeoutMs, 'expectTerminated', `Terminated(${String(target)})`);
    if (taken.terminated === null || !taken.terminated.equals(target))
      throw this.mismatch(
        'expectTerminated',
        `Terminated(${String(target)})`,
        taken.terminated !== null ? `Terminated(${String(taken.terminated)})` : shown(taken.message),
      );
  }

  /** Spawns an actor under test as a child of the probe (on the main thread): its parent is the probe, so what it tells `ctx.parent` comes here. */
  async spawnChild<CM, CR, CA>(definition: ActorDefinition<CM, CR, CA>, args: CA): Promise<ActorRef<CM, CR>> {
    const spawned = await (this.ref as unknown as ActorRef<ProbeControl, ActorRef>).ask({
      [PROBE]: 'spawn',
      definition: definition as ActorDefinition<unknown, unknown, unknown>,
      args,
    });
    return spawned as ActorRef<CM, CR>;
  }

  /** Stops the probe (and any child spawned under it). */
  stop(): Promise<void> {
    return this.system.stop(this.ref as unknown as ActorRef);
  }

  private async next(timeoutMs: number, where: string, what: string): Promise<Taken> {
    if (this.inbox.taken.length === 0) await this.wait(timeoutMs);
    const taken = this.inbox.taken.shift();
    if (taken === undefined) throw new BactorError(ErrorCode.PROBE_TIMEOUT, `${where}: no ${what} within ${timeoutMs} ms`);
    return taken;
  }

  /** Until something is taken or `ms` pass (virtual ms in a deterministic system). */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const expire = (): void => {
        this.inbox.wake = null;
        resolve();
      };
      const sim = this.system.simulation;
      const cancel = sim !== null ? sim.after(ms, expire).cancel : clearTimeout.bind(null, setTimeout(expire, ms));
      this.inbox.wake = () => {
        cancel();
        resolve();
      };
    });
  }

  private mismatch(where: string, expected: unknown, got: string): BactorError {
    return new BactorError(
      ErrorCode.PROBE_MISMATCH,
      `${where}: expected ${typeof expected === 'function' ? 'a message the predicate accepts' : shown(expected)}, got ${got}`,
    );
  }
}

/** Deep equality of plain data (what messages are): primitives, arrays, plain objects, refs by their identity. */
function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ra = a as { equals?: (o: unknown) => boolean };
  if (typeof ra.equals === 'function') return ra.equals(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
