import { createRequire } from 'node:module';
import { BactorError, ErrorCode } from '../errors/error-codes.js';
import type { RuntimeEvent } from '../runtime/runtime-event.js';
import type { EventStream } from '../system/event-stream.js';
import { checkBag, describe, invalidOption, listOf, show } from '../util/option-bag.js';

/** Log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A structured logger: one method per level taking a fields object and a message — what pino,
 * bunyan and many others take (`logger.warn({ actor }, 'handler stuck')`).
 */
export type Logger = Record<LogLevel, (fields: Record<string, unknown>, message: string) => void>;

/** `ActorSystem.start({ logging })`: what the system logs of itself, and where. */
export interface LoggingOptions {
  /** The least severe level written. Default 'info' (dead letters are 'debug'). 'silent' writes nothing. */
  level?: LogLevel | 'silent';
  /**
   * Where: a logger of yours (pino, bunyan, winston's child…), 'pino' (bactor creates one: the
   * package must be installed), or 'json' (one JSON line per entry on stderr). Default 'json'.
   */
  logger?: Logger | 'pino' | 'json';
}

const require = createRequire(import.meta.url);
const KEYS = ['level', 'logger'] as const;

/** One JSON line per entry on stderr: `{"level":"warn","time":…,"msg":…,…fields}`. */
const jsonLine =
  (level: LogLevel) =>
  (fields: Record<string, unknown>, msg: string): void => {
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg, ...fields })}\n`);
  };
const jsonLogger: Logger = { debug: jsonLine('debug'), info: jsonLine('info'), warn: jsonLine('warn'), error: jsonLine('error') };

function pinoLogger(level: LogLevel): Logger {
  let pino: (options: object) => Logger;
  try {
    pino = require('pino') as (options: object) => Logger;
  } catch (error) {
    throw new BactorError(ErrorCode.MISSING_PEER_DEPENDENCY, "logging: { logger: 'pino' } needs the package 'pino': npm install pino", {
      cause: error,
    });
  }
  return pino({ name: 'bactor', level });
}

/** The system's logger from its options (null: logging is off). Throws ERR_INVALID_OPTION on a wrong one. */
export function checkLogging(
  value: unknown,
  where = 'ActorSystem.start',
): { level: LogLevel | 'silent'; logger: Logger | 'pino' | 'json' } | null {
  if (value === undefined) return null;
  const bag = checkBag(
    value,
    KEYS,
    where,
    'logging',
    "{ level?: 'debug' | 'info' | 'warn' | 'error' | 'silent', logger?: Logger | 'pino' | 'json' }",
  ) as LoggingOptions;
  const level = bag.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level) && level !== 'silent')
    throw invalidOption(where, `logging.level=${show(level)} must be ${listOf([...LOG_LEVELS, 'silent'])}`);
  const logger = bag.logger ?? 'json';
  if (logger !== 'pino' && logger !== 'json') {
    const missing = LOG_LEVELS.filter((l) => typeof (logger as Partial<Logger> | null)?.[l] !== 'function');
    if (typeof logger !== 'object' || logger === null || missing.length > 0)
      throw invalidOption(
        where,
        `logging.logger must be 'json', 'pino' or a logger with ${LOG_LEVELS.join(', ')} methods, got ${describe(logger)}`,
      );
  }
  return { level, logger };
}

/** An event's level, message and fields, as the system logs it. */
function entry(event: RuntimeEvent): [LogLevel, string, Record<string, unknown>] {
  const { type, ...fields } = event;
  switch (event.type) {
    case 'dead-letter':
      return ['debug', `dead letter: ${event.messageType} to ${event.target}`, fields];
    case 'actor-failed':
      return [
        event.directive === 'restart' || event.directive === 'resume' ? 'warn' : 'error',
        `${event.actor} failed: ${event.error.message} (${event.directive})`,
        fields,
      ];
    case 'handler-stuck':
      return ['warn', `${event.actor} stuck ${Math.round(event.ms)} ms on ${event.messageType} (${event.action})`, fields];
    case 'handler-interrupted':
      return ['warn', `${event.actor}: stuck handler interrupted`, fields];
    case 'worker-recovered':
      return [
        'warn',
        `worker ${event.worker} replaced: ${event.redelivered} messages delivered again, ${event.deadLettered} dead letters`,
        fields,
      ];
    case 'actor-moved':
      return ['info', `${event.actor} moved to ${event.to} (${event.reason})`, fields];
    case 'node-lost':
      return ['warn', `node ${event.address} lost: ${event.reason}`, fields];
    case 'journal-dropped':
      return ['error', `${event.actor}: ${event.dropped} records dropped at recovery (${event.reason})`, fields];
    case 'snapshot-failed':
      return ['warn', `${event.actor}: snapshot at ${event.seq} failed: ${event.error.message}`, fields];
    case 'alert':
      return [event.state === 'firing' ? 'warn' : 'info', `alert ${event.name} ${event.state}: ${event.metric} ${event.value}`, fields];
    case 'actor-trace':
      return [
        'debug',
        `${event.actor} ${event.direction === 'in' ? '←' : '→'} ${event.messageType} ${event.direction === 'in' ? 'from' : 'to'} ${event.peer ?? '—'}`,
        fields,
      ];
    default:
      return ['warn', type, fields];
  }
}

/**
 * The system's structured log (the `logging` option): its start and shutdown, and each event of
 * `system.events` at its level — failures (error, or warn when the actor is restarted), stuck
 * handlers, replaced workers, lost nodes, alerts (warn), moves (info), dead letters (debug).
 */
export class SystemLog {
  private readonly logger: Logger | null;
  private readonly min: number;
  private readonly unsubscribe: () => void;

  /** Resolves the logger (loading pino if asked: ERR_MISSING_PEER_DEPENDENCY without it) before anything starts. */
  static resolve(options: { level: LogLevel | 'silent'; logger: Logger | 'pino' | 'json' }): { logger: Logger | null; min: number } {
    if (options.level === 'silent') return { logger: null, min: Infinity };
    const logger = options.logger === 'json' ? jsonLogger : options.logger === 'pino' ? pinoLogger(options.level) : options.logger;
    return { logger, min: LOG_LEVELS.indexOf(options.level) };
  }

  constructor(resolved: { logger: Logger | null; min: number }, events: EventStream<RuntimeEvent>) {
    this.logger = resolved.logger;
    this.min = resolved.min;
    this.unsubscribe = events.subscribe((event) => {
      const [level, message, fields] = entry(event);
      this.write(level, message, { event: event.type, ...fields });
    });
  }

  write(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (this.logger === null || LOG_LEVELS.indexOf(level) < this.min) return;
    try {
      this.logger[level](fields, message);
    } catch {
      // A logger that throws must not break the system: the entry is lost.
    }
  }

  /** Entries of the actors' logs (`ctx.log`), from any thread: each with its actor and thread. */
  actorEntries(
    entries: readonly { level: LogLevel; message: string; fields: Record<string, unknown>; actor: string; thread: string }[],
  ): void {
    for (const e of entries) this.write(e.level, e.message, { actor: e.actor, thread: e.thread, ...e.fields });
  }

  close(): void {
    this.unsubscribe();
  }
}
