import type { ControlMessage } from './wire-messages.js';

interface Pending {
  peer: number;
  resolve(reply: ControlMessage): void;
  reject(error: unknown): void;
}

/**
 * Request and reply over the control plane: a request carries `req`, its reply `reply` with the
 * same number. Requests to a thread that dies, or pending at shutdown, are failed.
 */
export class ControlRequests {
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  constructor(private readonly send: (peer: number, message: ControlMessage & { req: number }) => void) {}

  /** Requests waiting for their reply. */
  get size(): number {
    return this.pending.size;
  }

  /** Sends `message` to `peer` and resolves with its reply. */
  request(peer: number, message: ControlMessage): Promise<ControlMessage> {
    const req = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { peer, resolve, reject });
      try {
        this.send(peer, { ...message, req });
      } catch (error) {
        this.pending.delete(req);
        reject(error);
      }
    });
  }

  /** A control record with a `reply`: settles the request it answers (none: it came too late). */
  settle(reply: number, message: ControlMessage): void {
    const pending = this.pending.get(reply);
    if (pending === undefined) return;
    this.pending.delete(reply);
    pending.resolve(message);
  }

  /** Fails the requests to `peer` (it died), or all of them (the system stops). */
  fail(error: unknown, peer?: number): void {
    for (const [req, pending] of this.pending) {
      if (peer !== undefined && pending.peer !== peer) continue;
      this.pending.delete(req);
      pending.reject(error);
    }
  }
}
