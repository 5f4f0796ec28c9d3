import type { MailboxOptions } from '../mailbox/mailbox.js';

/** Where an actor runs. */
export type Dispatcher =
  /** On the worker pool (the default), placed by the scheduler. */
  | 'pool'
  /** On the main thread, for glue code and tests. */
  | 'inline'
  /** Alone on a worker reserved for it (ActorSystemOptions.dedicatedWorkers): for actors that block. */
  | 'dedicated';

export interface SpawnOptions {
  /** A name to look the actor up by (`system.lookup(name)`); unique per system. */
  name?: string;
  /** Where it runs. Default 'pool'. */
  dispatcher?: Dispatcher;
  /** Pin to this worker (1-based worker index). */
  worker?: number;
  /** Put it on the worker of this actor (a chatty pair shares a thread: no ring between them). */
  near?: { readonly participant: number };
  /**
   * Messages per actor turn before the worker moves on to the next actor; the turn also ends
   * after the message during which its handlers' sends reach this number (a producer yields to
   * its consumer). Default: the worker's quantum (100, tuned by the scheduler).
   */
  throughput?: number;
  /** Overrides the definition's mailbox. */
  mailbox?: MailboxOptions;
}
