import { packRef } from '../actor/actor-ref.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import { type ControlMessage, RecordType } from '../runtime/wire-messages.js';
import type { TransportEndpoint } from '../transport/transport.js';
import type { PeerLink } from './peer-link.js';

/**
 * Envelopes waiting for one peer (unwritten: its stream is full, or it is reconnecting) past
 * which the threads of this node hold their senders to it (see Outbound.sendRemote), and below
 * which they let them go again.
 */
export const FLOW_HIGH = 8192;
const FLOW_LOW = 2048;
/** The same in body bytes (a few large messages hold senders too). */
const FLOW_HIGH_BYTES = 32 * 1024 * 1024;
const FLOW_LOW_BYTES = 8 * 1024 * 1024;

/**
 * The gateway's records for the threads of its own node — system messages, failed asks, events,
 * flow control — none lost to a full ring: what does not fit waits, in order, for the next turn.
 * And the flow control it announces per peer node, keyed by `-incarnation` (see Outbound.sendRemote).
 */
export class LocalRings {
  private backlog: [peer: number, type: number, id: number, body: unknown][] = [];
  /** Incarnations whose senders this node holds back (their link's backlog passed FLOW_HIGH). */
  private readonly congested = new Set<number>();
  private readonly self: number;

  constructor(private readonly endpoint: TransportEndpoint) {
    this.self = packRef(endpoint.self, 0);
  }

  /** A record for a thread of this node; if its ring is full it waits (in order) for `retry`. */
  send(peer: number, type: number, id: number, body: unknown): void {
    if (this.backlog.length > 0 || !this.endpoint.send(peer, type, body, id, this.self)) this.backlog.push([peer, type, id, body]);
  }

  /** An event for the main thread (dead letters, lost nodes). */
  publish(event: RuntimeEvent): void {
    this.send(0, RecordType.CONTROL, 0, { op: 'event', event } satisfies ControlMessage);
  }

  /** Sends what waited for room, in order, as far as the rings take it. */
  retry(): void {
    if (this.backlog.length === 0) return;
    let n = 0;
    while (n < this.backlog.length) {
      const [peer, type, id, body] = this.backlog[n]!;
      if (!this.endpoint.send(peer, type, body, id, this.self)) break;
      n++;
    }
    this.backlog.splice(0, n);
  }

  /** Holds or lets go this node's senders to the link's peer, by its backlog (FLOW_HIGH, FLOW_LOW, in messages or bytes). */
  checkFlow(link: PeerLink): void {
    const incarnation = link.incarnation;
    if (incarnation === 0) return;
    if ((link.backlog >= FLOW_HIGH || link.backlogBytes >= FLOW_HIGH_BYTES) && !this.congested.has(incarnation)) {
      this.congested.add(incarnation);
      this.announce(incarnation, 'congested', FLOW_HIGH);
    } else if (link.backlog <= FLOW_LOW && link.backlogBytes <= FLOW_LOW_BYTES && this.congested.has(incarnation))
      this.release(incarnation);
  }

  /** No more flow control toward the node of `incarnation` (it drained, or it is lost). */
  release(incarnation: number): void {
    if (!this.congested.delete(incarnation)) return;
    this.announce(incarnation, 'release', 0);
  }

  private announce(incarnation: number, signal: 'congested' | 'release', amount: number): void {
    const message: ControlMessage = { op: 'flow', target: -incarnation, signal, amount };
    for (let peer = 0; peer < this.endpoint.participants; peer++)
      if (peer !== this.endpoint.self) this.send(peer, RecordType.CONTROL, 0, message);
    this.endpoint.flush();
  }
}
