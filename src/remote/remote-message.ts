import { inspectMessage, replaceNegativeZero } from '../codec/inspect-message.js';
import { MSGPACK_COMMON } from '../codec/msgpack-path.js';
import { Packr, Unpackr } from '../codec/msgpackr-js.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { MAX_MESSAGE_BYTES } from './wire.js';
import '../actor/actor-ref-codec.js';

/**
 * Message bodies between nodes are standard MessagePack, so another implementation can read and
 * write them: objects are maps with string keys (they arrive as plain objects — a Map does too),
 * no record structures; refs are extension type 64 holding [thread, local id, kind, incarnation];
 * registered message classes are their extension types.
 */
const packr = new Packr({ ...MSGPACK_COMMON, useRecords: false, maxSharedStructures: 0 });
const unpackr = new Unpackr({ ...MSGPACK_COMMON, useRecords: false, mapsAsObjects: true });

/**
 * A message for an actor of another node, packed where it is sent (on the sender's thread, so
 * the gateway forwards the bytes without reading them). Throws ERR_UNSERIALIZABLE_MESSAGE naming
 * the path of what cannot be carried, ERR_MESSAGE_TOO_LARGE past MAX_MESSAGE_BYTES.
 */
export function packRemote(message: unknown): Uint8Array {
  if (inspectMessage(message)) message = replaceNegativeZero(message);
  const packed = packr.pack(message);
  if (packed.length > MAX_MESSAGE_BYTES) {
    throw new BactorError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `a message for another node packs to ${packed.length} bytes, more than the ${MAX_MESSAGE_BYTES} a node accepts`,
    );
  }
  // A copy of its own (msgpackr returns a view of its reused buffer).
  return new Uint8Array(packed);
}

/** The message in a body from another node (throws on bytes that are not MessagePack). */
export function unpackRemote(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
