import type { ActorContext } from '../actor/actor-context.js';
import { defineActor } from '../actor/actor-definition.js';
import { errorInfo } from '../errors/error-info.js';
import type { PeerMessage, ReplicatorMessage, ReplicatorReply } from './replicator-messages.js';
import type { Replicator } from './replicator.js';

/** The name a store's replicator is registered under on every node (how the other nodes find it). */
export function replicatorName(store: string): string {
  return `bactor.crdt.${store}`;
}

/**
 * The replicator actor of one store on one node: spawned inline on the main thread by
 * `system.replicated`, with the Replicator (replicator.ts) as its state, so the main thread's
 * handle calls it directly and actors of any thread or node reach it by messages.
 * Updates and gets asked by actors are answered when their consistency level is reached (the
 * ask's reply ref is kept), so the actor goes on taking messages meanwhile — the acks among them.
 */
export const ReplicatorActor = defineActor(import.meta.url, 'bactor.Replicator', {
  init: (replicator: Replicator, ctx: ActorContext<ReplicatorMessage, ReplicatorReply>) => {
    replicator.self = ctx.self;
    return replicator;
  },
  receive(replicator, msg: ReplicatorMessage, ctx: ActorContext<ReplicatorMessage, ReplicatorReply>) {
    const { config } = replicator;
    switch (msg.type) {
      case 'update':
      case 'get': {
        const replyTo = ctx.sender;
        const pending =
          msg.type === 'update'
            ? replicator.update(msg.key, msg.op, msg.args ?? [], msg.write ?? config.write, msg.timeoutMs ?? config.timeoutMs)
            : replicator.get(msg.key, msg.read ?? config.read, msg.timeoutMs ?? config.timeoutMs);
        pending.then(
          (value) => replyTo?.tell({ ok: true, value } satisfies ReplicatorReply),
          (error: unknown) => {
            const info = errorInfo(error);
            replyTo?.tell({ ok: false, code: info.code ?? 'ERR_ACTOR_FAILED', message: info.message } satisfies ReplicatorReply);
          },
        );
        return;
      }
      case 'subscribe':
      case 'unsubscribe':
        replicator.subscribe(msg.key, msg.subscriber, msg.type === 'subscribe');
        return;
      default:
        replicator.receive(msg as PeerMessage);
    }
  },
  stopped(replicator) {
    replicator.close();
  },
});
