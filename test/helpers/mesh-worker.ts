import { parentPort, workerData } from 'node:worker_threads';
import { TransportEndpoint, type TransportInit } from '../../src/transport/transport.js';
import { MeshPeer } from './mesh-peer.js';

const { init, seed, perPeer, largeEvery } = workerData as { init: TransportInit; seed: number; perPeer: number; largeEvery: number };
const endpoint = new TransportEndpoint(init);
const peer = new MeshPeer(endpoint, seed, perPeer, largeEvery);
let allSent = false;
let idle = 0;
while (peer.error === undefined && !(allSent && peer.allReceived())) {
  if (!allSent) allSent = peer.pump(64);
  if (endpoint.drain(peer, 256) > 0) {
    idle = 0;
  } else if (allSent && ++idle > 100) {
    if (endpoint.park(1000) !== 'not-parked') peer.parks++;
    idle = 0;
  }
}
endpoint.close();
parentPort!.postMessage(peer.result());
