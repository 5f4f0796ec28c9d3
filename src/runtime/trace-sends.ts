import { type ActorRef, packRef } from '../actor/actor-ref.js';
import type { ThreadTracer } from '../observability/tracing/thread-tracer.js';
import { type SpanNotice, TracedMessage } from '../observability/tracing/trace-context.js';
import type { Outbound } from './outbound.js';
import { RecordType } from './wire-messages.js';

/** What the send side of tracing reads of its runtime. */
export interface TraceSendsHost {
  readonly participant: number;
  readonly incarnation: number;
  readonly outbound: Outbound;
  /** Actors moved here and still reached by their old refs (a send may then be delivered here). */
  readonly migration: { readonly aliases: { readonly size: number } };
}

/**
 * The send side of tracing on one thread (a room of the runtime, entered only by traced sends):
 * the tracer decides and records the send span; the ids go to another thread of this node as a
 * TRACE record of words right ahead of the USER record `Runtime.tell` writes next (the message
 * keeps the fast path), and anywhere else wrapped with the message (TracedMessage). Also announces
 * the thread's spans.
 */
export class TraceSends {
  constructor(
    private readonly host: TraceSendsHost,
    readonly tracer: ThreadTracer,
  ) {}

  /** The message to send on: as it is, or wrapped; a TRACE record written ahead when it goes by a ring. */
  wrap(target: ActorRef, message: unknown, sender: ActorRef | null): unknown {
    if (target.isAskSlot) return message;
    const tracer = this.tracer;
    if (!tracer.send(target, message, sender)) return message;
    const host = this.host;
    const ids = tracer.out;
    // The TRACE record's mark is keyed by the sender's thread: only a sender of this thread says
    // which ring it came by (a send with no sender, or on behalf of another thread's actor, goes wrapped).
    if (
      target.incarnation === host.incarnation &&
      target.participant !== host.participant &&
      sender !== null &&
      sender.participant === host.participant &&
      host.migration.aliases.size === 0
    ) {
      host.outbound.sendWords(target.participant, RecordType.TRACE, target.id, sender.packed, ids);
      return message;
    }
    return new TracedMessage(ids[0]!, ids[1]!, ids[2]!, ids[3]!, ids[4]!, ids[5]!, ids[6]!, message);
  }

  /**
   * A thread's announcement of the spans it wrote to the span block, to the main thread (by the
   * encoder's path for tracing's records). `wake` false: it does not wake the main thread (the
   * timed flush after it does).
   */
  announce(notice: SpanNotice, wake: boolean): void {
    const host = this.host;
    host.outbound.sendAside(0, RecordType.CONTROL, 0, packRef(host.participant, 0), { op: 'spans', notice }, wake);
  }
}
