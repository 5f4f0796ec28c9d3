import type * as Grpc from '@grpc/grpc-js';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { Frame, Hello, Welcome } from './wire.js';

/** What a lane's stream reports to its link. */
export interface LaneOwner {
  welcomed(lane: LaneStream, welcome: Welcome): void;
  frame(lane: LaneStream, frame: Frame): void;
  /** The stream ended, failed, or was refused: it is done (`refused`: the peer said no). */
  broken(lane: LaneStream, error: BactorError, refused: boolean): void;
  /** The stream's buffer drained after a write that returned false. */
  drained(lane: LaneStream): void;
}

/**
 * One lane's gRPC stream to another node (proto/bactor_remote.proto): opened with a Hello,
 * welcomed or refused, then written one way; what comes back (the Welcome, acks, heartbeat
 * echoes, lookup replies) goes to the owner. Breaks once.
 */
export class LaneStream {
  welcomed = false;
  done = false;
  /** False after a write the stream could not take at once, until 'drain'. */
  writable = true;
  private readonly call: Grpc.ClientDuplexStream<Frame, Frame>;

  constructor(
    client: Grpc.Client,
    hello: Hello,
    private readonly owner: LaneOwner,
    readonly address: string,
  ) {
    this.call = (client as unknown as { Connect(): Grpc.ClientDuplexStream<Frame, Frame> }).Connect();
    this.call.on('data', (frame: Frame) => this.onFrame(frame));
    this.call.on('error', (error: Error) =>
      this.break(new BactorError(ErrorCode.REMOTE_UNREACHABLE, `node ${address}: ${error.message}`, { cause: error }), false),
    );
    this.call.on('end', () => this.break(new BactorError(ErrorCode.REMOTE_UNREACHABLE, `node ${address} ended the connection`), false));
    this.call.on('drain', () => {
      this.writable = true;
      if (!this.done) this.owner.drained(this);
    });
    this.call.write({ hello });
  }

  /** Writes a frame; false when the stream's buffer is over its high-water mark (wait for `drained`). */
  write(frame: Frame): boolean {
    if (this.done) return false;
    const ok = this.call.write(frame);
    if (!ok) this.writable = false;
    return ok;
  }

  /** Ends the stream from this side (no report to the owner). */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.call.removeAllListeners('data');
    this.call.on('error', () => undefined);
    this.call.end();
  }

  private onFrame(frame: Frame): void {
    if (this.done) return;
    if (frame.welcome) {
      if (this.welcomed) return;
      this.welcomed = true;
      this.owner.welcomed(this, frame.welcome);
    } else if (frame.refusal) {
      const { code, reason } = frame.refusal;
      this.break(new BactorError(ErrorCode.REMOTE_REFUSED, `node ${this.address} refused this node: ${reason} (${code})`), true);
    } else this.owner.frame(this, frame);
  }

  private break(error: BactorError, refused: boolean): void {
    if (this.done) return;
    this.close();
    this.owner.broken(this, error, refused);
  }
}
