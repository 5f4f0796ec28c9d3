import type { ActorRef } from '../actor/actor-ref.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';

/** What the finder needs of the system (ActorSystem's lookupRemote and events). */
export interface FinderHost {
  lookupRemote(address: string, name: string): Promise<ActorRef | undefined>;
  subscribe(listener: (event: RuntimeEvent) => void): () => void;
}

/**
 * Finds the replicators of a store on the other nodes, until cluster membership exists: every
 * `retryMs` it looks up (by name) those not found yet — a node not started, or its store not
 * opened yet. A node-lost event for a found one's incarnation (unreachable for lostAfterMs, or
 * restarted) takes it away and it is looked up again (a restarted node is found as its new
 * incarnation).
 */
export class PeerFinder {
  private readonly found = new Map<string, ActorRef>();
  private readonly looking = new Set<string>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(
    private readonly host: FinderHost,
    private readonly addresses: readonly string[],
    private readonly name: string,
    retryMs: number,
    private readonly up: (address: string, ref: ActorRef) => void,
    private readonly down: (address: string) => void,
  ) {
    this.unsubscribe = host.subscribe((event) => {
      if (event.type !== 'node-lost') return;
      for (const [address, ref] of this.found)
        if (ref.incarnation === event.incarnation) {
          this.found.delete(address);
          this.down(address);
        }
    });
    this.timer = setInterval(() => this.look(), retryMs);
    this.timer.unref();
    this.look();
  }

  private look(): void {
    for (const address of this.addresses) {
      if (this.found.has(address) || this.looking.has(address)) continue;
      this.looking.add(address);
      this.host
        .lookupRemote(address, this.name)
        .then(
          (ref) => {
            if (ref === undefined || this.stopped) return;
            this.found.set(address, ref);
            this.up(address, ref);
          },
          () => undefined, // unreachable or refused for now: the next round tries again
        )
        .finally(() => this.looking.delete(address));
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe();
  }
}
