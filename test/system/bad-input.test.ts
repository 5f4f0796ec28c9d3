import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ActorRef,
  ActorSystem,
  BactorError,
  ErrorCode,
  Router,
  allForOne,
  defineActor,
  groupRouter,
  oneForOne,
} from '../../src/index.js';
import { BadCaller, type CallOutcome, CTX_CALLS, FailingInit } from '../fixtures/bad-input.actor.js';
import { Counter, type CounterMsg } from '../fixtures/counter.actor.js';

const INVALID = ErrorCode.INVALID_OPTION;

interface Env {
  system: ActorSystem;
  counter: ActorRef<CounterMsg, number>;
}

/** One bad input of one public entry: the error code it gets and what its message must name. */
interface Case {
  entry: string;
  input: string;
  call(env: Env): unknown;
  code: string;
  message: RegExp;
}

const rr = { kind: 'round-robin' } as const;
const behavior = { init: () => 0, receive() {} };
const url = import.meta.url;
/** A bad input, past the types (which refuse most of them). */
const bad = (value: unknown): never => value as never;

const CASES: Case[] = [
  // ---- ActorSystem.start (validated before anything starts: a system already runs here) ----
  {
    entry: 'ActorSystem.start',
    input: '{ worker: 2 }',
    call: () => ActorSystem.start(bad({ worker: 2 })),
    code: INVALID,
    message: /ActorSystem\.start: unknown option 'worker' \(did you mean 'workers'\?\); options allows 'workers', 'ringCapacity'/,
  },
  {
    entry: 'ActorSystem.start',
    input: '5',
    call: () => ActorSystem.start(bad(5)),
    code: INVALID,
    message: /options must be an object \(or undefined for the defaults\), got the number 5/,
  },
  {
    entry: 'ActorSystem.start',
    input: 'null',
    call: () => ActorSystem.start(bad(null)),
    code: INVALID,
    message: /options must be an object .*got null/,
  },
  {
    entry: 'ActorSystem.start',
    input: "{ workers: '2' }",
    call: () => ActorSystem.start(bad({ workers: '2' })),
    code: INVALID,
    message: /workers="2" must be an integer from 0 to 254/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ workers: 200, dedicatedWorkers: 100 }',
    call: () => ActorSystem.start({ workers: 200, dedicatedWorkers: 100 }),
    code: INVALID,
    message: /workers \+ dedicatedWorkers = 200 \+ 100 must be at most 254/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ ringCapacity: 1000 }',
    call: () => ActorSystem.start({ ringCapacity: 1000 }),
    code: INVALID,
    message: /ringCapacity=1000 must be a power of two/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ spins: 1.5 }',
    call: () => ActorSystem.start({ spins: 1.5 }),
    code: INVALID,
    message: /spins=1\.5 must be a non-negative integer/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ taskThreads: 0 }',
    call: () => ActorSystem.start({ taskThreads: 0 }),
    code: INVALID,
    message: /taskThreads=0 must be a positive integer/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ overflowLimit: -1 }',
    call: () => ActorSystem.start({ overflowLimit: -1 }),
    code: INVALID,
    message: /overflowLimit=-1 must be a positive integer/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ clock: 5 }',
    call: () => ActorSystem.start(bad({ clock: 5 })),
    code: INVALID,
    message: /clock must be an object with a now\(\) method.*got the number 5/,
  },
  {
    entry: 'ActorSystem.start',
    input: "{ guardian: 'restart' }",
    call: () => ActorSystem.start(bad({ guardian: 'restart' })),
    code: INVALID,
    message: /guardian must be a supervisor strategy \(make it with oneForOne\(\) or allForOne\(\)\), got the string "restart"/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ guardian: { maxRestarts: 3 } }',
    call: () => ActorSystem.start(bad({ guardian: { maxRestarts: 3 } })),
    code: INVALID,
    message: /guardian\.kind=undefined must be 'one-for-one' or 'all-for-one'/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ guardian: { ...oneForOne(), maxRestart: 1 } }',
    call: () => ActorSystem.start(bad({ guardian: { ...oneForOne(), maxRestart: 1 } })),
    code: INVALID,
    message: /unknown option 'guardian\.maxRestart' \(did you mean 'maxRestarts'\?\)/,
  },
  {
    entry: 'ActorSystem.start',
    input: "{ scheduler: 'fast' }",
    call: () => ActorSystem.start(bad({ scheduler: 'fast' })),
    code: INVALID,
    message: /scheduler must be an object .*got the string "fast"/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ scheduler: { rebalanse: true } }',
    call: () => ActorSystem.start(bad({ scheduler: { rebalanse: true } })),
    code: INVALID,
    message: /unknown option 'scheduler\.rebalanse' \(did you mean 'rebalance'\?\); scheduler allows 'placement', 'adaptive'/,
  },
  {
    entry: 'ActorSystem.start',
    input: "{ scheduler: { placement: 'random' } }",
    call: () => ActorSystem.start(bad({ scheduler: { placement: 'random' } })),
    code: INVALID,
    message: /scheduler\.placement="random" must be 'least-loaded' or 'round-robin'/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ scheduler: { watchdog: true } }',
    call: () => ActorSystem.start(bad({ scheduler: { watchdog: true } })),
    code: INVALID,
    message: /scheduler\.watchdog must be an object .*got the boolean true: pass false to turn it off/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ scheduler: { watchdog: { limtMs: 10 } } }',
    call: () => ActorSystem.start(bad({ scheduler: { watchdog: { limtMs: 10 } } })),
    code: INVALID,
    message: /unknown option 'scheduler\.watchdog\.limtMs' \(did you mean 'limitMs'\?\)/,
  },
  {
    entry: 'ActorSystem.start',
    input: "{ scheduler: { watchdog: { restart: 'yes' } } }",
    call: () => ActorSystem.start(bad({ scheduler: { watchdog: { restart: 'yes' } } })),
    code: INVALID,
    message: /scheduler\.watchdog\.restart="yes" must be true or false/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ scheduler: { adaptive: { windowMS: 100 } } }',
    call: () => ActorSystem.start(bad({ scheduler: { adaptive: { windowMS: 100 } } })),
    code: INVALID,
    message: /unknown option 'scheduler\.adaptive\.windowMS' \(did you mean 'windowMs'\?\)/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ scheduler: { adaptive: { min: 0 } } }',
    call: () => ActorSystem.start({ scheduler: { adaptive: { min: 0 } } }),
    code: INVALID,
    message: /scheduler\.adaptive\.min=0 must be a positive integer/,
  },
  {
    entry: 'ActorSystem.start',
    input: "{ scheduler: { adaptive: 'on' } }",
    call: () => ActorSystem.start(bad({ scheduler: { adaptive: 'on' } })),
    code: INVALID,
    message: /scheduler\.adaptive must be an object .*got the string "on": pass true, false or HillClimberOptions/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ scheduler: { rebalance: { every: 500 } } }',
    call: () => ActorSystem.start(bad({ scheduler: { rebalance: { every: 500 } } })),
    code: INVALID,
    message:
      /unknown option 'scheduler\.rebalance\.every' \(did you mean 'everyMs'\?\); scheduler\.rebalance allows 'everyMs', 'minMessagesPerSecond' or 'minImbalance'/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ scheduler: { rebalance: { minImbalance: 2 } } }',
    call: () => ActorSystem.start({ scheduler: { rebalance: { minImbalance: 2 } } }),
    code: INVALID,
    message: /scheduler\.rebalance\.minImbalance=2 must be a share of a core in \(0, 1\]/,
  },
  {
    entry: 'ActorSystem.start',
    input: '{ scheduler: { quantum: 0 } }',
    call: () => ActorSystem.start({ scheduler: { quantum: 0 } }),
    code: INVALID,
    message: /scheduler\.quantum=0 must be a positive integer/,
  },

  // ---- system.spawn ----
  {
    entry: 'system.spawn',
    input: 'undefined',
    call: ({ system }) => system.spawn(bad(undefined), 0),
    code: INVALID,
    message: /spawn: the first argument must be an actor definition made by defineActor, got undefined/,
  },
  {
    entry: 'system.spawn',
    input: '{}',
    call: ({ system }) => system.spawn(bad({}), 0),
    code: INVALID,
    message: /spawn: the first argument must be an actor definition .*got the object \{\}/,
  },
  {
    entry: 'system.spawn',
    input: '{ nmae }',
    call: ({ system }) => system.spawn(Counter, 0, bad({ nmae: 'c' })),
    code: INVALID,
    message:
      /spawn\(Counter\): unknown option 'nmae' \(did you mean 'name'\?\); options allows 'name', 'dispatcher', 'worker', 'near', 'throughput' or 'mailbox'/,
  },
  {
    entry: 'system.spawn',
    input: "mailbox: { kind: 'bounded' }",
    call: ({ system }) => system.spawn(Counter, 0, bad({ mailbox: { kind: 'bounded' } })),
    code: INVALID,
    message: /unknown option 'mailbox\.kind'; mailbox allows 'capacity', 'overflow', 'priority', 'queue' or 'highWater'/,
  },
  {
    entry: 'system.spawn',
    input: "mailbox: { capacity: '10' }",
    call: ({ system }) => system.spawn(Counter, 0, bad({ mailbox: { capacity: '10' } })),
    code: INVALID,
    message: /mailbox\.capacity="10" must be a positive integer/,
  },
  {
    entry: 'system.spawn',
    input: "mailbox: { capacity: 1, overflow: 'block' }",
    call: ({ system }) => system.spawn(Counter, 0, bad({ mailbox: { capacity: 1, overflow: 'block' } })),
    code: INVALID,
    message: /mailbox\.overflow="block" must be 'drop-newest', 'drop-oldest', 'fail' or 'backpressure'/,
  },
  {
    entry: 'system.spawn',
    input: "options 'inline'",
    call: ({ system }) => system.spawn(Counter, 0, bad('inline')),
    code: INVALID,
    message: /spawn\(Counter\): options must be an object .*got the string "inline"/,
  },
  {
    entry: 'system.spawn',
    input: "{ worker: '1' }",
    call: ({ system }) => system.spawn(Counter, 0, bad({ worker: '1' })),
    code: INVALID,
    message: /worker="1" must be a worker number/,
  },
  {
    entry: 'system.spawn',
    input: '{ worker: 2 } (one worker)',
    call: ({ system }) => system.spawn(Counter, 0, { worker: 2 }),
    code: INVALID,
    message: /worker=2 must be from 1 to 1/,
  },
  {
    entry: 'system.spawn',
    input: '{ near: 5 }',
    call: ({ system }) => system.spawn(Counter, 0, bad({ near: 5 })),
    code: INVALID,
    message: /near must be an ActorRef, got the number 5/,
  },
  {
    entry: 'system.spawn',
    input: '{ name: 42 }',
    call: ({ system }) => system.spawn(Counter, 0, bad({ name: 42 })),
    code: INVALID,
    message: /name=42 must be a non-empty string/,
  },
  {
    entry: 'system.spawn',
    input: "{ dispatcher: 'gpu' }",
    call: ({ system }) => system.spawn(Counter, 0, bad({ dispatcher: 'gpu' })),
    code: INVALID,
    message: /dispatcher="gpu" must be 'pool', 'inline' or 'dedicated'/,
  },

  // ---- system.spawnPool ----
  {
    entry: 'system.spawnPool',
    input: "strategy: 'round-robin'",
    call: ({ system }) => system.spawnPool(Counter, 0, bad({ size: 2, strategy: 'round-robin' })),
    code: INVALID,
    message:
      /spawnPool\(Counter\): strategy must be an object such as \{ kind: 'round-robin' \}, got the string "round-robin" \(write \{ kind: 'round-robin' \}\)/,
  },
  {
    entry: 'system.spawnPool',
    input: "{ kind: 'consistent-hash' } without key",
    call: ({ system }) => system.spawnPool(Counter, 0, bad({ size: 2, strategy: { kind: 'consistent-hash' } })),
    code: INVALID,
    message: /a consistent-hash strategy needs key: \(message\) => string, got undefined/,
  },
  {
    entry: 'system.spawnPool',
    input: '{ size: 0 }',
    call: ({ system }) => system.spawnPool(Counter, 0, { size: 0, strategy: rr }),
    code: INVALID,
    message: /spawnPool\(Counter\): size=0 must be a positive integer/,
  },
  {
    entry: 'system.spawnPool',
    input: '{ sise: 2 }',
    call: ({ system }) => system.spawnPool(Counter, 0, bad({ sise: 2, strategy: rr })),
    code: INVALID,
    message: /unknown option 'sise' \(did you mean 'size'\?\)/,
  },
  {
    entry: 'system.spawnPool',
    input: "{ name: 'pool' }",
    call: ({ system }) => system.spawnPool(Counter, 0, bad({ size: 2, strategy: rr, name: 'pool' })),
    code: INVALID,
    message: /unknown option 'name'; options allows 'size', 'strategy', 'respawn', 'dispatcher'/,
  },
  {
    entry: 'system.spawnPool',
    input: 'no options',
    call: ({ system }) => system.spawnPool(Counter, 0, bad(undefined)),
    code: INVALID,
    message: /spawnPool\(Counter\): options \{ size, strategy \} are required/,
  },
  {
    entry: 'system.spawnPool',
    input: 'undefined definition',
    call: ({ system }) => system.spawnPool(bad(undefined), 0, { size: 1, strategy: rr }),
    code: INVALID,
    message: /spawnPool: the first argument must be an actor definition/,
  },

  // ---- system.stop / move / lookup / terminateWorker / shutdown ----
  {
    entry: 'system.stop',
    input: 'undefined',
    call: ({ system }) => system.stop(bad(undefined)),
    code: INVALID,
    message: /stop: the ref must be an ActorRef .*got undefined/,
  },
  {
    entry: 'system.stop',
    input: "'Counter'",
    call: ({ system }) => system.stop(bad('Counter')),
    code: INVALID,
    message: /stop: the ref must be an ActorRef .*got the string "Counter"/,
  },
  {
    entry: 'system.move',
    input: 'undefined ref',
    call: ({ system }) => system.move(bad(undefined), 1),
    code: INVALID,
    message: /move: the ref must be an ActorRef .*got undefined/,
  },
  {
    entry: 'system.move',
    input: 'worker 0',
    call: ({ system, counter }) => system.move(counter, 0),
    code: INVALID,
    message: /worker=0 must be from 1 to 1/,
  },
  {
    entry: 'system.lookup',
    input: 'undefined',
    call: ({ system }) => system.lookup(bad(undefined)),
    code: INVALID,
    message: /lookup: name must be a non-empty string .*got undefined/,
  },
  {
    entry: 'system.lookup',
    input: '42',
    call: ({ system }) => system.lookup(bad(42)),
    code: INVALID,
    message: /lookup: name must be a non-empty string .*got the number 42/,
  },
  {
    entry: 'system.terminateWorker',
    input: '0',
    call: ({ system }) => system.terminateWorker(0),
    code: INVALID,
    message: /terminateWorker: n=0 must be from 1 to 1/,
  },
  {
    entry: 'system.terminateWorker',
    input: "'1'",
    call: ({ system }) => system.terminateWorker(bad('1')),
    code: INVALID,
    message: /terminateWorker: n="1" must be from 1 to 1/,
  },
  {
    entry: 'system.shutdown',
    input: '{ timeout: 10 }',
    call: ({ system }) => system.shutdown(bad({ timeout: 10 })),
    code: INVALID,
    message: /shutdown: unknown option 'timeout' \(did you mean 'timeoutMs'\?\)/,
  },
  {
    entry: 'system.shutdown',
    input: '{ timeoutMs: -5 }',
    call: ({ system }) => system.shutdown({ timeoutMs: -5 }),
    code: INVALID,
    message: /shutdown: timeoutMs=-5 must be a finite number of ms ≥ 0/,
  },

  // ---- system.scheduler (knobs by hand, the controller switched at run time) ----
  {
    entry: 'system.scheduler.writeKnobs',
    input: '{ quantm: 5 }',
    call: ({ system }) => system.scheduler.writeKnobs(1, bad({ quantm: 5 })),
    code: INVALID,
    message: /writeKnobs: unknown option 'knobs\.quantm' \(did you mean 'quantum'\?\); knobs allows 'quantum', 'batch' or 'spins'/,
  },
  {
    entry: 'system.scheduler.adaptive',
    input: "= 'off'",
    call: ({ system }) => (system.scheduler.adaptive = bad('off')),
    code: INVALID,
    message: /scheduler\.adaptive: adaptive="off" must be true or false/,
  },

  // ---- ref.ask ----
  {
    entry: 'ref.ask',
    input: '(m, 100)',
    call: ({ counter }) => counter.ask({ type: 'get' }, bad(100)),
    code: INVALID,
    message: /ask\(Counter#\d+@w1\): options must be an object .*got the number 100: pass \{ timeout: 100 \} to wait 100 ms/,
  },
  {
    entry: 'ref.ask',
    input: '{ timout: 10 }',
    call: ({ counter }) => counter.ask({ type: 'get' }, bad({ timout: 10 })),
    code: INVALID,
    message: /unknown option 'timout' \(did you mean 'timeout'\?\); options allows 'timeout'/,
  },
  {
    entry: 'ref.ask',
    input: '{ timeout: -1 }',
    call: ({ counter }) => counter.ask({ type: 'get' }, { timeout: -1 }),
    code: INVALID,
    message: /timeout=-1 must be a positive finite number of ms/,
  },
  {
    entry: 'ref.ask',
    input: "{ timeout: '10' }",
    call: ({ counter }) => counter.ask({ type: 'get' }, bad({ timeout: '10' })),
    code: INVALID,
    message: /timeout="10" must be a positive finite number of ms/,
  },

  // ---- Router / groupRouter ----
  {
    entry: 'groupRouter',
    input: "'round-robin'",
    call: ({ counter }) => groupRouter([counter], bad('round-robin')),
    code: INVALID,
    message: /router: strategy must be an object such as \{ kind: 'round-robin' \}, got the string "round-robin"/,
  },
  {
    entry: 'groupRouter',
    input: "{ kind: 'consistent-hash' } without key",
    call: ({ counter }) => groupRouter([counter], bad({ kind: 'consistent-hash' })),
    code: INVALID,
    message: /a consistent-hash strategy needs key/,
  },
  {
    entry: 'groupRouter',
    input: "{ kind: 'consistent-hash', key, virtualNodes: 0 }",
    call: ({ counter }) => groupRouter([counter], { kind: 'consistent-hash', key: () => 'k', virtualNodes: 0 }),
    code: INVALID,
    message: /strategy\.virtualNodes=0 must be a positive integer/,
  },
  {
    entry: 'groupRouter',
    input: "{ kind: 'round-robin', key }",
    call: ({ counter }) => groupRouter([counter], bad({ kind: 'round-robin', key: () => 'k' })),
    code: INVALID,
    message: /unknown option 'strategy\.key'; strategy allows 'kind'/,
  },
  {
    entry: 'groupRouter',
    input: "{ kind: 'smallest-mailbox' } without depthOf",
    call: ({ counter }) => groupRouter([counter], bad({ kind: 'smallest-mailbox' })),
    code: INVALID,
    message: /a smallest-mailbox strategy needs depthOf/,
  },
  {
    entry: 'groupRouter',
    input: 'routees: a ref, not an array',
    call: ({ counter }) => groupRouter(bad(counter), rr),
    code: INVALID,
    message: /routees must be an array of ActorRefs, got an instance of ActorRef/,
  },
  {
    entry: 'groupRouter',
    input: 'routees: [undefined]',
    call: () => groupRouter(bad([undefined]), rr),
    code: INVALID,
    message: /routees\[0\] must be an ActorRef .*got undefined/,
  },
  {
    entry: 'new Router',
    input: "{ kind: 'rando' }",
    call: ({ counter }) => new Router([counter], bad({ kind: 'rando' })),
    code: INVALID,
    message:
      /strategy\.kind="rando" must be 'round-robin', 'random', 'broadcast', 'consistent-hash', 'smallest-mailbox' or 'least-outstanding'/,
  },
  {
    entry: 'router.ask',
    input: '(m, 100)',
    call: ({ counter }) => groupRouter([counter], rr).ask({ type: 'get' }, bad(100)),
    code: INVALID,
    message: /options must be an object .*got the number 100/,
  },

  // ---- oneForOne / allForOne ----
  {
    entry: 'oneForOne',
    input: '{ maxRestart: 3 }',
    call: () => oneForOne(bad({ maxRestart: 3 })),
    code: INVALID,
    message:
      /oneForOne: unknown option 'maxRestart' \(did you mean 'maxRestarts'\?\); options allows 'decider', 'maxRestarts', 'withinMs' or 'backoff'/,
  },
  {
    entry: 'oneForOne',
    input: '3',
    call: () => oneForOne(bad(3)),
    code: INVALID,
    message: /oneForOne: options must be an object .*got the number 3/,
  },
  {
    entry: 'oneForOne',
    input: '{ withinMs: 0 }',
    call: () => oneForOne({ withinMs: 0 }),
    code: INVALID,
    message: /withinMs=0 must be a positive number of ms/,
  },
  {
    entry: 'oneForOne',
    input: '{ backoff: { min: 10, max: 100 } }',
    call: () => oneForOne(bad({ backoff: { min: 10, max: 100 } })),
    code: INVALID,
    message: /unknown option 'backoff\.min' \(did you mean 'minMs'\?\)/,
  },
  {
    entry: 'oneForOne',
    input: '{ backoff: { minMs: 100, maxMs: 10 } }',
    call: () => oneForOne({ backoff: { minMs: 100, maxMs: 10 } }),
    code: INVALID,
    message: /backoff\.maxMs=10 must be a number of ms ≥ minMs \(100\)/,
  },
  {
    entry: 'allForOne',
    input: "{ decider: 'restart' }",
    call: () => allForOne(bad({ decider: 'restart' })),
    code: INVALID,
    message: /allForOne: decider .* must be a function, got the string "restart"/,
  },
  {
    entry: 'allForOne',
    input: '{ maxRestarts: -1 }',
    call: () => allForOne({ maxRestarts: -1 }),
    code: INVALID,
    message: /allForOne: maxRestarts=-1 must be a non-negative integer/,
  },

  // ---- defineActor ----
  {
    entry: 'defineActor',
    input: 'a relative moduleUrl',
    call: () => defineActor('counter.ts', 'BadUrl', behavior),
    code: INVALID,
    message: /moduleUrl must be the module's import\.meta\.url, got "counter\.ts"/,
  },
  {
    entry: 'defineActor',
    input: "name ''",
    call: () => defineActor(url, '', behavior),
    code: INVALID,
    message: /defineActor: name must be a non-empty string, got the string ""/,
  },
  {
    entry: 'defineActor',
    input: '{ stoped }',
    call: () => defineActor(url, 'Typo', { ...behavior, stoped() {} } as never),
    code: INVALID,
    message: /defineActor\('Typo'\): unknown option 'behavior\.stoped' \(did you mean 'stopped'\?\)/,
  },
  {
    entry: 'defineActor',
    input: 'no receive',
    call: () => defineActor(url, 'NoReceive', bad({ init: () => 0 })),
    code: INVALID,
    message: /behavior needs init and receive functions \(receive: undefined\)/,
  },
  {
    entry: 'defineActor',
    input: 'started: 5',
    call: () => defineActor(url, 'BadHook', bad({ ...behavior, started: 5 })),
    code: INVALID,
    message: /behavior\.started must be a function, got the number 5/,
  },
  {
    entry: 'defineActor',
    input: "supervisor: 'restart'",
    call: () => defineActor(url, 'BadSupervisor', bad({ ...behavior, supervisor: 'restart' })),
    code: INVALID,
    message: /behavior\.supervisor must be a supervisor strategy .*got the string "restart"/,
  },
  {
    entry: 'defineActor',
    input: "mailbox: { kind: 'bounded' }",
    call: () => defineActor(url, 'BadMailbox', bad({ ...behavior, mailbox: { kind: 'bounded' } })),
    code: INVALID,
    message: /unknown option 'mailbox\.kind'/,
  },
  {
    entry: 'defineActor',
    input: 'behavior 42',
    call: () => defineActor(url, 'NoBehavior', bad(42)),
    code: INVALID,
    message: /behavior must be an object with init and receive functions, got the number 42/,
  },
];

/** What each bad call of the context inside a handler (test/fixtures/bad-input.actor.ts) must answer. */
const CTX_EXPECTED: Record<string, { code: string; message: RegExp; causeMessage?: string }> = {
  'ctx.spawn(undefined)': {
    code: INVALID,
    message: /spawn: the first argument must be an actor definition made by defineActor, got undefined/,
  },
  'ctx.spawn({})': { code: INVALID, message: /got the object \{\}/ },
  'ctx.spawn { nmae }': { code: INVALID, message: /spawn\(FailingInit\): unknown option 'nmae' \(did you mean 'name'\?\)/ },
  "ctx.spawn mailbox { kind: 'bounded' }": { code: INVALID, message: /unknown option 'mailbox\.kind'; mailbox allows 'capacity'/ },
  'ctx.spawn, init throws': {
    code: ErrorCode.ACTOR_INIT_FAILED,
    message: /init of FailingInit#\d+@w1 threw RangeError: child init refused/,
    causeMessage: 'child init refused',
  },
  'ctx.ask(ref, m, 100)': { code: INVALID, message: /ctx\.ask: options must be an object .*got the number 100: pass \{ timeout: 100 \}/ },
  'ctx.ask(ref, m, { timout })': { code: INVALID, message: /ctx\.ask: unknown option 'timout' \(did you mean 'timeout'\?\)/ },
  'ctx.ask(undefined, m)': { code: INVALID, message: /ctx\.ask: target must be an ActorRef .*got undefined/ },
  'ctx.watch(undefined)': { code: INVALID, message: /ctx\.watch: target must be an ActorRef .*got undefined/ },
  'ctx.unwatch(42)': { code: INVALID, message: /ctx\.unwatch: target must be an ActorRef .*got the number 42/ },
  "ctx.stop('me')": { code: INVALID, message: /ctx\.stop: target must be an ActorRef .*got the string "me"/ },
  'ctx.forward(null)': { code: INVALID, message: /ctx\.forward: target must be an ActorRef .*got null/ },
  'ctx.become(42)': { code: INVALID, message: /ctx\.become: receive must be a function, got the number 42/ },
  'ctx.scheduleOnce(-1)': { code: INVALID, message: /ctx\.scheduleOnce: delayMs=-1 must be a finite number of ms ≥ 0/ },
  "ctx.scheduleOnce('10')": { code: INVALID, message: /ctx\.scheduleOnce: delayMs="10" must be/ },
  'ctx.scheduleRepeatedly(0, 0)': {
    code: INVALID,
    message: /ctx\.scheduleRepeatedly: intervalMs=0 must be a positive finite number of ms/,
  },
  'ctx.scheduleRepeatedly(NaN, 10)': { code: INVALID, message: /ctx\.scheduleRepeatedly: initialDelayMs=NaN must be/ },
  'ctx.setReceiveTimeout(Infinity)': { code: INVALID, message: /ctx\.setReceiveTimeout: ms=Infinity must be a finite number of ms ≥ 0/ },
  'ctx.runTask(url, 42)': { code: INVALID, message: /runTask: exportName must be the name of the task's export, got 42/ },
};

function expectBad(label: string, c: { code: string; message: RegExp }) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof BactorError, `${label}: a BactorError, got ${String(e)}`);
    assert.equal(e.code, c.code, `${label}: ${e.message}`);
    assert.match(e.message, c.message, label);
    return true;
  };
}

test(
  'bad input of every public entry fails at the call with a stable code and a message naming it; the system loses nothing else',
  { timeout: 60_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    const counter = await system.spawn(Counter, 7, { name: 'the-counter' });
    const env: Env = { system, counter };
    const actorsBefore = (await system.stats()).workers[0]!.actors;
    for (const c of CASES) {
      const label = `${c.entry}(${c.input})`;
      await assert.rejects(async () => c.call(env), expectBad(label, c), label);
      assert.equal(await counter.ask({ type: 'get' }), 7, `${label}: the system still answers`);
    }
    assert.equal((await system.stats()).workers[0]!.actors, actorsBefore, 'no bad spawn or pool left an actor behind');
    assert.ok(system.lookup('the-counter')?.equals(counter), 'names are kept');
    const fresh = await system.spawn(Counter, 1);
    fresh.tell({ type: 'add', n: 1 });
    assert.equal(await fresh.ask({ type: 'get' }, { timeout: 2000 }), 2, 'a good spawn, tell and ask afterwards work');
    const pool = await system.spawnPool(Counter, 3, { size: 2, strategy: rr });
    assert.equal(await pool.ask({ type: 'get' }), 3, 'a good pool afterwards works');
  },
);

test(
  'bad calls of the context inside a handler fail there with a stable code, and the actor keeps working',
  { timeout: 30_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    const caller = await system.spawn(BadCaller, undefined);
    assert.deepEqual(
      CTX_CALLS.filter((call) => CTX_EXPECTED[call] === undefined),
      [],
      'every bad ctx call of the fixture has an expectation',
    );
    for (const call of CTX_CALLS) {
      const expected = CTX_EXPECTED[call]!;
      const outcome = (await caller.ask({ type: 'call', call }, { timeout: 5000 })) as CallOutcome;
      assert.equal(outcome.ok, false, `${call}: it threw`);
      assert.equal(outcome.code, expected.code, `${call}: ${outcome.message}`);
      assert.match(outcome.message ?? '', expected.message, call);
      if (expected.causeMessage !== undefined)
        assert.equal(outcome.causeMessage, expected.causeMessage, `${call}: the init error is the cause`);
      assert.equal(await caller.ask({ type: 'ping' }), 'pong', `${call}: the actor still works`);
    }
  },
);

test(
  'an init that throws fails the spawn with ERR_ACTOR_INIT_FAILED naming the actor, with the init error as cause (worker and inline)',
  { timeout: 30_000 },
  async (t) => {
    const system = await ActorSystem.start({ workers: 1 });
    t.after(() => system.shutdown());
    for (const dispatcher of ['pool', 'inline'] as const) {
      const where = dispatcher === 'pool' ? 'w1' : 'main';
      // A plain error, and one whose own code must not be taken for a load failure (or anything else).
      for (const fail of [{ message: 'no config' }, { message: 'coded', code: 'ERR_UNKNOWN_ACTOR' }]) {
        const label = `${dispatcher}, ${JSON.stringify(fail)}`;
        await assert.rejects(system.spawn(FailingInit, fail, { dispatcher, name: 'failing' }), (e: unknown) => {
          assert.ok(e instanceof BactorError, label);
          assert.equal(e.code, ErrorCode.ACTOR_INIT_FAILED, `${label}: ${e.message}`);
          assert.match(e.message, new RegExp(`init of FailingInit#\\d+@${where} threw RangeError: ${fail.message}`), label);
          const cause = e.cause as Error & { code?: string };
          assert.ok(cause instanceof Error, `${label}: the init error is the cause`);
          assert.equal(cause.name, 'RangeError', label);
          assert.equal(cause.message, fail.message, label);
          assert.equal(cause.code, fail.code, label);
          return true;
        });
      }
      // Nothing was left behind: the name is free and the same definition spawns.
      const ok = await system.spawn(FailingInit, null, { dispatcher, name: 'failing' });
      assert.equal(await ok.ask({ type: 'get' }), 'alive', dispatcher);
      system.stop(ok);
      const t0 = Date.now();
      while (system.lookup('failing') !== undefined && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5));
    }
  },
);

test('calls on a stopped system fail at once with ERR_SYSTEM_STOPPED (stats() no longer hangs)', { timeout: 30_000 }, async () => {
  const system = await ActorSystem.start({ workers: 1 });
  const counter = await system.spawn(Counter, 1);
  await system.shutdown();
  const pending = Symbol('pending');
  const atOnce = async (label: string, promise: Promise<unknown>): Promise<void> => {
    const outcome = await Promise.race([
      promise.then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      new Promise((r) => setTimeout(() => r(pending), 1000)),
    ]);
    assert.notEqual(outcome, pending, `${label} settled at once`);
    expectBad(label, { code: ErrorCode.SYSTEM_STOPPED, message: new RegExp(`${label}: the actor system is stopped`) })(outcome);
  };
  await atOnce('stats', system.stats());
  await atOnce('spawn', system.spawn(Counter, 0));
  await atOnce('spawnPool', system.spawnPool(Counter, 0, { size: 1, strategy: rr }));
  await atOnce('move', system.move(counter, 1));
  await atOnce('terminateWorker', system.terminateWorker(1));
  await system.shutdown(); // a second shutdown is a no-op
  // The thread is free for the next system.
  const next = await ActorSystem.start({ workers: 0 });
  const again = await next.spawn(Counter, 2);
  assert.equal(await again.ask({ type: 'get' }), 2);
  await next.shutdown();
});
