import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const NODE = new URL('../fixtures/remote-node.js', import.meta.url).pathname;

export interface NodeProcess {
  child: ChildProcess;
  address: string;
}

/** Starts a node process (the fixture) and waits, at most 20 s, for the address it listens on. */
export async function startNode(
  secret = 'cluster-secret',
  listen?: string,
  tls?: object,
  extraEnv: Record<string, string> = {},
): Promise<NodeProcess> {
  const env = { ...process.env, ...extraEnv, ...(tls === undefined ? {} : { REMOTE_TLS: JSON.stringify(tls) }) };
  const child = spawn(process.execPath, [NODE, secret, ...(listen !== undefined ? [listen] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env,
  });
  let out = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start within 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}: ${out}`));
    });
  });
  return { child, address };
}

/** Stops a node this test started, by its pid: stdin closed (a clean shutdown), SIGKILL after 10 s. */
export async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin!.end();
  const timer = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
