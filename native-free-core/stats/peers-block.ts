import { BactorError, CoreErrorCode } from '../errors.js';
import { PEERS_BYTE_LENGTH, PEER_NAME_MAX_UNITS, PEER_SLOTS, PEER_SLOT_FLOAT64, PEER_TABLE_BYTES } from '../layout/peers-layout.js';
import { NameTable } from './name-table.js';

/** Allocates a peers block (main thread only; see peers-layout.ts). */
export function createPeersBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(PEERS_BYTE_LENGTH);
}

function check(sab: SharedArrayBuffer): void {
  if (sab.byteLength !== PEERS_BYTE_LENGTH)
    throw new BactorError(CoreErrorCode.INVALID_ARGUMENT, `a peers block is ${PEERS_BYTE_LENGTH} bytes, got ${sab.byteLength}`);
}

/** The slots: slot k at `k * PEER_SLOT_FLOAT64`, indexed by the word constants of peers-layout.ts. */
export function peerSlots(sab: SharedArrayBuffer): Float64Array {
  check(sab);
  return new Float64Array(sab, 0, PEER_SLOTS * PEER_SLOT_FLOAT64);
}

/** The peer-name table: the k-th address owns slot k (slot 0 takes the peers past its room). One writer (the gateway), any reader. */
export function peerNameTable(sab: SharedArrayBuffer): NameTable {
  check(sab);
  return new NameTable(new Uint16Array(sab, PEER_SLOTS * PEER_SLOT_FLOAT64 * 8, PEER_TABLE_BYTES / 2), PEER_NAME_MAX_UNITS, PEER_SLOTS - 1);
}
