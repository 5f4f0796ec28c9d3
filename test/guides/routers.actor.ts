import { defineActor } from '../../src/index.js';

export type WordMsg = { type: 'count'; word: string } | { type: 'seen'; word: string };

// Counts the words it is sent; answers how often it saw one.
export const WordCounter = defineActor.typed<WordMsg, number>()(import.meta.url, 'WordCounter', {
  init: () => new Map<string, number>(),
  receive(counts, msg, ctx) {
    if (msg.type === 'count') counts.set(msg.word, (counts.get(msg.word) ?? 0) + 1);
    else ctx.respond(counts.get(msg.word) ?? 0);
  },
});
