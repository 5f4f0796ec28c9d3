import type { ActorRef } from '../actor/actor-ref.js';
import type { BactorError } from '../errors/error-codes.js';
import { type ErrorInfo, errorInfo } from '../errors/error-info.js';
import { describeMessageType } from '../util/message-type.js';
import { type AskSlots, isAskSlot } from './ask-slots.js';
import type { RuntimeEvent } from './runtime-event.js';
import { RecordType, type RemoteSystemOp } from './wire-messages.js';

/** What dead letters need of the thread's runtime. */
export interface DeadLetterHost {
  readonly participant: number;
  /** This system's incarnation: an asker of another one is on another node. */
  readonly incarnation: number;
  sendRecord(peer: number, type: number, h0: number, h1: number, body: unknown): boolean;
}

/**
 * What could not be delivered, and the asks that learn of it: a message for an actor that is
 * gone, stopped, full or of an earlier system becomes a `dead-letter` event (with its reason, its
 * type and its sender); an ask whose question became one, or whose handler failed, fails now
 * (here, or by an `ask-failed` SYSTEM record to the asker's thread) instead of at its timeout.
 */
export class DeadLetters {
  /** Dead letters on this thread so far (the stats block's DEAD_LETTERS). */
  count = 0;

  constructor(
    private readonly host: DeadLetterHost,
    private readonly asks: AskSlots,
    private readonly onEvent: (event: RuntimeEvent) => void,
  ) {}

  /** `message` for `target` was not delivered, for `reason`. */
  add(target: ActorRef, message: unknown, sender: ActorRef | null, reason: string): void {
    this.count++;
    // An ask whose question cannot be delivered fails now rather than at its timeout.
    if (sender !== null && isAskSlot(sender.id)) this.failAsker(sender, target, reason);
    this.onEvent({
      type: 'dead-letter',
      target: String(target),
      reason,
      messageType: describeMessageType(message),
      sender: sender === null ? null : String(sender),
    });
  }

  /** The handler `actor` was running for the ask of `asker` failed on a `messageType` message. */
  failAsk(asker: ActorRef, actor: ActorRef, messageType: string, error: unknown): void {
    this.failAsker(asker, actor, `failed on '${messageType}'`, errorInfo(error));
  }

  /** A record from the rings that could not be decoded (see MessageSink.onDecodeError). */
  malformed(error: BactorError, type: number, header0: number): void {
    this.count++;
    this.onEvent({
      type: 'dead-letter',
      target: `#${header0}@${this.host.participant}`,
      reason: `malformed: ${error.message}`,
      messageType: `record type ${type}`,
      sender: null,
    });
  }

  private failAsker(asker: ActorRef, target: ActorRef, reason: string, error?: ErrorInfo): void {
    const host = this.host;
    // An asker on another node learns nothing from here yet: its ask times out there.
    if (asker.incarnation !== host.incarnation) return;
    if (asker.participant === host.participant) this.asks.fail(asker.id, target, reason, error);
    else {
      const body: RemoteSystemOp = { k: 'ask-failed', target: String(target), reason };
      if (error !== undefined) body.error = error;
      host.sendRecord(asker.participant, RecordType.SYSTEM, asker.id, 0, body);
    }
  }
}
