import { workerExecArgv } from '../util/worker-exec-argv.js';
import { Piscina } from 'piscina';
import { BactorError, ErrorCode } from '../errors/error-codes.js';

/**
 * The task pool of one thread: stateless CPU work an actor hands off with `ctx.runTask(...)`,
 * run by piscina on its own threads, so the other actors of the thread keep running while it
 * computes. Created on first use; its threads exit after a second idle.
 */
export class TaskPool {
  private pool: Piscina | null = null;

  constructor(private readonly maxThreads: number) {}

  run<T>(moduleUrl: string, exportName: string, input: unknown): Promise<T> {
    if (typeof moduleUrl !== 'string' || !moduleUrl.startsWith('file:')) {
      return Promise.reject(
        new BactorError(
          ErrorCode.INVALID_OPTION,
          `runTask: the module must be a file: URL (import.meta.url of the task module), got ${JSON.stringify(moduleUrl)}`,
        ),
      );
    }
    if (typeof exportName !== 'string' || exportName.length === 0) {
      return Promise.reject(
        new BactorError(
          ErrorCode.INVALID_OPTION,
          `runTask: exportName must be the name of the task's export, got ${JSON.stringify(exportName)}`,
        ),
      );
    }
    this.pool ??= new Piscina({ maxThreads: this.maxThreads, minThreads: 0, idleTimeout: 1000, execArgv: workerExecArgv() });
    return this.pool.run(input, { filename: moduleUrl, name: exportName }) as Promise<T>;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}
