import type { ActorDefinition } from '../actor/actor-definition.js';
import { checkBag, describe, invalidOption } from '../util/option-bag.js';

/** `ActorSystem.start({ remote })`: this process is a node that other nodes reach over gRPC. */
export interface RemoteOptions {
  /** `host:port` the gateway listens on (port 0: any free port; `system.address` tells which). */
  listen: string;
  /** A secret every node of the cluster shares: a handshake without it is refused (ERR_REMOTE_REFUSED). */
  secret?: string;
  /**
   * Milliseconds another node may be unreachable (no connection, or no heartbeat answered)
   * before it is declared lost: messages waiting for it become dead letters, watchers of its
   * actors get `terminated`, and its incarnation is never contacted again. Default 3000.
   */
  lostAfterMs?: number;
  /** TLS between nodes (default: none, plaintext — for one machine or a private network only). */
  tls?: RemoteTlsOptions;
  /**
   * Decides, on this node's main thread, whether a node that opens a connection here is let in
   * (after the secret and TLS checks): true lets it in; false or a string (the reason, sent back)
   * refuses it with ERR_REMOTE_REFUSED on both sides. A throw or no answer within 5 s refuses.
   */
  authenticate?: (peer: RemotePeer) => boolean | string | Promise<boolean | string>;
  /** What this node shows the nodes it connects to (their `authenticate` reads it); default ''. */
  credentials?: string;
  /** The actor definitions other nodes may spawn here (`system.spawnRemote`); default none. */
  spawnable?: readonly ActorDefinition<never, unknown, unknown>[];
}

/** A node asking to be let in, as `remote.authenticate` sees it. */
export interface RemotePeer {
  /** Where it listens ('' when it does not). */
  address: string;
  /** Its incarnation (random per process start). */
  incarnation: number;
  /** Its `remote.credentials`. */
  credentials: string;
}

/** `remote.tls`: PEM text (strings or Buffers). */
export interface RemoteTlsOptions {
  /** This node's certificate chain, shown to the nodes it accepts and (mutual TLS) to those it dials. */
  cert: string | Uint8Array;
  /** Its private key. */
  key: string | Uint8Array;
  /** The certificate authorities other nodes' certificates must be signed by. */
  ca: string | Uint8Array;
  /** Mutual TLS: refuse a node that shows no certificate signed by `ca`. Default true. */
  mutual?: boolean;
  /** The name other nodes' certificates are checked against (default: the host of the address dialled). */
  serverName?: string;
}

const KEYS = ['listen', 'secret', 'lostAfterMs', 'tls', 'spawnable', 'authenticate', 'credentials'] as const;
const TLS_KEYS = ['cert', 'key', 'ca', 'mutual', 'serverName'] as const;

/** Splits `host:port` (an IPv6 host in brackets); null when it is not one. */
export function parseAddress(address: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address);
  if (m === null) return null;
  const port = Number(m[2]);
  return port <= 65535 ? { host: m[1]!, port } : null;
}

/** Checks `remote` of ActorSystem.start. */
export function validateRemoteOptions(value: unknown, where: string): RemoteOptions | undefined {
  const bag = checkBag(value, KEYS, where, 'remote', "pass { listen: '127.0.0.1:4100' }");
  if (bag === undefined) return undefined;
  if (typeof bag.listen !== 'string' || parseAddress(bag.listen) === null)
    throw invalidOption(where, `remote.listen must be 'host:port' (e.g. '127.0.0.1:4100'; port 0 for any), got ${describe(bag.listen)}`);
  if (bag.secret !== undefined && (typeof bag.secret !== 'string' || bag.secret.length === 0))
    throw invalidOption(where, `remote.secret must be a non-empty string, got ${describe(bag.secret)}`);
  if (bag.authenticate !== undefined && typeof bag.authenticate !== 'function')
    throw invalidOption(where, `remote.authenticate must be a function (peer) => boolean | string, got ${describe(bag.authenticate)}`);
  if (bag.credentials !== undefined && typeof bag.credentials !== 'string')
    throw invalidOption(where, `remote.credentials must be a string, got ${describe(bag.credentials)}`);
  const lost = bag.lostAfterMs;
  if (lost !== undefined && (typeof lost !== 'number' || !Number.isFinite(lost) || lost < 500 || lost > 3_600_000))
    throw invalidOption(where, `remote.lostAfterMs must be a number of milliseconds from 500 to 3600000, got ${describe(lost)}`);
  if (bag.tls !== undefined) {
    const tls = checkBag(bag.tls, TLS_KEYS, where, 'remote.tls', 'pass { cert, key, ca } as PEM text')!;
    for (const k of ['cert', 'key', 'ca'] as const) {
      const pem = tls[k];
      const text = typeof pem === 'string' ? pem : pem instanceof Uint8Array ? Buffer.from(pem).toString('latin1') : undefined;
      if (text === undefined || !text.includes('-----BEGIN '))
        throw invalidOption(
          where,
          `remote.tls.${k} must be PEM text (a string or Buffer starting with -----BEGIN …), got ${describe(pem)}`,
        );
    }
    if (tls.mutual !== undefined && typeof tls.mutual !== 'boolean')
      throw invalidOption(where, `remote.tls.mutual must be a boolean, got ${describe(tls.mutual)}`);
    if (tls.serverName !== undefined && (typeof tls.serverName !== 'string' || tls.serverName === ''))
      throw invalidOption(where, `remote.tls.serverName must be a non-empty string, got ${describe(tls.serverName)}`);
  }
  if (bag.spawnable !== undefined) {
    const list = bag.spawnable;
    if (!Array.isArray(list)) throw invalidOption(where, `remote.spawnable must be an array of actor definitions, got ${describe(list)}`);
    list.forEach((d: unknown, i) => {
      const def = d as { name?: unknown; moduleUrl?: unknown; behavior?: unknown } | null;
      if (
        def === null ||
        typeof def !== 'object' ||
        typeof def.name !== 'string' ||
        typeof def.moduleUrl !== 'string' ||
        typeof def.behavior !== 'object'
      )
        throw invalidOption(where, `remote.spawnable[${i}] must be an actor definition (from defineActor), got ${describe(d)}`);
    });
  }
  return bag as unknown as RemoteOptions;
}

/** Checks the address given to a remote call. */
export function checkAddress(address: unknown, where: string): string {
  if (typeof address !== 'string' || parseAddress(address) === null)
    throw invalidOption(where, `address must be 'host:port' of a node (its remote.listen), got ${describe(address)}`);
  return address;
}
