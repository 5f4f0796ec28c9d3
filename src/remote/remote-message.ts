import { packDetached } from '../codec/detached-value.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { MAX_MESSAGE_BYTES } from './wire.js';

/**
 * A message for an actor of another node, packed where it is sent (on the sender's thread, so
 * the gateway forwards the bytes without reading them): refs inside carry their node. Throws
 * ERR_UNSERIALIZABLE_MESSAGE naming the path of what cannot be carried, ERR_MESSAGE_TOO_LARGE
 * past MAX_MESSAGE_BYTES.
 */
export function packRemote(message: unknown): Uint8Array {
  const bytes = packDetached(message);
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new BactorError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `a message for another node packs to ${bytes.length} bytes, more than the ${MAX_MESSAGE_BYTES} a node accepts`,
    );
  }
  return bytes;
}
