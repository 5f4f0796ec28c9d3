import type { ActorRef } from '../actor/actor-ref.js';
import { errorInfo } from '../errors/error-info.js';
import { LOG_LEVELS, type LogLevel } from './system-log.js';

/** `ctx.log`: an actor's structured log, written to the system's (the `logging` option), with its ref and thread. */
export interface ActorLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One entry of an actor's log, as a worker ships it to the main thread. */
export interface ActorLogEntry {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
  actor: string;
  thread: string;
  /** Epoch ms. */
  at: number;
}

/** Entries a worker keeps before it ships them, and how long at most (ms). */
const SHIP_ENTRIES = 64;
export const LOGS_EVERY_MS = 100;

/** Fields as plain data (they cross threads): errors as their name, message, code and stack; what cannot be copied, said so. */
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(
      JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? errorInfo(v) : typeof v === 'bigint' ? String(v) : v)),
    ) as Record<string, unknown>;
  } catch (error) {
    return { fieldsDropped: (error as Error).message };
  }
}

class BoundLog implements ActorLog {
  constructor(
    private readonly logs: ThreadLogs,
    private readonly actor: ActorRef,
  ) {}
  debug(message: string, fields?: Record<string, unknown>): void {
    this.logs.write(0, message, fields, this.actor);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.logs.write(1, message, fields, this.actor);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.logs.write(2, message, fields, this.actor);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.logs.write(3, message, fields, this.actor);
  }
}

/**
 * One thread's side of the actors' logs: entries below the system's level are dropped where they
 * are written (no logging: every one); on the main thread the rest go to the system's log at
 * once, on a worker in batches (every LOGS_EVERY_MS, or SHIP_ENTRIES) as a control message.
 */
export class ThreadLogs {
  private entries: ActorLogEntry[] = [];

  constructor(
    /** The least severe level written (an index of LOG_LEVELS; Infinity: none). */
    readonly min: number,
    private readonly thread: string,
    private readonly sink: (entries: ActorLogEntry[]) => void,
    /** The main thread: each entry goes to the sink at once, its fields as they are. */
    private readonly immediate: boolean,
  ) {}

  get on(): boolean {
    return this.min !== Infinity;
  }

  forActor(actor: ActorRef): ActorLog {
    return new BoundLog(this, actor);
  }

  write(level: number, message: unknown, fields: Record<string, unknown> | undefined, actor: ActorRef): void {
    if (level < this.min) return;
    const entry: ActorLogEntry = {
      level: LOG_LEVELS[level]!,
      message: String(message),
      fields: fields === undefined || fields === null || typeof fields !== 'object' ? {} : this.immediate ? fields : plain(fields),
      actor: String(actor),
      thread: this.thread,
      at: Date.now(),
    };
    if (this.immediate) {
      this.sink([entry]);
      return;
    }
    this.entries.push(entry);
    if (this.entries.length >= SHIP_ENTRIES) this.flush();
  }

  flush(): void {
    if (this.entries.length === 0) return;
    const entries = this.entries;
    this.entries = [];
    this.sink(entries);
  }
}

/** A thread without logging: `ctx.log` writes nothing. */
export const NO_LOGS = new ThreadLogs(Infinity, '', () => undefined, true);
