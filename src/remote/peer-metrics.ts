import {
  BACKLOG,
  BYTES_IN,
  BYTES_OUT,
  FRAMES_IN,
  FRAMES_OUT,
  INCARNATION,
  LAST_HEARD,
  LOST,
  MESSAGES_IN,
  MESSAGES_OUT,
  PEER_SLOT_FLOAT64,
  PEER_STATES,
  RECONNECTS,
  STATE,
} from '../../native-free-core/layout/peers-layout.js';
import type { NameTable } from '../../native-free-core/stats/name-table.js';
import { peerNameTable, peerSlots } from '../../native-free-core/stats/peers-block.js';
import type { InboundTraffic } from './inbound.js';
import type { PeerLink } from './peer-link.js';

const TIME_ORIGIN = performance.timeOrigin;
const NO_TRAFFIC: InboundTraffic = { frames: 0, messages: 0, bytes: 0 };

/**
 * The gateway's side of the peers block (peers-layout.ts): every tick it copies what its links
 * counted (what this node wrote, their state) and what the streams other nodes opened here
 * counted (what they wrote), per peer address, into the peer's slot. Peers past the table's room
 * are summed in slot 0.
 */
export class PeerMetrics {
  private readonly words: Float64Array;
  private readonly names: NameTable;

  constructor(buffer: SharedArrayBuffer) {
    this.words = peerSlots(buffer);
    this.names = peerNameTable(buffer);
  }

  publish(links: ReadonlyMap<string, PeerLink>, inbound: ReadonlyMap<string, InboundTraffic>): void {
    const words = this.words;
    words.fill(0, 0, PEER_SLOT_FLOAT64);
    for (const [address, link] of links) this.write(address, link, inbound.get(address) ?? NO_TRAFFIC);
    for (const [address, traffic] of inbound) if (!links.has(address)) this.write(address, null, traffic);
  }

  private write(address: string, link: PeerLink | null, traffic: InboundTraffic): void {
    const words = this.words;
    const k = this.names.ordinal(address);
    const base = k * PEER_SLOT_FLOAT64;
    const out = link?.traffic;
    // Slot 0 sums the peers past the table's room; a peer's own slot is overwritten.
    const add = (word: number, value: number): void => {
      words[base + word] = k === 0 ? words[base + word]! + value : value;
    };
    add(FRAMES_OUT, out?.framesOut ?? 0);
    add(FRAMES_IN, (out?.framesIn ?? 0) + traffic.frames);
    add(MESSAGES_OUT, out?.messagesOut ?? 0);
    add(MESSAGES_IN, traffic.messages);
    add(BYTES_OUT, out?.bytesOut ?? 0);
    add(BYTES_IN, traffic.bytes);
    add(BACKLOG, link?.backlog ?? 0);
    add(RECONNECTS, Math.max(0, (out?.opens ?? 0) - 1));
    add(LOST, out?.lost ?? 0);
    if (k === 0) return;
    // A node that only opened streams here (no link from this side): 'idle' on this side.
    words[base + STATE] = PEER_STATES.indexOf(link?.state ?? 'idle');
    words[base + INCARNATION] = link?.incarnation ?? 0;
    words[base + LAST_HEARD] = link !== null && link.lastHeard > 0 ? Math.round(TIME_ORIGIN + link.lastHeard) : 0;
  }
}
