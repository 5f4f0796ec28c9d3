/**
 * Memory layout of the peers block: what the gateway thread knows of each other node it talks to,
 * in one SharedArrayBuffer the main thread allocates when the system starts with `remote`.
 *
 * ```
 *  PEER_SLOTS slots of PEER_SLOT_FLOAT64 Float64 words
 *  +-------------------------------------------------------------------------------+
 *  | slot 0: "(other)" — peers past the table's room                               |
 *  | slot k: STATE | INCARNATION | FRAMES_OUT | FRAMES_IN | MESSAGES_OUT |         |
 *  |         MESSAGES_IN | BYTES_OUT | BYTES_IN | BACKLOG | RECONNECTS | LOST |    |
 *  |         LAST_HEARD | (free)                                                   |
 *  +-------------------------------------------------------------------------------+
 *  then the peer-name table (PEER_TABLE_BYTES, Uint16 units): the k-th address owns slot k
 *  | len | UTF-16 units of an address … | len | … | 0 (free) …                       |
 * ```
 *
 * Owner table:
 *
 * | words            | written by                                              | read by                    |
 * |------------------|---------------------------------------------------------|----------------------------|
 * | every word       | the gateway thread, every HEARTBEAT_MS / 2 (its tick)    | the main thread's registry |
 * | peer-name table  | the gateway thread, append-only, before the slot's first word | the registry          |
 *
 * One writer; monitoring data read without synchronisation (a figure may be one tick old), as in
 * the stats and metrics blocks. The counters are cumulative over the system's life: a link's
 * reconnections and a peer's new incarnations add to them.
 */
export const PEER_SLOT_FLOAT64 = 16;
/** Peers, slot 0 ("(other)") included. */
export const PEER_SLOTS = 64;
/** The name slot 0 is exported under. */
export const OTHER_PEER = '(other)';

/** The link's state: one of PEER_STATES (its index). */
export const STATE = 0;
/** The incarnation of the node the link reaches (0: not known yet). */
export const INCARNATION = 1;
/** Frames written to the peer (batches of messages, system batches, heartbeats, requests), cumulative. */
export const FRAMES_OUT = 2;
/** Frames read from the peer's streams to this node, cumulative. */
export const FRAMES_IN = 3;
/** User messages written to the peer, cumulative. */
export const MESSAGES_OUT = 4;
/** User messages read from the peer, cumulative. */
export const MESSAGES_IN = 5;
/** Message body bytes written (what the codec made; the frames' own framing not counted), cumulative. */
export const BYTES_OUT = 6;
/** Message body bytes read, cumulative. */
export const BYTES_IN = 7;
/** User messages waiting to be written to the peer (gauge). */
export const BACKLOG = 8;
/** Connections opened after the first (the link reconnected), cumulative. */
export const RECONNECTS = 9;
/** Incarnations at this address declared lost (unreachable past lostAfterMs, or replaced by a restart), cumulative. */
export const LOST = 10;
/** When the peer was last heard from (ms since the epoch; 0: never). */
export const LAST_HEARD = 11;

/** STATE's values, by index. */
export const PEER_STATES = ['idle', 'connecting', 'open', 'down', 'closed'] as const;

/** Bytes of the peer-name table (2,048 UTF-16 units). */
export const PEER_TABLE_BYTES = 4096;
/** Longest address kept (UTF-16 units); longer ones are cut. */
export const PEER_NAME_MAX_UNITS = 255;

/** Bytes of SharedArrayBuffer of a peers block. */
export const PEERS_BYTE_LENGTH = PEER_SLOTS * PEER_SLOT_FLOAT64 * 8 + PEER_TABLE_BYTES;
