import type * as Grpc from '@grpc/grpc-js';
import type { ActorRef } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { type Envelope, type Frame, PROTOCOL_VERSION, type WireRef } from './wire.js';

/** Envelopes that may wait for a connection to open before they are dead letters. */
export const LINK_QUEUE_LIMIT = 65_536;

/** What a link needs of its gateway. */
export interface LinkHost {
  readonly grpc: typeof Grpc;
  readonly Client: Grpc.ServiceClientConstructor;
  /** This node's Hello (its address, incarnation and the secret). */
  hello(): Frame['hello'];
  /** The link's handshake was answered: its peer is the node of `incarnation`. */
  opened(link: PeerLink, incarnation: number): void;
  /** The node at the link's address is a new incarnation: `earlier` is gone. */
  replaced(earlier: number): void;
  /** Envelopes that will never be sent (the link failed), with the reason. */
  undeliverable(envelopes: Envelope[], reason: string): void;
  /** Asks sent on the link and not answered when it failed: [asker, target]. */
  lost(asks: [ActorRef, ActorRef][], reason: string): void;
}

/** Unanswered asks a link remembers (the oldest are forgotten: they time out where they were asked). */
const PENDING_ASKS_LIMIT = 65_536;

interface PendingLookup {
  resolve(ref: WireRef | null): void;
  reject(error: unknown): void;
}

/**
 * This node's stream to one other node (by address): opens it with a Hello, waits for the
 * Welcome, then carries batches of envelopes one way; lookups are asked on it and answered on
 * the same stream. Envelopes sent before the Welcome wait in a bounded queue.
 */
export class PeerLink {
  state: 'connecting' | 'open' | 'failed' | 'closed' = 'connecting';
  /** The peer's incarnation, from its Welcome. */
  incarnation = 0;
  /** Why it failed (a refusal, an unreachable node, a broken stream). */
  error: BactorError | null = null;
  readonly ready: Promise<void>;
  private queue: Envelope[] = [];
  private readonly client: Grpc.Client;
  private readonly call: Grpc.ClientDuplexStream<Frame, Frame>;
  private readonly lookups = new Map<number, PendingLookup>();
  /** Asks of this node sent on the link, by the packed ref of their slot: [asker, target]. */
  private readonly asks = new Map<number, [ActorRef, ActorRef]>();
  private nextLookup = 1;
  private settleReady!: (error: BactorError | null) => void;

  constructor(
    private readonly host: LinkHost,
    readonly address: string,
    /** The incarnation this link reconnects to (0: whichever answers). */
    private readonly expected = 0,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error === null ? resolve() : reject(error));
    });
    // Callers await `ready` when they need it; an unawaited failure is not an unhandled rejection.
    this.ready.catch(() => undefined);
    this.client = new host.Client(address, host.grpc.credentials.createInsecure());
    this.call = (this.client as unknown as { Connect(): Grpc.ClientDuplexStream<Frame, Frame> }).Connect();
    this.call.on('data', (frame: Frame) => this.onFrame(frame));
    this.call.on('error', (error: Error) =>
      this.fail(new BactorError(ErrorCode.REMOTE_UNREACHABLE, `node ${address}: ${error.message}`, { cause: error })),
    );
    this.call.on('end', () => this.fail(new BactorError(ErrorCode.REMOTE_UNREACHABLE, `node ${address} ended the connection`)));
    this.call.write({ hello: host.hello() });
  }

  /** Queues an envelope for the next `flush` (a dead letter if the queue is full or the link failed). */
  enqueue(envelope: Envelope): void {
    if (this.state === 'failed' || this.state === 'closed') this.host.undeliverable([envelope], this.error?.message ?? 'link closed');
    else if (this.queue.length >= LINK_QUEUE_LIMIT) this.host.undeliverable([envelope], 'remote-queue-full');
    else this.queue.push(envelope);
  }

  /** Writes what is queued as one batch (once open). */
  flush(): void {
    if (this.state !== 'open' || this.queue.length === 0) return;
    const envelopes = this.queue;
    this.queue = [];
    this.call.write({ batch: { envelopes } });
  }

  /** An ask's question went on this link. */
  askSent(asker: ActorRef, target: ActorRef): void {
    if (this.asks.size >= PENDING_ASKS_LIMIT) this.asks.delete(this.asks.keys().next().value!);
    this.asks.set(asker.packed, [asker, target]);
  }

  /** The reply to the ask of slot `packed` came back. */
  answered(packed: number): void {
    this.asks.delete(packed);
  }

  /** The ref of the actor named `name` on the peer (null: none). */
  async lookup(name: string): Promise<WireRef | null> {
    await this.ready;
    const id = this.nextLookup++;
    return new Promise<WireRef | null>((resolve, reject) => {
      this.lookups.set(id, { resolve, reject });
      this.call.write({ lookup: { id, name } });
    });
  }

  close(): void {
    if (this.state === 'closed') return;
    this.fail(new BactorError(ErrorCode.REMOTE_UNREACHABLE, `the connection to ${this.address} was closed`));
    this.state = 'closed';
    this.call.removeAllListeners('data');
    this.call.on('error', () => undefined);
    this.call.end();
    this.client.close();
  }

  private onFrame(frame: Frame): void {
    if (frame.welcome) {
      if (this.state !== 'connecting') return;
      this.state = 'open';
      this.incarnation = frame.welcome.incarnation;
      if (this.expected !== 0 && this.expected !== this.incarnation) {
        // The node restarted: what was queued for its predecessor never reaches the new one.
        this.host.replaced(this.expected);
        const earlier = this.queue.filter((e) => e.target_incarnation === this.expected);
        this.queue = this.queue.filter((e) => e.target_incarnation !== this.expected);
        if (earlier.length > 0) this.host.undeliverable(earlier, 'earlier-incarnation');
      }
      this.host.opened(this, this.incarnation);
      this.settleReady(null);
      this.flush();
    } else if (frame.refusal) {
      this.fail(
        new BactorError(
          ErrorCode.REMOTE_REFUSED,
          `node ${this.address} refused this node: ${frame.refusal.reason} (${frame.refusal.code})`,
        ),
      );
    } else if (frame.lookup_reply) {
      const pending = this.lookups.get(frame.lookup_reply.id);
      if (pending === undefined) return;
      this.lookups.delete(frame.lookup_reply.id);
      pending.resolve(frame.lookup_reply.ref ?? null);
    }
  }

  private fail(error: BactorError): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.state = 'failed';
    this.error = error;
    this.settleReady(error);
    for (const pending of this.lookups.values()) pending.reject(error);
    this.lookups.clear();
    const queued = this.queue;
    this.queue = [];
    if (queued.length > 0) this.host.undeliverable(queued, error.message);
    if (this.asks.size > 0) {
      const asks = [...this.asks.values()];
      this.asks.clear();
      this.host.lost(asks, error.message);
    }
  }
}

export { PROTOCOL_VERSION };
