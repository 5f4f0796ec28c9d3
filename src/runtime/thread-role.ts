/**
 * Whether this thread is one of bactor's actor workers. A worker imports the modules that define
 * actors; one that also starts a system at its top level (an entry script that defines actors
 * itself) would start a system per worker, each starting workers of its own.
 */
let actorHost = false;

/** Called once by the host loop, before it imports any actor module. */
export function enterActorHost(): void {
  actorHost = true;
}

export function isActorHost(): boolean {
  return actorHost;
}
