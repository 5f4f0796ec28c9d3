import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 to `target` (host:port), for tests that drop connections: `cut()`
 * destroys every relayed connection and refuses new ones until `restore()`.
 */
export class TcpProxy {
  address = '';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private refusing = false;

  constructor(private readonly target: string) {
    this.server = createServer((client) => this.relay(client));
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.address;
  }

  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    this.server.close();
    await once(this.server, 'close');
  }

  private relay(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const [host, port] = [this.target.slice(0, this.target.lastIndexOf(':')), Number(this.target.slice(this.target.lastIndexOf(':') + 1))];
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
