import { setIncarnation } from '../actor/actor-ref.js';
import { errorInfo } from '../errors/error-info.js';
import { enterActorHost } from '../runtime/thread-role.js';
import { TransportEndpoint, type TransportInit } from '../transport/transport.js';
import { Gateway, type GatewayOptions } from './gateway.js';

export interface GatewayInit extends GatewayOptions {
  transport: TransportInit;
  incarnation: number;
}

/** What the gateway thread tells the main thread once: where it listens, or why it could not. */
export type GatewayStarted = { address: string } | { error: ReturnType<typeof errorInfo> };

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The gateway thread's loop: turns (rings → batches per peer; see Gateway) while there is work,
 * letting the event loop run after each (gRPC's I/O lives there), and parking without blocking
 * it (waitAsync) when the rings are empty. Ends on the main thread's `exit`.
 */
export async function runGateway(init: GatewayInit, started: (message: GatewayStarted) => void): Promise<void> {
  enterActorHost();
  setIncarnation(init.incarnation);
  const endpoint = new TransportEndpoint(init.transport);
  const gateway = new Gateway(endpoint, init);
  try {
    started({ address: await gateway.listen() });
  } catch (error) {
    started({ error: errorInfo(error) });
    gateway.close();
    endpoint.close();
    return;
  }
  while (gateway.running) {
    if (gateway.turn() > 0) await yieldToLoop();
    else await endpoint.parkAsync(100);
  }
  gateway.close();
  endpoint.close();
}
