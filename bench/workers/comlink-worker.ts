// comlink peer of the `actors` suite: a worker exposing one function for round-trip calls.
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';

Comlink.expose({ add: (message: { type: string; id: number; value: number }) => message.value + 1 }, nodeEndpoint(parentPort!));
