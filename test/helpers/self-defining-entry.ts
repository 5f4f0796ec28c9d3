// An entry script that defines its actor itself and starts the system (the mistake the test
// guards): every worker imports this module to find the actor. Prints what spawn reported.
import { type ActorContext, ActorSystem, defineActor } from '../../src/index.js';

export const Echo = defineActor(import.meta.url, 'Echo', {
  init: () => null,
  receive(_s, msg: string, ctx: ActorContext<string, string>) {
    ctx.respond(msg);
  },
});

const system = await ActorSystem.start({ workers: 1 });
const out: Record<string, unknown> = {};
try {
  await system.spawn(Echo, undefined);
  out.pool = 'spawned';
} catch (error) {
  out.pool = (error as { code?: string }).code;
  out.message = (error as Error).message;
}
// On the main thread the same definition works.
const inline = await system.spawn(Echo, undefined, { dispatcher: 'inline' });
out.inline = await inline.ask('hi');
await system.shutdown();
console.log(JSON.stringify(out));
