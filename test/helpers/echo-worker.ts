// The worker of the README's "Hello, rings": echoes every message back to the main thread.
import { workerData } from 'node:worker_threads';
import { TransportEndpoint, type TransportInit } from '../../src/engine.js';

const endpoint = new TransportEndpoint(workerData as TransportInit);
let running = true;
while (running) {
  endpoint.drain({
    onMessage(type, _h0, _h1, msg) {
      if (type === 0)
        running = false; // type 0: stop
      else endpoint.send(0, type, msg);
    },
  });
  endpoint.flush();
  if (running) endpoint.park(1000);
}
endpoint.close();
