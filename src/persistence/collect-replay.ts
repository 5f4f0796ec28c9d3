import type { Journal, Replay, StoredEvent } from './journal.js';

/** `replay` for a journal that streams (replayEach): the events kept in an array. */
export async function collectReplay(
  journal: Pick<Journal, 'replayEach'>,
  persistenceId: string,
  fromSeq?: number,
  toSeq?: number,
): Promise<Replay> {
  const events: StoredEvent[] = [];
  const { dropped, reason } = await journal.replayEach(persistenceId, (seq, payload) => void events.push({ seq, payload }), fromSeq, toSeq);
  return { events, dropped, reason };
}
