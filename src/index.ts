/**
 * bactor's public API. Everything exported here is reviewed API; anything else is internal.
 *
 * This release is the foundation: the shared-memory transport between threads and its codec.
 * The actor runtime (ActorSystem, defineActor, spawn/tell/ask) builds on it next.
 */
export { BactorError, ErrorCode } from './errors/error-codes.js';
export { registerMessageClass, type MessageClassCodec } from './codec/message-classes.js';
export type { MessageSink } from './codec/message-decoder.js';
export {
  DEFAULT_RING_CAPACITY,
  TransportEndpoint,
  createTransport,
  transferListOf,
  type TransportInit,
  type TransportOptions,
} from './transport/transport.js';
export { DEFAULT_LARGE_MESSAGE_THRESHOLD } from './codec/message-encoder.js';
