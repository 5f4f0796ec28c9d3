/**
 * `bactor/engine`: the parts of the engine that advanced users reach for — the scheduler and its
 * hill-climbing controller (`system.scheduler` is a Scheduler), and the transport that connects
 * threads through rings (to build a mesh of your own threads). Not needed to write actors; these
 * follow the engine and may change between minor versions.
 */
export { Scheduler } from './scheduler/scheduler.js';
export { HillClimber } from './scheduler/hill-climber.js';
export type { MessageSink } from './codec/message-decoder.js';
export { TransportEndpoint, createTransport, transferListOf, type TransportInit, type TransportOptions } from './transport/transport.js';
