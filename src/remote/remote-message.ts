import { packPortable, unpackPortable } from '../codec/portable.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { MAX_MESSAGE_BYTES } from './wire.js';
import { ActorRef, localIdOf, participantOf } from '../actor/actor-ref.js';
import { TracedMessage } from '../observability/tracing/trace-context.js';

// Message bodies between nodes are portable MessagePack (codec/portable.ts).

/**
 * A message for an actor of another node, packed where it is sent (on the sender's thread, so
 * the gateway forwards the bytes without reading them). Throws ERR_UNSERIALIZABLE_MESSAGE naming
 * the path of what cannot be carried, ERR_MESSAGE_TOO_LARGE past MAX_MESSAGE_BYTES.
 */
export function packRemote(message: unknown): Uint8Array {
  const packed = packPortable(message);
  if (packed.length > MAX_MESSAGE_BYTES) {
    throw new BactorError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `a message for another node packs to ${packed.length} bytes, more than the ${MAX_MESSAGE_BYTES} a node accepts`,
    );
  }
  return packed;
}

/** The message in a body from another node (throws on bytes that are not MessagePack). */
export function unpackRemote(bytes: Uint8Array): unknown {
  return unpackPortable(bytes);
}

/**
 * A REMOTE_IN record's body — [sender's packed ref, its node's incarnation, its kind, the
 * message packed] (0 and 0: no sender) — as its sender and message; throws what unpacking threw.
 * A message traced by a node with tracing reaches a node without it (`traced` false) as itself.
 */
export function unpackRemoteIn(body: [number, number, string, Uint8Array], traced: boolean): { sender: ActorRef | null; message: unknown } {
  const [from, incarnation, kind, bytes] = body;
  const sender = incarnation === 0 ? null : new ActorRef(participantOf(from), localIdOf(from), kind, incarnation);
  const message = unpackRemote(bytes);
  return { sender, message: !traced && message instanceof TracedMessage ? message.message : message };
}
