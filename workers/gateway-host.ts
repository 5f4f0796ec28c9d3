/**
 * Entry point of the gateway thread (remote): runs `src/remote/gateway-host.ts` with what the
 * main thread passed in `workerData`, reports where it listens, and ends the thread once the
 * system has shut down.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type GatewayInit, runGateway } from '../src/remote/gateway-host.js';

await runGateway(workerData as GatewayInit, (message) => parentPort!.postMessage(message));
process.exit(0);
