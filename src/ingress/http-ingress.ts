import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActorRef } from '../actor/actor-ref.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { checkBag, checkFunction, checkNumber, describe, invalidOption, isInteger } from '../util/option-bag.js';

/** What a request becomes before it is asked: its method, path, query, headers and body (JSON parsed when it says so). */
export interface IngressRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The parsed JSON for `content-type: application/json`, the text otherwise, undefined when empty. */
  body: unknown;
}

/** What the HTTP client gets for a reply. */
export interface IngressResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string or bytes are sent as they are; anything else as JSON. */
  body?: unknown;
}

export interface HttpIngressOptions<M, R> {
  /** The actor asked for each request (or a function choosing it, e.g. by path). */
  target: ActorRef<M, R> | ((request: IngressRequest) => ActorRef<M, R>);
  /** The message to ask with. Throwing a BactorError with ERR_INVALID_OPTION (or any error) answers 400 with its message. */
  toMessage: (request: IngressRequest) => M;
  /** The HTTP answer for a reply. Default: 200 with the reply as JSON. */
  toResponse?: (reply: R, request: IngressRequest) => IngressResponse;
  /** Per ask (ms). Past it: 504. Default 5,000. */
  timeoutMs?: number;
  /** Requests whose asks are outstanding at most; past it: 503 with Retry-After. Default 1,024. */
  maxInFlight?: number;
  /** Largest request body (bytes); past it: 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The Retry-After (seconds) of a 503. Default 1. */
  retryAfterSeconds?: number;
}

const KEYS = ['target', 'toMessage', 'toResponse', 'timeoutMs', 'maxInFlight', 'maxBodyBytes', 'retryAfterSeconds'] as const;

/**
 * A node:http request handler that turns each request into an ask of an actor and its reply
 * into the response — an HTTP ingress, and an example of an integration built on bactor's public
 * API only. Backpressure reaches the HTTP client: when `maxInFlight` asks are outstanding, when
 * the target is backpressured (`ref.backpressured`: the ring toward it is full or its mailbox past
 * its mark) or a tell is refused with ERR_BACKPRESSURE, the answer is 503 with Retry-After, and
 * nothing is queued. Errors map to statuses: a bad request 400, a body too large 413, an actor
 * that is gone 503, a handler that failed 500, an ask past `timeoutMs` 504.
 */
export function httpIngress<M, R>(options: HttpIngressOptions<M, R>): (req: IncomingMessage, res: ServerResponse) => void {
  const where = 'httpIngress';
  const o = checkBag(options, KEYS, where) as HttpIngressOptions<M, R> | undefined;
  if (o === undefined) throw invalidOption(where, 'options { target, toMessage } are required');
  const target = o.target as unknown;
  if (
    typeof target !== 'function' &&
    !(typeof target === 'object' && target !== null && typeof (target as { ask?: unknown }).ask === 'function')
  )
    throw invalidOption(where, `target must be an actor ref or a function choosing one, got ${describe(target)}`);
  if (typeof o.toMessage !== 'function')
    throw invalidOption(where, `toMessage must be a function (request => message), got ${describe(o.toMessage)}`);
  checkFunction(o.toResponse, where, 'toResponse');
  checkNumber(o.timeoutMs, isInteger(1, 3_600_000), where, 'timeoutMs', 'a whole number of ms from 1 to 3,600,000');
  checkNumber(o.maxInFlight, isInteger(1), where, 'maxInFlight', 'a positive whole number');
  checkNumber(o.maxBodyBytes, isInteger(0), where, 'maxBodyBytes', 'a whole number of bytes');
  checkNumber(o.retryAfterSeconds, isInteger(0, 86_400), where, 'retryAfterSeconds', 'a whole number of seconds');
  const timeoutMs = o.timeoutMs ?? 5000;
  const maxInFlight = o.maxInFlight ?? 1024;
  const maxBodyBytes = o.maxBodyBytes ?? 1 << 20;
  const retryAfter = String(o.retryAfterSeconds ?? 1);
  const toResponse = o.toResponse ?? ((reply: R): IngressResponse => ({ status: 200, body: reply }));
  let inFlight = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.headersSent) return;
    const text = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body ?? null);
    const type =
      typeof body === 'string' ? 'text/plain; charset=utf-8' : body instanceof Uint8Array ? 'application/octet-stream' : 'application/json';
    res.writeHead(status, { 'content-type': type, ...headers }).end(text);
  };
  const busy = (res: ServerResponse, why: string): void =>
    send(res, 503, `${why}: retry after ${retryAfter} s\n`, { 'retry-after': retryAfter });

  return (req, res) => {
    // Refused before the body is read: a client that is told to wait sends nothing more.
    if (inFlight >= maxInFlight) {
      busy(res, `${inFlight} requests in flight`);
      req.resume();
      return;
    }
    inFlight++;
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.on('close', finish);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        send(res, 413, `the body is over ${maxBodyBytes} bytes\n`);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => finish());
    req.on('end', () => {
      if (res.headersSent) return;
      void answer(req, res, Buffer.concat(chunks)).catch((error: unknown) =>
        send(res, 500, `${(error as Error)?.message ?? String(error)}\n`),
      );
    });
  };

  async function answer(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ingress');
    let request: IngressRequest;
    let message: M;
    let ref: ActorRef<M, R>;
    try {
      const json = /^application\/json\b/i.test(req.headers['content-type'] ?? '');
      const text = raw.toString('utf8');
      request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: raw.length === 0 ? undefined : json ? (JSON.parse(text) as unknown) : text,
      };
      ref = typeof target === 'function' ? (target as (r: IngressRequest) => ActorRef<M, R>)(request) : (target as ActorRef<M, R>);
      message = o!.toMessage(request);
    } catch (error) {
      send(res, 400, `${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    if (ref.backpressured) {
      busy(res, `${String(ref)} is backpressured`);
      return;
    }
    let reply: R;
    try {
      reply = await ref.ask(message, { timeout: timeoutMs });
    } catch (error) {
      const code = error instanceof BactorError ? error.code : undefined;
      if (code === ErrorCode.BACKPRESSURE) busy(res, `${String(ref)} is backpressured`);
      else if (code === ErrorCode.ASK_TIMEOUT) send(res, 504, `no answer within ${timeoutMs} ms\n`);
      else if (code === ErrorCode.ACTOR_NOT_FOUND || code === ErrorCode.SYSTEM_STOPPED) busy(res, `${String(ref)} is not there`);
      else send(res, 500, `${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    const out = toResponse(reply, request);
    send(res, out.status ?? 200, out.body, out.headers);
  }
}
