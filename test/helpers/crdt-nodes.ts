import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { stopNode } from './remote-nodes.js';

const NODE = new URL('../fixtures/crdt-node.js', import.meta.url).pathname;

export type Answer = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/** A replicated-store node process (test/fixtures/crdt-node.ts) and the commands it takes. */
export class CrdtNode {
  private nextId = 1;
  private readonly waiting = new Map<number, (a: Answer) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly address: string,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const { id, ...a } = JSON.parse(line) as Answer & { id: number };
      this.waiting.get(id)?.(a as Answer);
      this.waiting.delete(id);
    });
  }

  /** Starts a node (at `listen`, or any port) and waits, at most 20 s, for its address. */
  static async start(listen?: string, env: Record<string, string> = {}): Promise<CrdtNode> {
    const child = spawn(process.execPath, [NODE, ...(listen !== undefined ? [listen] : [])], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node did not start within 20 s: ${out}`)), 20_000);
      const onData = (chunk: Buffer): void => {
        out += chunk.toString();
        const m = /ready (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`node exited with ${code}: ${out}`));
      });
    });
    return new CrdtNode(child, address);
  }

  /** Sends a command; the answer, or a rejection after 20 s or when the process exits. */
  call(cmd: Record<string, unknown>): Promise<Answer> {
    const id = this.nextId++;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(cmd)} within 20 s`)), 20_000);
      this.waiting.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      this.child.stdin!.write(`${JSON.stringify({ id, ...cmd })}\n`);
    });
  }

  /** The value of a command that must succeed. */
  async value(cmd: Record<string, unknown>): Promise<unknown> {
    const a = await this.call(cmd);
    if (!a.ok) throw new Error(`${JSON.stringify(cmd)} failed: ${a.code} ${a.message}`);
    return a.value;
  }

  stop(): Promise<void> {
    return stopNode(this.child);
  }

  /** kill -9 of this test's own process, by its pid. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    process.kill(this.child.pid!, 'SIGKILL');
    await exited;
  }
}

/** A free port on 127.0.0.1 (for a node that must come back at the same address). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}
