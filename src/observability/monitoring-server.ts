import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { DASHBOARD_HTML } from './dashboard-page.js';
import type { Snapshots } from './dashboard-snapshot.js';
import type { CheckedMonitoring } from './monitoring-options.js';
import type { SystemView } from '../system/actor-traces.js';

/** Open event streams one server keeps at most (each costs a snapshot per interval). */
const MAX_STREAMS = 64;
/** Bytes of frames a stream may hold unread before it is skipped. */
const MAX_UNREAD = 1 << 20;
const TREE_TIMEOUT_MS = 5000;
const PATHS = new Set(['/', '/dashboard', '/metrics', '/snapshot', '/events', '/tree', '/trace']);
/** A Host header naming a loopback address (any port). */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/**
 * The monitoring HTTP server: `GET /metrics` (Prometheus text), `GET /` (the dashboard),
 * `GET /snapshot` (its JSON), `GET /events` (Server-Sent Events: a snapshot every interval),
 * `GET /tree` (the actor tree: a request to each worker), `GET /trace?actor=<name or ref>&max=<n>`
 * (Server-Sent Events: the actor's trace entries as they happen, then an `end` event).
 * Read-only; anything else is 404 or 405.
 */
export class MonitoringServer {
  private readonly streams = new Set<http.ServerResponse>();
  /** Open `/trace` streams. */
  private readonly traces = new Set<http.ServerResponse>();
  private timer: ReturnType<typeof setInterval> | null = null;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly registry: Registry,
    private readonly snapshots: Snapshots,
    private readonly intervalMs: number,
    private readonly view: SystemView,
    /** Bound to a loopback address: only requests naming a loopback host are answered (a web page cannot reach it by DNS rebinding). */
    private readonly loopbackOnly: boolean,
  ) {
    server.on('request', (req, res) => void this.serve(req, res));
    // After the listen: an error of the server (not of one request) must not crash the process.
    server.on('error', () => undefined);
  }

  static listen(options: CheckedMonitoring, registry: Registry, snapshots: Snapshots, view: SystemView): Promise<MonitoringServer> {
    const server = http.createServer();
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const inUse = error.code === 'EADDRINUSE';
        reject(
          new BactorError(
            inUse ? ErrorCode.ADDRESS_IN_USE : ErrorCode.INVALID_OPTION,
            `ActorSystem.start: monitoring could not listen on ${options.host}:${options.port}: ${inUse ? 'something already listens there' : error.message}`,
            { cause: error },
          ),
        );
      });
      server.listen(options.port!, options.host, () => {
        const { port } = server.address() as AddressInfo;
        const host = options.host.includes(':') ? `[${options.host}]` : options.host;
        const loopback = options.host === '127.0.0.1' || options.host === '::1' || options.host === 'localhost';
        resolve(new MonitoringServer(server, `http://${host}:${port}`, registry, snapshots, options.intervalMs, view, loopback));
      });
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET and HEAD\n');
      return;
    }
    if (this.loopbackOnly && !LOOPBACK_HOST.test(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('this server answers requests to 127.0.0.1, localhost or [::1] only\n');
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(PATHS.has(path!) ? 200 : 404).end();
      return;
    }
    try {
      switch (path) {
        case '/metrics': {
          const text = await this.registry.metrics();
          res.writeHead(200, { 'content-type': this.registry.contentType }).end(text);
          return;
        }
        case '/':
        case '/dashboard':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(DASHBOARD_HTML);
          return;
        case '/snapshot':
          res
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(JSON.stringify(this.snapshots.take()));
          return;
        case '/events':
          this.openStream(res);
          return;
        case '/tree': {
          // A request to every worker: one stuck in a handler answers late, so this waits 5 s at most.
          let timer: ReturnType<typeof setTimeout> | undefined;
          const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), TREE_TIMEOUT_MS)));
          const tree = await Promise.race([this.view.tree(), late]);
          clearTimeout(timer);
          if (tree === null)
            res
              .writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' })
              .end('a worker did not answer within 5 s (a handler stuck?)\n');
          else res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(tree));
          return;
        }
        case '/trace':
          await this.openTrace(new URL(req.url ?? '/', 'http://x').searchParams, res);
          return;
        default:
          res
            .writeHead(404, { 'content-type': 'text/plain' })
            .end('not found: try /, /metrics, /snapshot, /events, /tree or /trace?actor=\n');
      }
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  private openStream(res: http.ServerResponse): void {
    if (this.streams.size >= MAX_STREAMS) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end(`at most ${MAX_STREAMS} event streams\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: ${this.intervalMs}\n\n`);
    this.streams.add(res);
    res.on('close', () => {
      this.streams.delete(res);
      if (this.streams.size === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    });
    res.write(this.frame());
    if (this.timer === null) {
      // One snapshot per interval for every open stream.
      this.timer = setInterval(() => {
        const frame = this.frame();
        // A client that does not read falls behind: past MAX_UNREAD bytes it misses frames.
        for (const stream of this.streams) if (stream.writableLength < MAX_UNREAD) stream.write(frame);
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** `/trace`: the actor's entries as Server-Sent Events until its trace ends (max entries) or the client goes. */
  private async openTrace(query: URLSearchParams, res: http.ServerResponse): Promise<void> {
    const actor = query.get('actor');
    const max = Number(query.get('max') ?? 1000);
    if (actor === null || actor === '' || !Number.isInteger(max) || max < 1 || max > 1_000_000) {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('usage: /trace?actor=<name, or a ref as it prints: Kind#12@w1>&max=<1 to 1000000, default 1000>\n');
      return;
    }
    if (this.streams.size + this.traces.size >= MAX_STREAMS) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end(`at most ${MAX_STREAMS} event streams\n`);
      return;
    }
    let trace;
    try {
      trace = await this.view.trace(actor, max);
    } catch (error) {
      const code = (error as { code?: string }).code;
      res
        .writeHead(
          code === ErrorCode.ACTOR_NOT_FOUND ? 404 : code === ErrorCode.ACTOR_TRACED ? 409 : code === ErrorCode.INVALID_OPTION ? 400 : 500,
          {
            'content-type': 'text/plain',
          },
        )
        .end(`${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    this.traces.add(res);
    res.on('close', () => {
      this.traces.delete(res);
      trace.stop();
    });
    for await (const entry of trace) if (res.writableLength < MAX_UNREAD) res.write(`data: ${JSON.stringify(entry)}\n\n`);
    res.end('event: end\ndata: {}\n\n');
  }

  private frame(): string {
    return `data: ${JSON.stringify(this.snapshots.take())}\n\n`;
  }

  close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    for (const stream of this.traces) stream.end();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
