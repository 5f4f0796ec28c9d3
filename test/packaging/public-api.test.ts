// The curated public API: the names `bactor` and `bactor/engine` export, read from the emitted
// declaration files (types included), against the reviewed lists. A name added to src/index.ts
// fails here until it is added below: the list grows by decision, not by accident.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const MAIN = [
  'ActorBehavior',
  'ActorContext',
  'ActorDefinition',
  'ActorLog',
  'ActorNode',
  'ActorRef',
  'ActorSystem',
  'ActorSystemOptions',
  'ActorTrace',
  'ActorTraceEntry',
  'ActorTree',
  'AlertMetric',
  'AlertRule',
  'AlertWebhook',
  'AskOptions',
  'BackoffOptions',
  'BactorError',
  'Cancellable',
  'Clock',
  'Consistency',
  'CrdtChanged',
  'CrdtKey',
  'CrdtOp',
  'CrdtOpArgs',
  'CrdtSpec',
  'CrdtType',
  'CrdtValue',
  'DEFAULT_LARGE_MESSAGE_THRESHOLD',
  'DEFAULT_RING_CAPACITY',
  'DashboardSnapshot',
  'DeadLetterView',
  'Directive',
  'Dispatcher',
  'DurableStateOptions',
  'ErrorCode',
  'EventSourcedOptions',
  'EventStream',
  'GCounter',
  'GSet',
  'HandlerResult',
  'HillClimberOptions',
  'HttpIngressOptions',
  'IngressRequest',
  'IngressResponse',
  'Journal',
  'JournalWrite',
  'KindStats',
  'KindView',
  'LWWMap',
  'LWWRegister',
  'LogLevel',
  'Logger',
  'LoggingOptions',
  'MailboxOptions',
  'ManualClock',
  'MemoryJournal',
  'MessageClassCodec',
  'MessageQueue',
  'Monitoring',
  'MonitoringOptions',
  'ORSet',
  'OverflowPolicy',
  'PNCounter',
  'PackedWrites',
  'Partitioner',
  'PersistenceOptions',
  'PlacementStrategy',
  'PoolOptions',
  'PostgresJournal',
  'PostgresJournalOptions',
  'RECEIVE_TIMEOUT',
  'ReadOptions',
  'ReceiveTimeout',
  'ReliableOptions',
  'ReliableRef',
  'RemoteOptions',
  'RemotePeer',
  'Replay',
  'ReplayEnd',
  'ReplicatedStore',
  'ReplicatedStoreOptions',
  'ReplicatorReply',
  'ReplicatorRequest',
  'Router',
  'RoutingStrategy',
  'SchedulerOptions',
  'Snapshot',
  'SpawnOptions',
  'SqliteJournal',
  'SqliteJournalOptions',
  'StoredEvent',
  'StrategyOptions',
  'StuckHandler',
  'SupervisorStrategy',
  'SyncStrategy',
  'SystemEvent',
  'SystemStats',
  'TraceActorOptions',
  'SystemTracing',
  'ThreadView',
  'TracingOptions',
  'WorkerStats',
  'WriteOptions',
  'allForOne',
  'crdtKey',
  'defineActor',
  'groupRouter',
  'httpIngress',
  'oneForOne',
  'registerMessageClass',
];
const ENGINE = [
  'HillClimber',
  'MessageSink',
  'Scheduler',
  'TransportEndpoint',
  'TransportInit',
  'TransportOptions',
  'createTransport',
  'transferListOf',
];
/** Names whose value is exported (the rest are types only). */
const MAIN_VALUES = [
  'ActorSystem',
  'BactorError',
  'DEFAULT_LARGE_MESSAGE_THRESHOLD',
  'DEFAULT_RING_CAPACITY',
  'ErrorCode',
  'EventStream',
  'GCounter',
  'GSet',
  'LWWMap',
  'LWWRegister',
  'ManualClock',
  'MemoryJournal',
  'ORSet',
  'PNCounter',
  'PostgresJournal',
  'RECEIVE_TIMEOUT',
  'ReplicatedStore',
  'Router',
  'SqliteJournal',
  'allForOne',
  'crdtKey',
  'defineActor',
  'groupRouter',
  'httpIngress',
  'oneForOne',
  'registerMessageClass',
];

/** Every name an `export { … } from` / `export type { … } from` of a .d.ts exports (its alias when renamed). */
function exportedNames(dts: string): string[] {
  const names: string[] = [];
  for (const m of dts.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().replace(/^type /, '');
      if (name === '') continue;
      names.push(name.split(/\s+as\s+/).at(-1)!);
    }
  }
  return names.sort();
}

const dts = (file: string) => readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');

test('bactor exports exactly the reviewed names (types included), and no engine internals', () => {
  assert.deepEqual(exportedNames(dts('index.d.ts')), [...MAIN].sort());
  for (const internal of ['Scheduler', 'HillClimber', 'TransportEndpoint', 'createTransport', 'MessageSink', 'Runtime'])
    assert.ok(!MAIN.includes(internal), internal);
});

test('bactor/engine exports exactly the reviewed engine names', () => {
  assert.deepEqual(exportedNames(dts('engine.d.ts')), [...ENGINE].sort());
});

test('bactor/testkit exports the probe, the manual clock and the deterministic runs', async () => {
  assert.deepEqual(
    exportedNames(dts('testkit/index.d.ts')),
    [
      'Clock',
      'DeterministicOptions',
      'ExploreOptions',
      'ExploreReport',
      'ManualClock',
      'Scenario',
      'SimulatedSystemOptions',
      'Simulation',
      'SimulationFailure',
      'SimulationRun',
      'TestProbe',
      'explore',
      'simulate',
    ].sort(),
  );
  const kit = await import('../../src/testkit/index.js');
  assert.deepEqual(Object.keys(kit).sort(), ['ManualClock', 'TestProbe', 'explore', 'simulate']);
});

test('the values bactor exports at run time are the reviewed ones (an ActorRef is a type: refs come from spawn)', async () => {
  const api = await import('../../src/index.js');
  assert.deepEqual(Object.keys(api).sort(), [...MAIN_VALUES].sort());
});
