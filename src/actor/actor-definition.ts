import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { type MailboxOptions, validateMailboxOptions } from '../mailbox/mailbox.js';
import { type SupervisorStrategy, checkSupervisorStrategy } from '../supervision/supervisor-strategy.js';
import { checkBag, checkFunction, describe, invalidOption, isPlainObject } from '../util/option-bag.js';
import { type PersistenceOptions, checkPersistenceOptions } from '../persistence/persistence-options.js';
import type { ActorContext } from './actor-context.js';
import type { ActorRef } from './actor-ref.js';

/** What a handler may return: nothing (state mutated in place), a new state, or a promise of either. */
export type HandlerResult<S> = void | S | Promise<void | S>;

/**
 * An actor's behaviour. `S` is its state, `M` the messages it accepts, `R` what it replies to an
 * ask (through `ctx.respond`), `A` the arguments of `spawn`.
 */
export interface ActorBehavior<S, M, R, A> {
  /** Builds the state from the spawn arguments (and again on restart). */
  init(args: A, ctx: ActorContext<M, R>): S;
  /** Handles one message. The next message is taken only when a returned promise settles. */
  receive(state: S, message: M, ctx: ActorContext<M, R>): HandlerResult<S>;
  /** After init, before the first message (pre-start). */
  started?(state: S, ctx: ActorContext<M, R>): void | Promise<void>;
  /** The actor is about to stop: children are stopped next. */
  stopping?(state: S, ctx: ActorContext<M, R>): void | Promise<void>;
  /** The actor and its children have stopped (post-stop). */
  stopped?(state: S, ctx: ActorContext<M, R>): void | Promise<void>;
  /** Before a restart, with the old state and the error (pre-restart). */
  restarting?(state: S, error: unknown, ctx: ActorContext<M, R>): void;
  /** After a restart, with the new state (post-restart). */
  restarted?(state: S, error: unknown, ctx: ActorContext<M, R>): void;
  /** A watched actor stopped (death watch). */
  terminated?(state: S, ref: ActorRef, ctx: ActorContext<M, R>): HandlerResult<S>;
  /** How this actor supervises its children. Default: one-for-one restart, 10 within 10 s. */
  supervisor?: SupervisorStrategy;
  /** Mailbox of this actor. Default: unbounded FIFO. */
  mailbox?: MailboxOptions;
  /**
   * Makes it persistent (the system needs a journal: ActorSystem.start({ journal })):
   * event-sourced with `apply`, or durable state with `durableState: true`. See the README's *Persistence*.
   */
  persistence?: PersistenceOptions<S, A>;
}

/** An actor definition: a behaviour with the module URL every worker imports it from. */
export interface ActorDefinition<M, R, A> {
  readonly moduleUrl: string;
  readonly name: string;
  /** The behaviour, erased: the runtime calls it with the types its definition fixed. */
  readonly behavior: ActorBehavior<unknown, M, R, A>;
  /** Type marker for `spawn` arguments. */
  readonly __args?: A;
}

const HOOKS = ['started', 'stopping', 'stopped', 'restarting', 'restarted', 'terminated'] as const;
const BEHAVIOR_KEYS = ['init', 'receive', ...HOOKS, 'supervisor', 'mailbox', 'persistence'] as const;

/** Checks a behaviour: init and receive, hooks that are functions, a supervisor and a mailbox that make sense, no unknown key. */
function checkBehavior(behavior: unknown, where: string): void {
  if (behavior === null || typeof behavior !== 'object' || Array.isArray(behavior))
    throw invalidOption(where, `behavior must be an object with init and receive functions, got ${describe(behavior)}`);
  // A plain object's keys are all hooks (a class instance may hold other fields).
  if (isPlainObject(behavior)) checkBag(behavior, BEHAVIOR_KEYS, where, 'behavior');
  const b = behavior as Record<string, unknown>;
  if (typeof b.init !== 'function' || typeof b.receive !== 'function') {
    const missing = ['init', 'receive'].filter((k) => typeof b[k] !== 'function');
    throw invalidOption(
      where,
      `behavior needs init and receive functions (${missing.join(' and ')}: ${missing.map((k) => describe(b[k])).join(', ')})`,
    );
  }
  for (const hook of HOOKS) checkFunction(b[hook], where, `behavior.${hook}`);
  if (b.supervisor !== undefined) checkSupervisorStrategy(b.supervisor, where, 'behavior.supervisor');
  validateMailboxOptions(b.mailbox as MailboxOptions | undefined, where);
  checkPersistenceOptions(b.persistence, where);
}

const registry = new Map<string, ActorDefinition<unknown, unknown, unknown>>();
const keyOf = (moduleUrl: string, name: string): string => `${moduleUrl}#${name}`;

/**
 * Defines an actor in a module that every worker can import. Pass `import.meta.url`: workers
 * import that module and find the definition by `name`, so behaviour never crosses threads.
 * The message type comes from `receive`'s annotation and the reply type from an annotated
 * `ctx: ActorContext<M, R>`; without one the reply type is `unknown`. `defineActor.typed<M, R>()`
 * states both once instead.
 *
 * ```ts
 * export const Counter = defineActor(import.meta.url, 'Counter', {
 *   init: (start: number) => ({ total: start }),
 *   receive(state, msg: { type: 'add'; n: number } | { type: 'get' }, ctx: ActorContext<…, number>) { … },
 * });
 * ```
 */
export function defineActor<S, M, R = unknown, A = void>(
  moduleUrl: string,
  name: string,
  behavior: ActorBehavior<S, M, R, A>,
): ActorDefinition<M, R, A> {
  if (typeof moduleUrl !== 'string' || !/^(file|data|node|https?):/.test(moduleUrl)) {
    throw new BactorError(
      ErrorCode.INVALID_OPTION,
      `defineActor('${name}'): moduleUrl must be the module's import.meta.url, got ${JSON.stringify(moduleUrl)}`,
    );
  }
  if (typeof name !== 'string' || name.length === 0)
    throw new BactorError(ErrorCode.INVALID_OPTION, `defineActor: name must be a non-empty string, got ${describe(name)}`);
  checkBehavior(behavior, `defineActor('${name}')`);
  const def: ActorDefinition<M, R, A> = { moduleUrl, name, behavior: behavior as unknown as ActorBehavior<unknown, M, R, A> };
  const key = keyOf(moduleUrl, name);
  if (registry.has(key)) throw new BactorError(ErrorCode.INVALID_OPTION, `defineActor: ${name} is defined twice in ${moduleUrl}`);
  registry.set(key, def as ActorDefinition<unknown, unknown, unknown>);
  return def;
}

/**
 * `defineActor` with the message type `M` and the reply type `R` stated once: `receive`'s message,
 * every `ctx` and the refs `spawn` returns are typed from them, and the state and the spawn
 * arguments are still inferred from `init`.
 *
 * ```ts
 * export const Counter = defineActor.typed<CounterMsg, number>()(import.meta.url, 'Counter', {
 *   init: (start: number) => ({ total: start }),
 *   receive(state, msg, ctx) { … ctx.respond(state.total); },
 * });
 * ```
 */
function defineTyped<M, R = unknown>(): <S, A = void>(
  moduleUrl: string,
  name: string,
  behavior: ActorBehavior<S, M, R, A>,
) => ActorDefinition<M, R, A> {
  return defineActor;
}
defineActor.typed = defineTyped;

/** Finds a definition, importing its module on this thread first if needed. */
export async function loadDefinition(moduleUrl: string, name: string): Promise<ActorDefinition<unknown, unknown, unknown>> {
  const key = keyOf(moduleUrl, name);
  let def = registry.get(key);
  if (def === undefined) {
    try {
      await import(moduleUrl);
    } catch (error) {
      // An entry script that defines actors and starts the system: say so, not "import failed".
      if ((error as { code?: unknown })?.code === ErrorCode.SYSTEM_IN_WORKER) {
        throw new BactorError(ErrorCode.SYSTEM_IN_WORKER, `cannot load actor ${name} from ${moduleUrl}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw new BactorError(
        ErrorCode.UNKNOWN_ACTOR,
        `cannot load actor ${name}: importing ${moduleUrl} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    def = registry.get(key);
  }
  if (def === undefined) throw new BactorError(ErrorCode.UNKNOWN_ACTOR, `module ${moduleUrl} defines no actor named ${name}`);
  return def;
}

/** The definition if its module is already loaded on this thread. */
export function findDefinition(moduleUrl: string, name: string): ActorDefinition<unknown, unknown, unknown> | undefined {
  return registry.get(keyOf(moduleUrl, name));
}
