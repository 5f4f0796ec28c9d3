import { BactorError, ErrorCode } from '../errors/error-codes.js';

/** An error as plain data, to cross threads (see `errorInfo` in runtime.ts). */
export interface ErrorInfo {
  name: string;
  code?: string;
  message: string;
  stack?: string;
  cause?: ErrorInfo;
}

/**
 * The error of a spawn whose actor's `init` (or `started` hook) threw: ERR_ACTOR_INIT_FAILED,
 * naming the actor, with the init error as `cause` (never confused with a load failure, even
 * when the init error has a code of its own).
 */
export function initFailure(actor: string, hook: 'init' | 'started', error: unknown): BactorError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new BactorError(ErrorCode.ACTOR_INIT_FAILED, `${hook} of ${actor} threw ${message}`, { cause: error });
}

/** An error rebuilt on this thread from its plain data. */
function rebuild(info: ErrorInfo): Error {
  const error =
    info.code !== undefined
      ? new BactorError(info.code, info.message, info.cause ? { cause: rebuild(info.cause) } : undefined)
      : new Error(info.message, info.cause ? { cause: rebuild(info.cause) } : undefined);
  error.name = info.name;
  if (info.stack !== undefined) error.stack = info.stack;
  return error;
}

/**
 * The error `system.spawn` throws when a worker reports that it could not spawn `kind`: the
 * worker's code (ERR_UNKNOWN_ACTOR when it had none), its message, and its cause rebuilt.
 */
export function spawnFailure(kind: string, worker: number, info: ErrorInfo): BactorError {
  return new BactorError(
    info.code ?? ErrorCode.UNKNOWN_ACTOR,
    `spawn(${kind}) on worker ${worker} failed: ${info.message}`,
    info.cause ? { cause: rebuild(info.cause) } : undefined,
  );
}
