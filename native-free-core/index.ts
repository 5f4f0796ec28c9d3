/**
 * bactor's shared-memory core: pure ECMAScript, no Node.js imports. Ring layout and algorithms,
 * doorbells and idle strategies, append-only schema logs, and the mesh of rings between threads.
 */
export { BactorError, CoreErrorCode } from './errors.js';
export * as RingLayout from './layout/ring-layout.js';
export * as DoorbellLayout from './layout/doorbell-layout.js';
export * as AppendLogLayout from './layout/append-log-layout.js';
export { createRingBuffer, ringCapacityOf } from './ring/ring-buffer.js';
export { RingProducer, RING_FULL } from './ring/ring-producer.js';
export { RingConsumer, type RecordHandler } from './ring/ring-consumer.js';
export { Doorbell, createDoorbellBuffer, type ParkResult } from './sync/doorbell.js';
export { BackoffIdleStrategy, DEFAULT_IDLE_STRATEGY, IdlePhase, type IdleStrategyOptions } from './sync/idle-strategy.js';
export { AppendLogReader, AppendLogWriter, createAppendLogBuffer } from './log/append-log.js';
export { Inbox } from './mesh/inbox.js';
export { attachMesh, createMesh, ringFillOf, type MeshDescriptor, type MeshEndpoint, type MeshOptions } from './mesh/mesh.js';
export * as StatsLayout from './layout/stats-layout.js';
export { TypeNameTable, createStatsBuffer, statsSlot } from './stats/stats-block.js';
export * as MetricsLayout from './layout/metrics-layout.js';
export { NameTable } from './stats/name-table.js';
export { createMetricsBuffer, kindNameTable, metricsRegion } from './stats/metrics-block.js';
export * as RecordRingLayout from './layout/record-ring-layout.js';
export { RecordRingReader, RecordRingWriter, createRecordRingBuffer, type RecordRingShape } from './ring/record-ring.js';
