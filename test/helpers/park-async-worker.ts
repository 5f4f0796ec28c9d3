/**
 * A worker whose only pending work is `parkAsync`: it must stay alive until a producer rings,
 * then echo what it received and exit by itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TransportEndpoint, type TransportInit } from '../../src/transport/transport.js';

const endpoint = new TransportEndpoint(workerData as TransportInit);
const got: unknown[] = [];
const result = await endpoint.parkAsync(60_000);
endpoint.drain({ onMessage: (_t, _a, _b, m) => got.push(m) });
endpoint.close();
parentPort!.postMessage({ result, got });
