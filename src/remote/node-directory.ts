import { type LinkHost, PeerLink } from './peer-link.js';

/**
 * The nodes this gateway knows: its links by address, which link reaches which incarnation,
 * where each incarnation listens (from Hellos and Welcomes), and the incarnations lost for good
 * (with why: messages for them fail at once).
 */
export class NodeDirectory {
  readonly links = new Map<string, PeerLink>();
  private readonly byIncarnation = new Map<number, PeerLink>();
  private readonly addressOf = new Map<number, string>();
  private readonly gone = new Map<number, string>();

  constructor(private readonly host: LinkHost) {}

  /** Why the node of `incarnation` is lost (undefined: it is not). */
  lostReason(incarnation: number): string | undefined {
    return this.gone.get(incarnation);
  }

  /** The link to the node of `incarnation` (undefined: it is lost, or where it listens is not known). */
  linkFor(incarnation: number): PeerLink | undefined {
    if (this.gone.has(incarnation)) return undefined;
    const link = this.byIncarnation.get(incarnation);
    if (link !== undefined) return link;
    const address = this.addressOf.get(incarnation);
    if (address === undefined) return undefined;
    const fresh = this.linkTo(address);
    if (fresh.incarnation === 0) fresh.incarnation = incarnation;
    this.byIncarnation.set(incarnation, fresh);
    return fresh;
  }

  /** The link to `address` (made on first use; it connects when it has something to carry). */
  linkTo(address: string): PeerLink {
    let link = this.links.get(address);
    if (link === undefined) {
      link = new PeerLink(this.host, address);
      this.links.set(address, link);
    }
    return link;
  }

  /** A link's handshake was answered by the node of `incarnation`. */
  opened(link: PeerLink, incarnation: number): void {
    this.byIncarnation.set(incarnation, link);
    this.addressOf.set(incarnation, link.address);
  }

  /** A node introduced itself (it opened a stream here): where it listens. */
  greeted(address: string, incarnation: number): void {
    if (address === '') return;
    this.addressOf.set(incarnation, address);
    // A new incarnation at an address a link knows as another: that one restarted.
    this.links.get(address)?.restartSeen(incarnation);
  }

  /** A third node said where the node of `incarnation` listens (second-hand: never taken as a restart). */
  heardOf(address: string, incarnation: number): void {
    if (address !== '' && !this.addressOf.has(incarnation)) this.addressOf.set(incarnation, address);
  }

  /** The link that reaches the node of `incarnation` now, if any. */
  reaching(incarnation: number): PeerLink | undefined {
    return this.byIncarnation.get(incarnation);
  }

  /** Marks the node lost; false if it already was. */
  markLost(incarnation: number, reason: string): boolean {
    if (incarnation === 0 || this.gone.has(incarnation)) return false;
    this.gone.set(incarnation, reason);
    this.byIncarnation.get(incarnation)?.forget(incarnation, reason);
    this.byIncarnation.delete(incarnation);
    return true;
  }

  /** Every address a node was seen at (the nodes to ask where a third one listens). */
  knownAddresses(): string[] {
    return [...new Set([...this.addressOf.values(), ...this.links.keys()])];
  }

  addressOfNode(incarnation: number): string {
    return this.addressOf.get(incarnation) ?? '';
  }
}
