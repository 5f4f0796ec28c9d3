import { inspectMessage, replaceNegativeZero } from './inspect-message.js';
import { MSGPACK_COMMON } from './msgpack-path.js';
import { Packr, Unpackr } from './msgpackr-js.js';
import '../actor/actor-ref-codec.js';

/**
 * Values that leave this process — message bodies for another node, events and snapshots in a
 * journal — are standard MessagePack, so another implementation (or a later version) can read
 * them: objects are maps with string keys (they come back as plain objects — a Map does too), no
 * record structures; refs are extension type 64 holding [thread, local id, kind, incarnation];
 * registered message classes are their extension types.
 */
const packr = new Packr({ ...MSGPACK_COMMON, useRecords: false, maxSharedStructures: 0 });
const unpackr = new Unpackr({ ...MSGPACK_COMMON, useRecords: false, mapsAsObjects: true });

/** Packs `value` into bytes of its own; throws ERR_UNSERIALIZABLE_MESSAGE naming the path of what cannot be carried. */
export function packPortable(value: unknown): Uint8Array {
  if (inspectMessage(value)) value = replaceNegativeZero(value);
  // A copy of its own (msgpackr returns a view of its reused buffer).
  return new Uint8Array(packr.pack(value));
}

/** `packPortable` without the copy: a view of the packer's buffer, valid until the next pack on this thread. */
export function packPortableView(value: unknown): Uint8Array {
  if (inspectMessage(value)) value = replaceNegativeZero(value);
  return packr.pack(value);
}

export function unpackPortable(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
