import { BactorError, CoreErrorCode } from '../errors.js';
import { createAppendLogBuffer } from '../log/append-log.js';
import { createRingBuffer } from '../ring/ring-buffer.js';
import { RingConsumer } from '../ring/ring-consumer.js';
import { RingProducer } from '../ring/ring-producer.js';
import { Doorbell, createDoorbellBuffer } from '../sync/doorbell.js';
import { Inbox } from './inbox.js';
import { DATA_OFFSET, HEAD_INDEX, TAIL_INDEX } from '../layout/ring-layout.js';

export interface MeshOptions {
  /** Threads that exchange messages: the main thread, each worker, the gateway. */
  participants: number;
  /** Body bytes of each ring (a power of two). */
  ringCapacity: number;
  /** Bytes of each ring's schema log. */
  schemaLogCapacity?: number;
}

/**
 * Everything a participant needs to join the mesh: plain SharedArrayBuffers, so it crosses
 * threads by postMessage. Ring from `i` to `j` is `rings[i * participants + j]` (null when
 * `i === j`), and its schema log is `schemaLogs[i * participants + j]`.
 */
export interface MeshDescriptor {
  readonly participants: number;
  readonly ringCapacity: number;
  readonly rings: readonly (SharedArrayBuffer | null)[];
  readonly schemaLogs: readonly (SharedArrayBuffer | null)[];
  readonly doorbells: SharedArrayBuffer;
}

/**
 * Allocates one ring (and one schema log) per ordered pair of participants, and the doorbell
 * block. Called by the owner of the memory, the main thread.
 */
export function createMesh(options: MeshOptions): MeshDescriptor {
  const { participants, ringCapacity, schemaLogCapacity = 64 * 1024 } = options;
  if (!Number.isInteger(participants) || participants < 2 || participants > 256) {
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participants=${participants} must be an integer from 2 to 256`);
  }
  const rings: (SharedArrayBuffer | null)[] = [];
  const schemaLogs: (SharedArrayBuffer | null)[] = [];
  for (let from = 0; from < participants; from++) {
    for (let to = 0; to < participants; to++) {
      rings.push(from === to ? null : createRingBuffer(ringCapacity));
      schemaLogs.push(from === to ? null : createAppendLogBuffer(schemaLogCapacity));
    }
  }
  return { participants, ringCapacity, rings, schemaLogs, doorbells: createDoorbellBuffer(participants) };
}

/** One participant's view of the mesh. Arrays are indexed by the peer's participant number. */
export interface MeshEndpoint {
  readonly self: number;
  readonly participants: number;
  /** Producer of the ring toward each peer (null at `self`). */
  readonly outbound: readonly (RingProducer | null)[];
  /** Schema log beside each outbound ring (this participant is its writer). */
  readonly outboundLogs: readonly (SharedArrayBuffer | null)[];
  /** Consumer of the ring from each peer (null at `self`). */
  readonly inbound: readonly (RingConsumer | null)[];
  /** Schema log beside each inbound ring (this participant reads it). */
  readonly inboundLogs: readonly (SharedArrayBuffer | null)[];
  /** Every participant's doorbell: ring `bells[peer]` after publishing toward `peer`. */
  readonly bells: readonly Doorbell[];
  /** This participant's inbound rings and doorbell. */
  readonly inbox: Inbox;
}

/** Builds participant `self`'s ends of the mesh. Each participant attaches exactly once. */
export function attachMesh(mesh: MeshDescriptor, self: number): MeshEndpoint {
  const n = mesh.participants;
  if (!Number.isInteger(self) || self < 0 || self >= n) {
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `participant=${self} is outside a mesh of ${n}`);
  }
  const outbound: (RingProducer | null)[] = [];
  const outboundLogs: (SharedArrayBuffer | null)[] = [];
  const inbound: (RingConsumer | null)[] = [];
  const inboundLogs: (SharedArrayBuffer | null)[] = [];
  const bells: Doorbell[] = [];
  const consumers: RingConsumer[] = [];
  for (let peer = 0; peer < n; peer++) {
    bells.push(new Doorbell(mesh.doorbells, peer));
    if (peer === self) {
      outbound.push(null);
      outboundLogs.push(null);
      inbound.push(null);
      inboundLogs.push(null);
      continue;
    }
    outbound.push(new RingProducer(mesh.rings[self * n + peer]!));
    outboundLogs.push(mesh.schemaLogs[self * n + peer]!);
    const consumer = new RingConsumer(mesh.rings[peer * n + self]!);
    consumers.push(consumer);
    inbound.push(consumer);
    inboundLogs.push(mesh.schemaLogs[peer * n + self]!);
  }
  return { self, participants: n, outbound, outboundLogs, inbound, inboundLogs, bells, inbox: new Inbox(consumers, bells[self]!) };
}

/**
 * Share (0–1) of the ring from `from` to `to` that holds unread records: for monitoring, by any
 * thread. Seq-cst loads of TAIL (the producer's word) and HEAD (the consumer's word); the two
 * are read one after the other, so the figure is approximate while both move.
 */
export function ringFillOf(mesh: MeshDescriptor, from: number, to: number): number {
  const sab = mesh.rings[from * mesh.participants + to];
  if (sab === null || sab === undefined) return 0;
  const words = new Int32Array(sab, 0, DATA_OFFSET / 4);
  const used = (Atomics.load(words, TAIL_INDEX) - Atomics.load(words, HEAD_INDEX)) >>> 0;
  return Math.min(1, used / mesh.ringCapacity);
}
