import { Packr, Unpackr } from './msgpackr-js.js';
import { inspectMessage, replaceNegativeZero } from './inspect-message.js';
import { MSGPACK_COMMON } from './msgpack-path.js';
import '../actor/actor-ref-codec.js';

/**
 * A value packed on its own, outside any ring (no shared structures): what must outlive the
 * thread it was sent to (each packed value defines its record structures inline), such as the spawn arguments a worker replacement re-creates an actor
 * with. Refs and registered classes travel as in messages; `structuredClone` (workerData) would
 * turn a ref into a plain object.
 */
const packr = new Packr({ ...MSGPACK_COMMON, maxSharedStructures: 0 });
const unpackr = new Unpackr({ ...MSGPACK_COMMON, maxSharedStructures: 0 });

/** Packs `value` into bytes of its own (throws ERR_UNSERIALIZABLE_MESSAGE naming the path of what cannot be carried). */
export function packDetached(value: unknown): Uint8Array {
  if (inspectMessage(value)) value = replaceNegativeZero(value);
  // A copy of its own, as a plain Uint8Array (msgpackr returns a view of its reused buffer, as a Buffer).
  return new Uint8Array(packr.pack(value));
}

export function unpackDetached(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
