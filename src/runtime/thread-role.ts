import { BactorError, ErrorCode } from '../errors/error-codes.js';

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

/** ActorSystem.start: refused in a bactor worker thread (ERR_SYSTEM_IN_WORKER), where a module that defines actors and starts the system was imported. */
export function assertNotInWorker(): void {
  if (!isActorHost()) return;
  throw new BactorError(
    ErrorCode.SYSTEM_IN_WORKER,
    'ActorSystem.start() ran inside a bactor worker thread: a module that defines actors is imported by every ' +
      'worker, so it must not start the system. Move defineActor(...) into a module of its own (e.g. ' +
      'counter.actor.js) and import it from the script that calls ActorSystem.start().',
  );
}
