import { RUNNING } from '../../native-free-core/layout/taken-ledger-layout.js';
import type { TakenLedger, TakenRecord } from '../../native-free-core/ledger/taken-ledger.js';
import { ActorRef, localIdOf, participantOf } from '../actor/actor-ref.js';
import type { MessageSink } from '../codec/message-decoder.js';
import { taken } from '../mailbox/taken-slot.js';
import type { TransportEndpoint } from '../transport/transport.js';
import type { Runtime } from './runtime.js';
import { RecordType } from './wire-messages.js';

/** The record types a worker keeps in its ledger while taken: user messages, from this node's threads and from other nodes. */
export const KEPT_TYPES = (1 << RecordType.USER) | (1 << RecordType.REMOTE_IN);

interface Decoded {
  header0: number;
  header1: number;
  message: unknown;
  error: Error | null;
}

/**
 * A replacement worker's first deliveries, right after it re-created its actors: what the
 * worker before it had taken off its rings and not handled (TakenLedger.recover), in the order
 * taken. A message that was queued goes to its actor again (kept in the ledger again); the one
 * whose handler was running when the worker died (or whose promise was pending) is a dead
 * letter — delivered again it could kill this thread too — as is one that cannot be decoded any
 * more (a large message: its bytes were on the dead thread's lane). Returns how many of each.
 *
 * Its one window: the ledger was reset (`attach`) before these are kept again one by one, so a
 * replacement killed during this loop (from outside: it runs no user code) loses the rest.
 */
export function redeliverTaken(
  runtime: Runtime,
  endpoint: TransportEndpoint,
  ledger: TakenLedger,
  records: readonly TakenRecord[],
): { redelivered: number; dead: number } {
  const decoded: Decoded[] = new Array<Decoded>(records.length);
  const bySource = new Map<number, number[]>();
  for (let i = 0; i < records.length; i++) {
    const source = records[i]!.source;
    let indexes = bySource.get(source);
    if (indexes === undefined) bySource.set(source, (indexes = []));
    indexes.push(i);
  }
  for (const [source, indexes] of bySource) {
    let k = 0;
    const sink: MessageSink = {
      onMessage(_type, header0, header1, message) {
        decoded[indexes[k++]!] = { header0, header1, message, error: null };
      },
      onDecodeError(error, _type, header0, header1) {
        decoded[indexes[k++]!] = { header0, header1, message: undefined, error };
      },
    };
    endpoint.decodeCopies(
      source,
      indexes.map((i) => records[i]!),
      sink,
    );
  }
  const worker = runtime.participant;
  let redelivered = 0;
  let dead = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const { header0, header1, message, error } = decoded[i]!;
    if (error === null && record.state !== RUNNING) {
      taken.slot = ledger.takeCopy(record);
      runtime.onMessage(record.type, header0, header1, message);
      if (taken.slot >= 0) {
        ledger.done(taken.slot);
        taken.slot = -1;
      }
      redelivered++;
      continue;
    }
    dead++;
    const target = runtime.actors.table.get(header0)?.self ?? new ActorRef(worker, header0);
    const sender = record.type === RecordType.USER && header1 !== 0 ? new ActorRef(participantOf(header1), localIdOf(header1)) : null;
    const reason =
      error === null
        ? `its handler was running when worker ${worker} died (not delivered again: it could end this worker too)`
        : `taken by worker ${worker} before it died, and no longer readable: ${error.message}`;
    runtime.deadLetter(target, record.type === RecordType.USER ? message : undefined, sender, reason);
  }
  return { redelivered, dead };
}
