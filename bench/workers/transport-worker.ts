/**
 * Worker side of the `transport` suite. Each worker plays one role for a whole benchmark; the
 * main thread sends `{ run }` commands and the pair measures one run per command.
 *
 * Control words (Int32 in `control`): READY = the consumer is ready for run k; DONE = the consumer
 * received everything of run k. The producer times from the moment it sees READY to the moment
 * it sees DONE, so a run covers encode, transport and decode of every message.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { RingConsumer } from '../../native-free-core/ring/ring-consumer.js';
import { RingProducer } from '../../native-free-core/ring/ring-producer.js';
import { Doorbell } from '../../native-free-core/sync/doorbell.js';
import { BackoffIdleStrategy, IdlePhase } from '../../native-free-core/sync/idle-strategy.js';
import type { MessageSink } from '../../src/codec/message-decoder.js';
import { TransportEndpoint, type TransportInit } from '../../src/transport/transport.js';

export type Role =
  | 'ring-producer'
  | 'ring-consumer'
  | 'raw-producer'
  | 'raw-consumer'
  | 'pm-producer'
  | 'pm-consumer'
  | 'pm-batch-producer'
  | 'pm-batch-consumer'
  | 'rtt-pinger'
  | 'rtt-echo'
  | 'pm-rtt-pinger'
  | 'pm-rtt-echo'
  | 'idle-consumer';

export interface WorkerConfig {
  role: Role;
  n: number;
  control: SharedArrayBuffer;
  init?: TransportInit;
  ring?: SharedArrayBuffer;
  bells?: SharedArrayBuffer;
  port?: MessagePort;
  /** rtt-pinger: wait until the echo side has parked before each ping. */
  parked?: boolean;
  /** raw-producer: copy the record with tryWrite instead of writing words through a claim. */
  copy?: boolean;
  /** Spin budget of consumers before they park, in µs. */
  spinMicros?: number;
}

const READY = 0;
const DONE = 1;
const cfg = workerData as WorkerConfig;
const control = new Int32Array(cfg.control);
const now = (): number => performance.now();

function waitReady(run: number): void {
  while (Atomics.load(control, READY) < run);
}
function waitDone(run: number): void {
  for (;;) {
    const seen = Atomics.load(control, DONE);
    if (seen >= run) return;
    Atomics.wait(control, DONE, seen, 50);
  }
}
function signal(index: number, run: number): void {
  Atomics.store(control, index, run);
  Atomics.notify(control, index);
}

/** Consumer loop: drain, spin for `spinMicros` without work, then park on the doorbell. */
function consumeUntil(ep: TransportEndpoint, sink: MessageSink & { count: number }, n: number): void {
  const spin = cfg.spinMicros ?? 50;
  let idleSince = 0;
  while (sink.count < n) {
    if (ep.drain(sink) > 0) {
      idleSince = 0;
      continue;
    }
    const t = now();
    if (idleSince === 0) idleSince = t;
    else if (t - idleSince > spin / 1000) {
      ep.park(1000);
      idleSince = 0;
    }
  }
}

const handlers: Record<Role, (run: number) => number | Float64Array | void> = {
  'ring-producer': (run) => {
    const ep = (state.ep ??= new TransportEndpoint(cfg.init!));
    const peer = 1 - ep.self;
    waitReady(run);
    const t0 = now();
    for (let i = 0; i < cfg.n; i++) {
      // A fresh object per send, as an application would build it.
      while (!ep.send(peer, 1, { type: 'inc', id: i, value: 42 })) ep.flush();
      if ((i & 255) === 255) ep.flush();
    }
    ep.flush();
    waitDone(run);
    return now() - t0;
  },
  'ring-consumer': (run) => {
    const ep = (state.ep ??= new TransportEndpoint(cfg.init!));
    const sink = {
      count: 0,
      sum: 0,
      onMessage(_t: number, _a: number, _b: number, m: unknown) {
        this.sum += (m as { value: number }).value;
        this.count++;
      },
    };
    signal(READY, run);
    consumeUntil(ep, sink, cfg.n);
    if (sink.sum !== 42 * cfg.n) throw new Error(`ring-consumer: checksum ${sink.sum}, expected ${42 * cfg.n}`);
    signal(DONE, run);
  },
  'raw-producer': (run) => {
    const ring = (state.producer ??= new RingProducer(cfg.ring!));
    const bell = new Doorbell(cfg.bells!, 1);
    // A pre-encoded small message: 16 bytes, written as four Int32 words through claim/commit
    // (or copied byte by byte with tryWrite when cfg.copy is set).
    const record = new Int32Array([0x0101, 0x6e6903, 0x2a000005, 0]);
    const recordBytes = new Uint8Array(record.buffer);
    const words = ring.words;
    waitReady(run);
    const t0 = now();
    for (let i = 0; i < cfg.n; i++) {
      if (cfg.copy) {
        while (!ring.tryWrite(1, recordBytes)) if (ring.flush()) bell.ring();
      } else {
        let at = ring.tryClaim(1, 16);
        while (at < 0) {
          if (ring.flush()) bell.ring();
          at = ring.tryClaim(1, 16);
        }
        at >>= 2;
        words[at] = record[0]!;
        words[at + 1] = record[1]!;
        words[at + 2] = record[2]!;
        words[at + 3] = record[3]!;
        ring.commit(16);
      }
      if ((i & 255) === 255 && ring.flush()) bell.ring();
    }
    if (ring.flush()) bell.ring();
    waitDone(run);
    return now() - t0;
  },
  'raw-consumer': (run) => {
    const ring = (state.consumer ??= new RingConsumer(cfg.ring!));
    const handler = {
      count: 0,
      onRecord() {
        this.count++;
      },
    };
    signal(READY, run);
    const idle = new BackoffIdleStrategy({ spins: 10_000, yields: 0 });
    const bell = new Doorbell(cfg.bells!, 1);
    while (handler.count < cfg.n) {
      if (ring.read(handler) > 0) idle.reset();
      else if (idle.next() === IdlePhase.PARK) {
        bell.prepareToPark();
        if (ring.hasData()) bell.cancelPark();
        else bell.park(1000);
        idle.reset();
      }
    }
    signal(DONE, run);
  },
  'pm-producer': (run) => {
    waitReady(run);
    const t0 = now();
    for (let i = 0; i < cfg.n; i++) cfg.port!.postMessage({ type: 'inc', id: i, value: 42 });
    waitDone(run);
    return now() - t0;
  },
  'pm-consumer': (run) => pmConsumer(run, 1),
  'pm-batch-producer': (run) => {
    waitReady(run);
    const t0 = now();
    for (let i = 0; i < cfg.n; i += 100) {
      const batch = new Array<unknown>(100);
      for (let k = 0; k < 100; k++) batch[k] = { type: 'inc', id: i + k, value: 42 };
      cfg.port!.postMessage(batch);
    }
    waitDone(run);
    return now() - t0;
  },
  'pm-batch-consumer': (run) => pmConsumer(run, 100),
  'rtt-pinger': (run) => {
    const ep = (state.ep ??= new TransportEndpoint(cfg.init!));
    const peer = 1 - ep.self;
    const samples = new Float64Array(cfg.n);
    const sink = {
      got: 0,
      onMessage() {
        this.got++;
      },
    };
    waitReady(run);
    for (let i = 0; i < cfg.n; i++) {
      if (cfg.parked) while (!ep.mesh.bells[peer]!.isParked());
      const t0 = now();
      ep.send(peer, 1, { type: 'ping', id: i, value: 42 });
      ep.flush();
      while (sink.got === i) ep.drain(sink);
      samples[i] = (now() - t0) * 1000;
    }
    ep.send(peer, 2, null); // stop
    ep.flush();
    waitDone(run);
    return samples;
  },
  'rtt-echo': (run) => {
    const ep = (state.ep ??= new TransportEndpoint(cfg.init!));
    const peer = 1 - ep.self;
    const sink = {
      count: 0,
      onMessage(type: number, _a: number, _b: number, m: unknown) {
        if (type === 2) this.count = Infinity;
        else {
          ep.send(peer, 1, m);
          ep.flush();
        }
      },
    };
    signal(READY, run);
    consumeUntil(ep, sink, Infinity);
    signal(DONE, run);
  },
  'pm-rtt-pinger': () => {
    throw new Error('async role');
  },
  'pm-rtt-echo': () => {
    if (state.echoing) return;
    state.echoing = true;
    cfg.port!.on('message', (m: unknown) => cfg.port!.postMessage(m));
  },
  'idle-consumer': (run) => {
    const ep = (state.ep ??= new TransportEndpoint(cfg.init!));
    const sink = {
      count: 0,
      onMessage() {
        this.count++;
      },
    };
    signal(READY, run);
    consumeUntil(ep, sink, 1); // parks until the one message that ends the run
    signal(DONE, run);
  },
};

const state: { ep?: TransportEndpoint; producer?: RingProducer; consumer?: RingConsumer; echoing?: boolean } = {};

function pmConsumer(run: number, perMessage: number): void {
  let count = 0;
  const onMessage = (): void => {
    count += perMessage;
    if (count >= cfg.n) {
      cfg.port!.off('message', onMessage);
      signal(DONE, run);
    }
  };
  cfg.port!.on('message', onMessage);
  signal(READY, run);
}

async function pmRttPinger(run: number): Promise<Float64Array> {
  const port = cfg.port!;
  const samples = new Float64Array(cfg.n);
  waitReady(run);
  await new Promise<void>((resolve) => {
    let i = 0;
    let t0 = 0;
    const onReply = (): void => {
      samples[i] = (now() - t0) * 1000;
      if (++i === cfg.n) {
        port.off('message', onReply);
        resolve();
        return;
      }
      t0 = now();
      port.postMessage({ type: 'ping', id: i, value: 42 });
    };
    port.on('message', onReply);
    t0 = now();
    port.postMessage({ type: 'ping', id: 0, value: 42 });
  });
  return samples;
}

parentPort!.on('message', async ({ run }: { run: number }) => {
  try {
    if (cfg.role === 'pm-rtt-echo') {
      handlers['pm-rtt-echo'](run);
      signal(READY, run);
      parentPort!.postMessage({ run });
      return;
    }
    const result = cfg.role === 'pm-rtt-pinger' ? await pmRttPinger(run) : handlers[cfg.role](run);
    parentPort!.postMessage({ run, result });
  } catch (error) {
    parentPort!.postMessage({ run, error: String((error as Error).stack ?? error) });
  }
});
