import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NodeCert {
  cert: string;
  key: string;
  ca: string;
}

/**
 * Certificates for the TLS tests, made with the machine's `openssl` in a temporary directory:
 * a CA and a node certificate it signed (for 127.0.0.1), and a second, unrelated CA with its own
 * node certificate (a node the first CA does not know).
 */
export function makeCerts(): { good: NodeCert; other: NodeCert; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bactor-tls-'));
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const make = (name: string): NodeCert => {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}-ca.key`,
      '-out',
      `${name}-ca.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name} test CA`,
    );
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1');
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${name}-ca.crt`,
      '-CAkey',
      `${name}-ca.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      'san.ext',
    );
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    return { cert: read(`${name}.crt`), key: read(`${name}.key`), ca: read(`${name}-ca.crt`) };
  };
  return { good: make('good'), other: make('other'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
