import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type * as Grpc from '@grpc/grpc-js';
import { ActorSystem } from '../../src/index.js';
import type { EchoMsg } from '../fixtures/remote-echo.actor.js';
import { startNode, stopNode } from '../helpers/remote-nodes.js';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof Grpc;
const loader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
const PROTO = fileURLToPath(new URL('../../../proto/bactor_remote.proto', import.meta.url));

/** A stream to a node's gateway that writes raw bytes: well-formed frames (serialized from proto/) or not. */
function rawStream(address: string): {
  write(bytes: Buffer): void;
  closed: Promise<Grpc.ServiceError | null>;
  frames: Buffer[];
  end(): void;
} {
  const identity = (b: Buffer): Buffer => b;
  const Client = grpc.makeGenericClientConstructor(
    {
      Connect: {
        path: '/bactor.remote.v1.Gateway/Connect',
        requestStream: true,
        responseStream: true,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    'Gateway',
  );
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 128 * 2 ** 20 });
  const call = (client as unknown as { Connect(): Grpc.ClientDuplexStream<Buffer, Buffer> }).Connect();
  const frames: Buffer[] = [];
  call.on('data', (b: Buffer) => frames.push(b));
  const closed = new Promise<Grpc.ServiceError | null>((resolve) => {
    call.on('error', (e: Grpc.ServiceError) => resolve(e));
    call.on('end', () => resolve(null));
  });
  return { write: (b) => void call.write(b), closed, frames, end: () => (call.end(), client.close()) };
}

test(
  'malformed, oversize and undecodable input closes only its stream; the node serves on, nothing else lost',
  { timeout: 60_000 },
  async (t) => {
    const b = await startNode();
    t.after(() => stopNode(b.child));
    const definition = loader.loadSync(PROTO, { keepCase: true, longs: Number, enums: Number, defaults: true, oneofs: true });
    const serialize = (definition['bactor.remote.v1.Gateway'] as Grpc.ServiceDefinition).Connect!.requestSerialize as (v: object) => Buffer;
    const deserialize = (definition['bactor.remote.v1.Gateway'] as Grpc.ServiceDefinition).Connect!.responseDeserialize as (
      b: Buffer,
    ) => object;

    // Bytes that are no Frame: the stream fails with an error status; nothing else happens.
    const garbage = rawStream(b.address);
    garbage.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    const e1 = await garbage.closed;
    assert.ok(e1 !== null && e1.code !== grpc.status.OK, `a malformed frame ends its stream with an error (${e1?.code} ${e1?.details})`);
    garbage.end();

    // A frame larger than a node reads (64 MiB): refused with RESOURCE_EXHAUSTED.
    const huge = rawStream(b.address);
    huge.write(Buffer.alloc(65 * 2 ** 20, 1));
    const e2 = await huge.closed;
    assert.equal(e2?.code, grpc.status.RESOURCE_EXHAUSTED, `an oversize frame: ${e2?.details}`);
    huge.end();

    // A frame before the Hello: refused with the reason.
    const early = rawStream(b.address);
    early.write(serialize({ heartbeat: { sent_at: 1 } }));
    await early.closed;
    assert.match(JSON.stringify(early.frames.map((f) => deserialize(f))), /first frame must be a Hello/);
    early.end();

    // A welcomed stream with an envelope whose body is not MessagePack, between two good ones:
    // the bad one is a dead letter on that node, its neighbours are delivered (echo counts them).
    const system = await ActorSystem.start({ workers: 1, remote: { listen: '127.0.0.1:0', secret: 'cluster-secret' } });
    t.after(() => system.shutdown());
    const echo = (await system.lookupRemote<EchoMsg, { pong: number; seen: number }>(b.address, 'echo'))!;
    const mixed = rawStream(b.address);
    mixed.write(
      serialize({
        hello: { protocol_version: 1, address: '', incarnation: 12345, lane: 0, secret: 'cluster-secret', max_message_bytes: 1 << 20 },
      }),
    );
    const ping = (n: number): object => ({
      target: echo.id | (echo.participant << 24),
      target_incarnation: echo.incarnation,
      body: Buffer.from([0x82, 0xa4, ...Buffer.from('type'), 0xa4, ...Buffer.from('ping'), 0xa1, 0x6e, n]),
    });
    const bad = { target: echo.id | (echo.participant << 24), target_incarnation: echo.incarnation, body: Buffer.from([0xc1, 0xc1]) };
    const unknown = { target: (1 << 24) | 0x7ffff0, target_incarnation: echo.incarnation, body: Buffer.from([0xc0]) };
    mixed.write(serialize({ batch: { envelopes: [ping(1), bad, unknown, ping(2)] } }));
    // The two good tells and this ask: the echo has seen three messages.
    let seen = 0;
    for (let i = 0; i < 50 && seen < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = (await echo.ask({ type: 'ping', n: 9 }, { timeout: 5000 })).seen - i;
    }
    assert.equal(seen, 3, 'both good envelopes were delivered around the bad one');
    mixed.end();

    // A message in pieces (Envelope.chunked_size) is delivered once its last piece is here; pieces
    // that do not fit together close their stream with INVALID_ARGUMENT and ERR_REMOTE_MALFORMED.
    const hello = (incarnation: number): Buffer =>
      serialize({
        hello: { protocol_version: 1, address: '', incarnation, lane: 0, secret: 'cluster-secret', max_message_bytes: 1 << 20 },
      });
    const whole = ping(3) as { body: Buffer };
    const piece = (from: number, to: number, size = whole.body.length): object => ({
      ...whole,
      body: whole.body.subarray(from, to),
      chunked_size: size,
    });
    const seenBefore = (await echo.ask({ type: 'ping', n: 9 }, { timeout: 5000 })).seen;
    const pieces = rawStream(b.address);
    pieces.write(hello(12346));
    pieces.write(serialize({ batch: { envelopes: [piece(0, 3)] } }));
    pieces.write(serialize({ batch: { envelopes: [piece(3, 7), ping(4)] } }));
    pieces.write(serialize({ batch: { envelopes: [piece(7, whole.body.length)] } }));
    let delivered = 0;
    for (let i = 0; i < 50 && delivered < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      delivered = (await echo.ask({ type: 'ping', n: 9 }, { timeout: 5000 })).seen - seenBefore - 1 - i;
    }
    assert.equal(delivered, 2, 'the message in pieces and the one between its pieces were delivered');
    pieces.end();

    for (const [what, frames] of [
      ['a piece of another message', [[piece(0, 3)], [piece(3, 5, whole.body.length + 1)]]],
      ['more bytes than announced', [[piece(0, 3, 4)], [piece(3, 7, 4)]]],
      ['a size over the limit', [[piece(0, 3, 64 * 2 ** 20)]]],
    ] as const) {
      const broken = rawStream(b.address);
      broken.write(hello(12347));
      for (const envelopes of frames) broken.write(serialize({ batch: { envelopes } }));
      const e = await broken.closed;
      assert.equal(e?.code, grpc.status.INVALID_ARGUMENT, `${what}: ${e?.code} ${e?.details}`);
      assert.match(e?.details ?? '', /ERR_REMOTE_MALFORMED/);
      broken.end();
    }
    assert.equal((await echo.ask({ type: 'ping', n: 10 }, { timeout: 5000 })).pong, 10, 'the node serves on');
  },
);
