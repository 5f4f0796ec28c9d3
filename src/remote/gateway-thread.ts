import { Worker } from 'node:worker_threads';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { remoteFailure } from '../errors/error-info.js';
import { transferListOf } from '../transport/transport.js';
import { workerExecArgv } from '../util/worker-exec-argv.js';
import type { GatewayInit, GatewayStarted } from './gateway-host.js';

const GATEWAY_URL = new URL('../../workers/gateway-host.js', import.meta.url);

/**
 * The main thread's handle on the gateway thread: started with the system, never placed on,
 * rebalanced or terminated by the watchdog (terminating a thread that reads HTTP/2 can abort
 * the process); it ends by itself on the system's `exit`.
 */
export class GatewayThread {
  /** Resolves with the address the gateway listens on; rejects if it could not bind. */
  readonly ready: Promise<string>;
  readonly exited: Promise<void>;
  private readonly worker: Worker;

  constructor(init: GatewayInit) {
    this.worker = new Worker(GATEWAY_URL, { workerData: init, transferList: transferListOf(init.transport), execArgv: workerExecArgv() });
    this.ready = new Promise<string>((resolve, reject) => {
      this.worker.once('message', (message: GatewayStarted) => {
        if ('address' in message) resolve(message.address);
        else reject(remoteFailure(message.error, ErrorCode.INVALID_OPTION, 'the gateway thread'));
      });
      this.worker.once('error', (error) =>
        reject(new BactorError(ErrorCode.WORKER_DIED, `the gateway thread failed: ${error.message}`, { cause: error })),
      );
      this.worker.once('exit', (code) => reject(new BactorError(ErrorCode.WORKER_DIED, `the gateway thread exited with code ${code}`)));
    });
    this.ready.catch(() => undefined);
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** After `exit` was sent: lets the process end even if the thread is slow to. */
  unref(): void {
    this.worker.unref();
  }
}
