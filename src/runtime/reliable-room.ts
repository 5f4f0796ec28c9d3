import type { ActorCell } from '../actor/actor-cell.js';
import type { ActorRef } from '../actor/actor-ref.js';
import { taken } from '../mailbox/taken-slot.js';
import { ReliableInbox } from '../reliable/reliable-inbox.js';
import { ReliableMarks, type ReliableSeqBody } from '../reliable/reliable-marks.js';
import { ReliableEnvelope } from '../reliable/reliable-messages.js';
import type { Outbound } from './outbound.js';
import { RecordType } from './wire-messages.js';

/** What reliable delivery reads of its runtime. */
export interface ReliableRoomHost {
  readonly participant: number;
  readonly incarnation: number;
  /** Actors moved here and still reached by their old refs. */
  readonly migration: { readonly aliases: { readonly size: number } };
  readonly outbound: Outbound;
  tell(target: ActorRef, message: unknown, sender: ActorRef | null): boolean;
  cell(id: number): ActorCell | undefined;
  /** Delivers to a local actor or ask slot; otherwise to dead letters. */
  deliver(id: number, message: unknown, sender: ActorRef | null): void;
}

/**
 * Reliable delivery on one thread (a room of the runtime): the sending side of a reliable
 * message, the RELIABLE_SEQ marks read per sending thread, and the inbox that dedupes and
 * acknowledges what reaches this thread's actors.
 */
export class ReliableRoom {
  /** Dedupe and acks of this thread's consumers (reliable/reliable-inbox.ts). */
  readonly inbox: ReliableInbox;
  /** RELIABLE_SEQ records read, per sending thread: the USER record each announces. */
  readonly marks = new ReliableMarks();

  constructor(private readonly host: ReliableRoomHost) {
    this.inbox = new ReliableInbox((to, ack) => void host.tell(to, ack, null), host.incarnation);
  }

  /**
   * RefRouter.tellReliable: to a thread of this node, a RELIABLE_SEQ record and the message as a
   * USER record right behind it (both on the fast path when the message is flat); to another
   * node (or anything else), an envelope.
   */
  send(target: ActorRef, seq: number, first: number, message: unknown, producer: ActorRef, producerId: string | null): void {
    const host = this.host;
    if (target.incarnation === host.incarnation && target.participant !== host.participant && host.migration.aliases.size === 0) {
      const mark: ReliableSeqBody = producerId === null ? { s: seq, f: first } : { s: seq, f: first, p: producerId };
      host.outbound.send(target.participant, RecordType.RELIABLE_SEQ, target.id, producer.packed, mark);
      host.tell(target, message, producer);
      return;
    }
    const envelope = new ReliableEnvelope(seq, first, message, producerId);
    // On this thread (a durable producer's: the process may die with both): straight to the inbox.
    if (target.incarnation === host.incarnation && target.participant === host.participant) this.receive(target.id, envelope, producer);
    else host.tell(target, envelope, producer);
  }

  /** A message with reliable delivery for local actor `id`: into its mailbox once (see ReliableInbox); to dead letters if there is no such actor. */
  receive(id: number, envelope: ReliableEnvelope, producer: ActorRef | null): void {
    const cell = this.host.cell(id);
    // Not kept by the taken-ledger (its slot is left to the decoder, which frees it): if this
    // worker dies, the producer sends again what was not acknowledged — the ledger's copy would
    // arrive without its sequence number, ahead of those resends.
    const slot = taken.slot;
    taken.slot = -1;
    if (producer !== null && cell !== undefined && !cell.isStopped && (cell.host as unknown) === this.host)
      this.inbox.receive(cell, envelope, producer);
    else this.host.deliver(id, envelope.message, producer);
    taken.slot = slot;
  }
}
