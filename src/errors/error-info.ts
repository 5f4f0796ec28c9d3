import { BactorError } from './error-codes.js';

/** An error as plain data, to cross threads: name, code, message, stack and (a few levels of) cause. */
export interface ErrorInfo {
  name: string;
  code?: string;
  message: string;
  stack?: string;
  cause?: ErrorInfo;
}

/** `error` as plain data (see ErrorInfo); its cause too, a few levels deep, never a cycle. */
export function errorInfo(error: unknown, depth = 0): ErrorInfo {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      ...(typeof code === 'string' ? { code } : {}),
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
      ...(error.cause !== undefined && depth < 3 ? { cause: errorInfo(error.cause, depth + 1) } : {}),
    };
  }
  return { name: 'NonError', message: String(error) };
}

/** An error rebuilt on this thread from its plain data: a BactorError when it had a code; stack and cause kept. */
export function errorFromInfo(info: ErrorInfo): Error {
  const options = info.cause ? { cause: errorFromInfo(info.cause) } : undefined;
  const error = info.code !== undefined ? new BactorError(info.code, info.message, options) : new Error(info.message, options);
  error.name = info.name;
  if (info.stack !== undefined) error.stack = info.stack;
  return error;
}

/**
 * Gives `error` (made on this thread to report a failure on `where`) the stack of the failure
 * there: its own first line, then the remote frames under a line naming the thread.
 */
export function withRemoteStack(error: Error, info: ErrorInfo, where: string): Error {
  if (info.stack === undefined) return error;
  const frames = info.stack.split('\n').slice(1).join('\n');
  error.stack = `${error.name}: ${error.message}\n    --- on ${where}: ${info.name}: ${info.message}\n${frames}`;
  return error;
}

/**
 * The error this thread raises for a failure another thread reported (`info`): its code
 * (`fallback` when it had none), `message` (default: its message), its cause rebuilt, and its
 * stack from `where`.
 */
export function remoteFailure(info: ErrorInfo, fallback: string, where: string, message = info.message): BactorError {
  const error = new BactorError(info.code ?? fallback, message, info.cause ? { cause: errorFromInfo(info.cause) } : undefined);
  return withRemoteStack(error, info, where) as BactorError;
}
