import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { createLedgerBuffer } from '../../native-free-core/ledger/taken-ledger.js';
import { ringFillOf } from '../../native-free-core/mesh/mesh.js';
import type { WorkerTracing } from '../observability/tracing/system-tracing.js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import { errorInfo } from '../errors/error-info.js';
import type { HostInit } from '../runtime/host-loop.js';
import type { SpawnRequest } from '../runtime/wire-messages.js';
import type { SupervisorStrategy } from '../supervision/supervisor-strategy.js';
import { type LaneReplacement, type TransportInit, createTransport, transferListOf } from '../transport/transport.js';
import { workerExecArgv } from '../util/worker-exec-argv.js';
import type { SystemParts } from './system-parts.js';

const HOST_URL = new URL('../../workers/actor-host.js', import.meta.url);

/** What every worker starts with, besides its transport. */
export interface WorkerConfig {
  readonly guardian: SupervisorStrategy;
  readonly spins: number;
  readonly taskThreads: number;
  readonly statsBuffer: SharedArrayBuffer;
  /** The metrics block and the gauges' interval (monitoring). */
  readonly metrics?: { buffer: SharedArrayBuffer; intervalMs: number };
  /** Tracing's settings for each worker's tracer. */
  readonly tracing?: WorkerTracing;
  /** The least severe level of the actors' logs written (`ctx.log`); absent: none. */
  readonly logLevel?: number;
  readonly overflowLimit: number;
  readonly incarnation: number;
  /** The gateway thread's participant number (remote); 0: none. */
  readonly gateway: number;
}

/**
 * The worker threads: their start, their replacement when one dies (on the same rings, its
 * top-level actors re-created under their old ids before it reads them, new large-message lanes
 * with every thread), their exit at shutdown.
 */
export class WorkerSet {
  private readonly workers: Worker[] = [];
  /** The sending end of each thread's lane-control port (see replacementTransport). */
  private readonly laneControls: MessagePort[] = [];
  /** Next free actor id of each participant, kept across worker replacements. */
  private readonly idWatermark = new SharedArrayBuffer(4 * 256);
  private mesh: TransportInit['mesh'] | null = null;
  /** Each worker's ledger of taken messages, handed to its replacements too (see TakenLedger). */
  private readonly ledgers: SharedArrayBuffer[] = [];
  /** Worker replacements so far. */
  replacements = 0;

  constructor(
    private readonly parts: SystemParts,
    private readonly config: WorkerConfig,
  ) {}

  /**
   * The rings and lanes for the main thread and `threads` workers; each thread also gets a port
   * on which the main thread posts the large-message lanes of a replaced worker. Returns the
   * main thread's transport; `start` starts the workers on theirs.
   */
  create(threads: number, ringCapacity: number, extra = 0): { main: TransportInit; extra: TransportInit[]; start(): void } {
    const inits = createTransport({ participants: threads + 1 + extra, ringCapacity }).map((init) => {
      const { port1, port2 } = new MessageChannel();
      this.laneControls.push(port1);
      return { ...init, laneControl: port2 };
    });
    this.mesh = inits[0]!.mesh;
    return {
      main: inits[0]!,
      extra: inits.slice(threads + 1),
      start: () => {
        for (let w = 1; w <= threads; w++) this.start(w, inits[w]!);
      },
    };
  }

  get count(): number {
    return this.workers.length;
  }

  /** Terminates worker `n` as a crash would (it is replaced). */
  terminate(n: number): Promise<number> {
    return this.workers[n - 1]?.terminate() ?? Promise.resolve(0);
  }

  /** Highest fill (0–1) of the rings toward participant `p`. */
  ringFill(p: number): number {
    if (this.mesh === null) return 0;
    let fill = 0;
    for (let from = 0; from < this.mesh.participants; from++) {
      if (from === p) continue;
      fill = Math.max(fill, ringFillOf(this.mesh, from, p));
    }
    return fill;
  }

  /** Shutdown: tells each worker to exit, waits for them until `deadline`, then terminates the rest. */
  async exit(deadline: Promise<'timeout'>): Promise<void> {
    const runtime = this.parts.runtime;
    for (let i = 0; i < this.workers.length; i++) {
      try {
        runtime.control(i + 1, { op: 'exit' });
      } catch {
        // a dead worker's ring
      }
    }
    runtime.flush();
    const exits = this.workers.map(
      (w) => new Promise<void>((resolve) => (w.threadId === -1 ? resolve() : w.once('exit', () => resolve()))),
    );
    if ((await Promise.race([Promise.all(exits), deadline])) === 'timeout') await Promise.all(this.workers.map((w) => w.terminate()));
  }

  closePorts(): void {
    for (const port of this.laneControls) port.close();
  }

  private start(w: number, transport: TransportInit, recreate: SpawnRequest[] = []): void {
    const { guardian, spins, taskThreads, statsBuffer, overflowLimit, incarnation, gateway, metrics, tracing, logLevel } = this.config;
    const interruptMs = this.parts.scheduler.interruptMs;
    const init: HostInit = {
      transport,
      guardian: guardianData(guardian),
      spins,
      idWatermark: this.idWatermark,
      taskThreads,
      stats: statsBuffer,
      ...(metrics !== undefined ? { metrics } : {}),
      ...(tracing !== undefined ? { tracing } : {}),
      ...(logLevel !== undefined ? { logLevel } : {}),
      overflowLimit,
      incarnation,
      gateway,
      ...(interruptMs > 0 ? { interruptMs } : {}),
      recreate,
      ledger: (this.ledgers[w - 1] ??= createLedgerBuffer()),
    };
    const worker = new Worker(HOST_URL, {
      workerData: init,
      transferList: transferListOf(transport),
      execArgv: workerExecArgv(),
      // A larger young generation: actor messages die young, and fewer scavenges raised local tell ~1.5x here.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    let died = false;
    const onDeath = (reason: unknown): void => {
      if (died || !this.parts.running()) return;
      died = true;
      this.replace(w, reason);
    };
    worker.on('error', onDeath);
    worker.on('exit', (code) => onDeath(new BactorError(ErrorCode.WORKER_DIED, `worker ${w} exited with code ${code}`)));
    this.workers[w - 1] = worker;
  }

  /**
   * A worker died: start a replacement on the same rings (records still in them are delivered
   * to it), and re-create its top-level actors under their old ids, as the root guardian's
   * decider says (restart by default). Their state died with the worker; the messages it had
   * taken from the rings and not handled are delivered to them again by the replacement, from
   * the worker's ledger (TakenLedger), except the one whose handler was running (a dead letter).
   */
  private replace(w: number, reason: unknown): void {
    const { runtime, scheduler, events, placements, workerCount, dedicatedCount } = this.parts;
    const error = reason instanceof Error ? reason : new BactorError(ErrorCode.WORKER_DIED, `worker ${w} died: ${String(reason)}`);
    this.replacements++;
    scheduler.reset(w);
    events.publish({ type: 'actor-failed', actor: `worker ${w}`, error: errorInfo(error), directive: 'replaced' });
    runtime.requests.fail(new BactorError(ErrorCode.WORKER_DIED, `worker ${w} died before it replied`, { cause: error }), w);
    const recreate: SpawnRequest[] = [];
    for (const [packed, p] of placements.onWorker(w)) {
      let directive;
      try {
        directive = this.config.guardian.decider(error);
      } catch {
        directive = 'stop';
      }
      if (directive === 'stop' || directive === 'escalate') {
        placements.forget(packed);
        continue;
      }
      recreate.push({
        op: 'spawn',
        url: p.spec.url,
        name: p.spec.name,
        // As the first incarnation got them: packed at spawn (refs arrive as refs), or a primitive.
        ...(p.args instanceof Uint8Array ? { args: undefined, packedArgs: p.args } : { args: p.args }),
        options: p.spec.options,
        parent: runtime.guardianRef.packed,
        id: p.id,
      });
    }
    // Watches on the dead worker's actors: Terminated for those gone, sent again to those re-created.
    const recreated = recreate.map((r) => r.id!);
    runtime.peerDied(w, recreated);
    this.parts.stopWaiters.peerDied(w);
    for (let p = 1; p <= workerCount + dedicatedCount; p++) {
      if (p === w) continue;
      try {
        runtime.control(p, { op: 'worker-died', worker: w, recreated, reason: error.message });
      } catch {
        // that worker's ring is unreachable too: its own replacement follows
      }
    }
    this.start(w, this.replacementTransport(w), recreate);
  }

  /**
   * The transport of worker `w`'s replacement: the same rings, and new large-message lanes with
   * every other thread (the old ones died with the worker's ports), posted to those threads on
   * their lane-control ports. They install them before their next large message to or from `w`.
   */
  private replacementTransport(w: number): TransportInit {
    const participants = this.mesh!.participants;
    const laneOut = new Array<MessagePort | null>(participants).fill(null);
    const laneIn = new Array<MessagePort | null>(participants).fill(null);
    for (let p = 0; p < participants; p++) {
      if (p === w) continue;
      const toW = new MessageChannel(); // p → w
      const fromW = new MessageChannel(); // w → p
      laneIn[p] = toW.port2;
      laneOut[p] = fromW.port1;
      const replacement: LaneReplacement = { peer: w, out: toW.port1, in: fromW.port2 };
      try {
        this.laneControls[p]!.postMessage(replacement, [toW.port1, fromW.port2]);
      } catch {
        // p's own thread is gone: its replacement gets fresh lanes of its own
      }
    }
    const control = new MessageChannel();
    this.laneControls[w]!.close();
    this.laneControls[w] = control.port1;
    return { mesh: this.mesh!, self: w, largeMessageThreshold: 64 * 1024, laneOut, laneIn, laneControl: control.port2 };
  }
}

/** What of the guardian's strategy crosses to the workers: everything but the decider. */
function guardianData(strategy: SupervisorStrategy): HostInit['guardian'] {
  const { kind, maxRestarts, withinMs, backoff } = strategy;
  return backoff === undefined ? { kind, maxRestarts, withinMs } : { kind, maxRestarts, withinMs, backoff: { ...backoff } };
}
