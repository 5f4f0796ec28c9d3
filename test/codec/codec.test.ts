import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BactorError } from '../../native-free-core/errors.js';
import { RING_FULL, RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { MessageEncoder } from '../../src/codec/message-encoder.js';
import { RingMemory } from '../../src/codec/fast-path.js';
import { registerMessageClass } from '../../src/codec/message-classes.js';
import { type ShapeReader, createShapeReader, genericReader } from '../../src/codec/shape-reader.js';
import { CodecPair } from '../helpers/codec-pair.js';
import { Prng, testSeed } from '../helpers/prng.js';
import { randomFlat, randomString, randomValue } from '../helpers/random-values.js';

test('round-trips every kind of value a message may hold', () => {
  const pair = new CodecPair();
  const values: unknown[] = [
    0,
    -0,
    1,
    127,
    128,
    -1,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    2 ** 53,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    Number.MIN_VALUE,
    0n,
    5n,
    -(2n ** 63n),
    2n ** 64n - 1n,
    2n ** 200n,
    -(3n ** 90n),
    '',
    'inc',
    'héllo',
    '🎉 emoji',
    'ключ',
    'a'.repeat(85),
    'é'.repeat(86),
    'x'.repeat(5000),
    true,
    false,
    null,
    undefined,
    new Uint8Array([1, 2, 255]),
    new Int8Array([-1]),
    new Uint16Array([65535]),
    new Int32Array([-5]),
    new Float32Array([1.5]),
    new Float64Array([Math.PI]),
    new BigInt64Array([-7n]),
    new BigUint64Array([7n]),
    new Uint8ClampedArray([3]),
    new Date(0),
    new Date(1_700_000_000_123),
    new Map<unknown, unknown>([
      [1, 'a'],
      ['b', { c: 2 }],
      [null, [1]],
    ]),
    new Set([1, 'x', null]),
    [1, [2, [3, [4]]]],
    [],
    {},
    { a: { b: [{ c: 1 }, { c: 2, d: -0 }] } },
    { type: 'inc', id: 7, value: 42 },
    { u: undefined, n: null },
    { 'a b': 1, '0': 2, é: 3 },
  ];
  for (const [i, v] of values.entries()) {
    const out = pair.roundTrip(v);
    assert.deepEqual(out, v, `value #${i}`);
    if (typeof v === 'number') assert.ok(Object.is(out, v), `${v} keeps its sign and NaN-ness`);
  }
  const nullProto = Object.assign(Object.create(null) as object, { x: 1 });
  assert.deepEqual(pair.roundTrip(nullProto), { x: 1 }, 'a null-prototype object arrives as a plain object');
  assert.ok(Object.is((pair.roundTrip({ a: [-0] }) as { a: number[] }).a[0], -0), 'nested -0');
  assert.ok(Object.is((pair.roundTrip({ x: -0 }) as { x: number }).x, -0), 'fast-path -0');
  pair.close();
});

test('headers and record types travel beside the message', () => {
  const pair = new CodecPair();
  pair.encoder.write(5, { k: 1 }, 123, -456);
  pair.encoder.write(6, 'str', -1, 2 ** 31 - 1);
  pair.encoder.write(7, [1], 0, 9);
  pair.encoder.flush();
  pair.decoder.drain(pair);
  assert.deepEqual(
    pair.delivered.map((d) => [d.type, d.header0, d.header1]),
    [
      [5, 123, -456],
      [6, -1, 2 ** 31 - 1],
      [7, 0, 9],
    ],
  );
});

test('seeded random values round-trip', (t) => {
  const seed = testSeed();
  t.diagnostic(`seed=${seed} (replay with BACTOR_SEED=${seed})`);
  const prng = new Prng(seed);
  const pair = new CodecPair({ capacity: 1 << 20 });
  for (let i = 0; i < 20_000; i++) {
    const v = i % 2 === 0 ? randomFlat(prng) : randomValue(prng);
    assert.deepEqual(pair.roundTrip(v), v, `seed=${seed} message ${i}`);
  }
  assert.equal(randomString(prng, 0), '');
});

test('a value the codec cannot carry fails at encode with its path, and nothing is written', () => {
  const pair = new CodecPair();
  class Widget {
    x = 1;
  }
  const cases: [unknown, RegExp][] = [
    [() => 1, /cannot send msg: it is a function/],
    [Symbol('s'), /msg: it is a symbol \(Symbol\(s\)\)/],
    [{ items: [1, 2, 3, { cb() {} }] }, /msg\.items\[3\]\.cb: it is a function \(cb\)/],
    [{ w: new Widget() }, /msg\.w: it is an instance of Widget with no registered codec/],
    [{ m: new Map([['k', { f: Symbol.iterator }]]) }, /msg\.m\.k\.f: it is a symbol/],
    [{ 'odd key': [new Widget()] }, /msg\["odd key"\]\[0\]: it is an instance of Widget/],
    [new Set([() => 0]), /msg\.<set item 0>: it is a function/],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => pair.encoder.write(1, value),
      (e: unknown) => e instanceof BactorError && e.code === 'ERR_UNSERIALIZABLE_MESSAGE' && message.test(e.message),
      String(message),
    );
  }
  // A cycle is named in a short message: where it closes and which ancestor it refers back to.
  const cyclic: Record<string, unknown> = { order: { id: 1, lines: [] as unknown[] } };
  (cyclic.order as { lines: unknown[] }).lines.push({ sku: 'a', parent: cyclic.order });
  assert.throws(
    () => pair.encoder.write(1, cyclic),
    (e: BactorError) =>
      e.code === 'ERR_UNSERIALIZABLE_MESSAGE' &&
      e.message === 'cannot send msg.order.lines[0].parent: it refers back to msg.order (a cycle: the codec carries trees of values)',
  );
  const self: Record<string, unknown> = {};
  self.self = self;
  assert.throws(() => pair.encoder.write(1, self), {
    code: 'ERR_UNSERIALIZABLE_MESSAGE',
    message: /msg\.self: it refers back to msg \(a cycle/,
  });
  // Deep but not cyclic: the depth limit, its path cut short.
  let deep: Record<string, unknown> = { end: true };
  for (let i = 0; i < 600; i++) deep = { next: deep };
  assert.throws(
    () => pair.encoder.write(1, deep),
    (e: BactorError) => e.code === 'ERR_UNSERIALIZABLE_MESSAGE' && /deeper than 512 levels/.test(e.message) && e.message.length < 300,
  );
  pair.encoder.flush();
  assert.equal(pair.decoder.drain(pair), 0, 'failed writes left nothing in the ring');
  assert.deepEqual(pair.roundTrip({ after: 'failure' }), { after: 'failure' }, 'the encoder still works');
});

test('a write cut short between claim and commit is abandoned: the records before it arrive, the next write works', () => {
  const pair = new CodecPair();
  assert.ok(pair.encoder.write(1, { seq: 1 }));
  // What a handler interrupted inside the encoder leaves: a claim that was never committed.
  assert.notEqual(pair.encoder.ring.tryClaim(1, 64), RING_FULL);
  assert.throws(() => pair.encoder.write(1, { seq: 2 }), { code: 'ERR_MISUSE' }, 'the open claim blocks the ring');
  pair.encoder.abandon();
  assert.ok(pair.encoder.write(1, { seq: 3 }));
  pair.encoder.flush();
  pair.decoder.drain(pair);
  assert.deepEqual(
    pair.delivered.map((d) => d.message),
    [{ seq: 1 }, { seq: 3 }],
  );
  assert.deepEqual(pair.errors, []);
});

test('instances of a registered class travel; duplicate registrations are refused', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  registerMessageClass({ Class: Point, type: 7, encode: (p: Point) => [p.x, p.y], decode: ([x, y]: number[]) => new Point(x!, y!) });
  const pair = new CodecPair();
  const out = pair.roundTrip({ at: new Point(1, 2) }) as { at: Point };
  assert.ok(out.at instanceof Point);
  assert.deepEqual(out.at, new Point(1, 2));
  class Other {}
  assert.throws(() => registerMessageClass({ Class: Other, type: 7, encode: () => 0, decode: () => new Other() }), {
    code: 'ERR_CODEC_REGISTRATION',
    message: /already used by Point/,
  });
  assert.throws(() => registerMessageClass({ Class: Other, type: 64, encode: () => 0, decode: () => new Other() }), {
    code: 'ERR_CODEC_REGISTRATION',
  });
});

test('large messages take the large-message lane, in order with the small ones around them', () => {
  const pair = new CodecPair({ capacity: 1 << 16, largeLane: true, threshold: 1024 });
  const big = { blob: new Uint8Array(200_000).map((_, i) => i & 0xff) };
  pair.encoder.write(1, { seq: 1 });
  pair.encoder.write(1, big);
  pair.encoder.write(1, { seq: 3 });
  pair.encoder.write(1, 'y'.repeat(5000));
  pair.encoder.flush();
  pair.decoder.drain(pair);
  assert.deepEqual(
    pair.delivered.map((d) => d.message),
    [{ seq: 1 }, big, { seq: 3 }, 'y'.repeat(5000)],
  );
  const used = new Int32Array(pair.ring)[0]!;
  assert.ok(used < 1024, `the ring carried ${used} bytes, the payloads went by the lane`);
  pair.close();
});

test('a large payload whose reference was never committed (a write cut short) is skipped by number', () => {
  const pair = new CodecPair({ capacity: 1 << 16, largeLane: true, threshold: 1024 });
  const big = { blob: new Uint8Array(5000).fill(7) };
  assert.ok(pair.encoder.write(1, big));
  // What a large write cut between posting its payload and committing its reference leaves: an orphan in the lane.
  pair.laneSender!.send(new Uint8Array(3000).fill(1));
  assert.ok(pair.encoder.write(1, { seq: 2 }));
  assert.ok(pair.encoder.write(1, big));
  pair.encoder.flush();
  pair.decoder.drain(pair);
  assert.deepEqual(pair.errors, []);
  assert.deepEqual(
    pair.delivered.map((d) => d.message),
    [big, { seq: 2 }, big],
  );
  pair.close();
});

test('without a large lane, a message too big for the ring is refused with sizes', () => {
  const pair = new CodecPair({ capacity: 4096 });
  assert.throws(() => pair.encoder.write(1, { blob: new Uint8Array(10_000) }), {
    code: 'ERR_RECORD_TOO_LARGE',
    message: /10\d\d\d encoded bytes exceeds the ring's inline limit of 2040 bytes/,
  });
  assert.throws(() => pair.encoder.write(1, 'z'.repeat(3000)), { code: 'ERR_RECORD_TOO_LARGE' });
});

test('a replacement decoder decodes what is left in the ring, shapes and structures included', () => {
  const pair = new CodecPair();
  const messages = [{ a: 1, b: 'x' }, { deep: { k: [1] } }, { a: 2, b: 'y' }, { deep: { k: [2] } }, { c: true }];
  for (const m of messages) pair.encoder.write(1, m);
  pair.encoder.flush();
  pair.decoder.drain(pair, 2);
  const replacement = pair.newDecoder();
  replacement.drain(pair);
  assert.deepEqual(
    pair.delivered.map((d) => d.message),
    messages,
  );
});

test('a replacement encoder reuses the shapes and structures already in the log', () => {
  const pair = new CodecPair();
  assert.deepEqual(pair.roundTrip({ a: 1 }), { a: 1 });
  assert.deepEqual(pair.roundTrip({ n: { m: 1 } }), { n: { m: 1 } });
  const before = new Int32Array(pair.log)[0];
  pair.encoder = new MessageEncoder(new RingProducer(pair.ring), pair.log);
  assert.deepEqual(pair.roundTrip({ a: 2 }), { a: 2 });
  assert.deepEqual(pair.roundTrip({ n: { m: 2 } }), { n: { m: 2 } });
  assert.equal(new Int32Array(pair.log)[0], before, 'no definition was appended twice');
});

test('a full schema log degrades to self-describing records, never to wrong objects', () => {
  const pair = new CodecPair({ logCapacity: 128 });
  const messages = Array.from({ length: 200 }, (_, i) => (i % 2 ? { [`k${i}`]: i, v: 'x' } : { nest: { [`n${i}`]: [i] } }));
  for (const m of messages) assert.deepEqual(pair.roundTrip(m), m);
});

test('a malformed record is reported to the sink and the records around it still arrive', () => {
  const pair = new CodecPair();
  pair.encoder.write(1, { ok: 1 });
  const ring = pair.encoder.ring;
  const at = ring.tryClaim(2, 12);
  ring.bytes.fill(0, at, at + 12);
  ring.bytes[at + 8] = 99; // unknown format
  ring.commit(12);
  pair.encoder.write(3, { ok: 3 });
  pair.encoder.flush();
  pair.decoder.drain(pair);
  assert.deepEqual(
    pair.delivered.map((d) => d.message),
    [{ ok: 1 }, { ok: 3 }],
  );
  assert.equal(pair.errors.length, 1);
  assert.equal(pair.errors[0]!.code, 'ERR_MALFORMED_RECORD');
  assert.match(pair.errors[0]!.message, /unknown format 99/);
  assert.equal(pair.errors[0]!.type, 2);
});

test('an own "__proto__" key stays an own property and never sets the prototype', () => {
  const pair = new CodecPair();
  const msg = JSON.parse('{"__proto__": 5, "a": 1}') as Record<string, unknown>;
  const out = pair.roundTrip(msg) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 5);
  assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
});

test('the generic shape reader (no code generation) builds the same objects', () => {
  const keys = ['type', '__proto__', '0', 'é'];
  const memory = new RingMemory(new Uint8Array(64));
  for (const v of ['inc', 7, true, null]) memory.writePrimitive(v);
  const end = memory.pos;
  const read = (reader: ShapeReader): Record<string, unknown> => {
    memory.pos = 0;
    return reader(memory, end);
  };
  const generic = read(genericReader(keys));
  const generated = read(createShapeReader(keys));
  for (const obj of [generic, generated]) {
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.deepEqual(Object.entries(obj), [
      ['0', true],
      ['type', 'inc'],
      ['__proto__', 7],
      ['é', null],
    ]);
  }
});

test('words records carry 32-bit words as they are, in order with the messages around them; bad ones are refused or reported', () => {
  const pair = new CodecPair();
  const words = Uint32Array.of(0, 1, 0xffffffff, 0x80000000, 123456789, 0xdeadbeef, 7);
  assert.equal(pair.encoder.writeWords(8, words, 42, -3), true);
  pair.encoder.write(1, { after: 1 });
  assert.equal(pair.encoder.writeWords(8, Uint32Array.of(5), 1, 2), true);
  pair.encoder.flush();
  // The decoder's words are its own scratch, valid while the record is delivered: a sink copies them.
  const seen: unknown[] = [];
  pair.decoder.drain({
    onMessage(type, header0, header1, message) {
      seen.push([type, header0, header1, message instanceof Int32Array ? Array.from(message, (w) => w >>> 0) : message]);
    },
  });
  assert.deepEqual(seen, [
    [8, 42, -3, [0, 1, 0xffffffff, 0x80000000, 123456789, 0xdeadbeef, 7]],
    [1, 0, 0, { after: 1 }],
    [8, 1, 2, [5]],
  ]);
  assert.throws(
    () => pair.encoder.writeWords(8, new Uint32Array(17)),
    (e: BactorError) => e.code === 'ERR_INVALID_ARGUMENT' && /at most 16 words/.test(e.message),
  );
  // A words record whose count does not match its length is malformed; the next record still arrives.
  const ring = pair.encoder.ring;
  const at = ring.tryClaim(8, 16);
  ring.bytes.fill(0, at, at + 16);
  ring.bytes[at + 8] = 5; // FORMAT_WORDS
  ring.bytes[at + 9] = 3; // three words claimed, room for one
  ring.commit(16);
  pair.encoder.write(1, { ok: 2 });
  pair.encoder.flush();
  pair.delivered = [];
  pair.decoder.drain(pair);
  assert.deepEqual(
    pair.delivered.map((d) => d.message),
    [{ ok: 2 }],
  );
  assert.equal(pair.errors.length, 1);
  assert.match(pair.errors[0]!.message, /words record of 16 bytes for 3 words/);
});
