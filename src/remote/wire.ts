import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Grpc from '@grpc/grpc-js';

/** The version of the node-to-node protocol (proto/bactor_remote.proto) this code speaks. */
export const PROTOCOL_VERSION = 1;

/** The largest message body (packed) a node sends or accepts (gRPC's own default limit is 4 MiB per frame). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024 - 64 * 1024;

export interface WireRef {
  incarnation: number;
  id: number;
  kind: string;
}
export interface Hello {
  protocol_version: number;
  address: string;
  incarnation: number;
  lane: number;
  secret: string;
  max_message_bytes: number;
  credentials: string;
}
export interface Welcome {
  protocol_version: number;
  address: string;
  incarnation: number;
  max_message_bytes: number;
}
export interface Envelope {
  target: number;
  /** The incarnation of the node the sender meant (a restarted node drops what was meant for its predecessor). */
  target_incarnation: number;
  sender?: WireRef | null;
  body: Uint8Array;
  /** Nonzero: `body` is one piece of a body of this many bytes (see LinkQueue). */
  chunked_size?: number;
}
/** SystemKind of the proto. */
export const SystemKind = { WATCH: 1, UNWATCH: 2, TERMINATED: 3, STOP: 4 } as const;
export interface SystemMessage {
  seq: number;
  target: number;
  target_incarnation: number;
  kind: number;
  ref?: WireRef | null;
}
/** Lane of the proto. */
export const Lane = { USER: 0, SYSTEM: 1 } as const;

/** One frame of a stream (exactly one field set: the `body` oneof). */
export interface Frame {
  hello?: Hello;
  welcome?: Welcome;
  refusal?: { code: string; reason: string };
  batch?: { envelopes: Envelope[] };
  lookup?: { id: number; name: string };
  lookup_reply?: { id: number; ref?: WireRef | null };
  system_batch?: { messages: SystemMessage[] };
  spawn?: { id: number; kind: string; name: string; args: Uint8Array };
  where_is?: { id: number; incarnation: number };
  where_is_reply?: { id: number; address: string };
  spawn_reply?: { id: number; ref?: WireRef | null; code: string; message: string };
  ack?: { seq: number };
  heartbeat?: { sent_at: number };
  body?: string;
}

const require = createRequire(import.meta.url);

/** grpc-js and the Gateway service loaded from proto/bactor_remote.proto (once per thread, on first use). */
export function loadWire(): { grpc: typeof Grpc; Gateway: Grpc.ServiceClientConstructor } {
  const grpc = require('@grpc/grpc-js') as typeof Grpc;
  const loader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const file = fileURLToPath(new URL('../../../proto/bactor_remote.proto', import.meta.url));
  const definition = loader.loadSync(file, { keepCase: true, longs: Number, enums: Number, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    bactor: { remote: { v1: { Gateway: Grpc.ServiceClientConstructor } } };
  };
  return { grpc, Gateway: pkg.bactor.remote.v1.Gateway };
}
