import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { type ErrorInfo, remoteFailure } from '../errors/error-info.js';

/**
 * The error of a spawn whose actor's `init` (or `started` hook) threw: ERR_ACTOR_INIT_FAILED,
 * naming the actor, with the init error as `cause` (never confused with a load failure, even
 * when the init error has a code of its own).
 */
export function initFailure(actor: string, hook: 'init' | 'started' | 'restarted' | 'persistence.id', error: unknown): BactorError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new BactorError(ErrorCode.ACTOR_INIT_FAILED, `${hook} of ${actor} threw ${message}`, { cause: error });
}

/**
 * The error `system.spawn` throws when a worker reports that it could not spawn `kind`: the
 * worker's code (ERR_UNKNOWN_ACTOR when it had none), its message, its cause rebuilt, its stack.
 */
export function spawnFailure(kind: string, worker: number, info: ErrorInfo): BactorError {
  // The worker's frames, where the spawn failed (this thread's would only show the reply's handling).
  return remoteFailure(info, ErrorCode.UNKNOWN_ACTOR, `worker ${worker}`, `spawn(${kind}) on worker ${worker} failed: ${info.message}`);
}
