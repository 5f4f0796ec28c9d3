import { checkBag, checkNumber, describe, invalidOption, isInteger, show } from '../../util/option-bag.js';
import type { SpanExporterLike } from './span-export.js';

/**
 * `ActorSystem.start({ tracing })`: W3C trace context carried with sampled messages across
 * threads and nodes, a span per traced send and per handler, exported through an OpenTelemetry
 * SpanExporter on the main thread. Absent: nothing is traced, and nothing costs.
 */
export interface TracingOptions {
  /** Where the spans go: any OpenTelemetry SpanExporter (OTLP, Zipkin, console, in-memory…). */
  exporter: SpanExporterLike;
  /** Share of root messages traced (0…1). Default 0.01. A traced message's handler traces its sends. */
  sampleRate?: number;
  /** Hops a trace follows at most. Default 64. */
  maxDepth?: number;
  /** The exported spans' `service.name`. Default 'bactor'. */
  serviceName?: string;
}

export interface CheckedTracing {
  exporter: SpanExporterLike;
  sampleRate: number;
  maxDepth: number;
  serviceName: string;
}

const KEYS = ['exporter', 'sampleRate', 'maxDepth', 'serviceName'] as const;

export function checkTracingOptions(value: unknown, where = 'ActorSystem.start'): CheckedTracing | null {
  if (value === undefined) return null;
  const bag = checkBag(value, KEYS, where, 'tracing', '{ exporter, sampleRate?, maxDepth?, serviceName? }') as TracingOptions | undefined;
  const exporter = bag?.exporter as { export?: unknown } | undefined;
  if (exporter === undefined || exporter === null || typeof exporter !== 'object' || typeof exporter.export !== 'function')
    throw invalidOption(
      where,
      `tracing.exporter must be an OpenTelemetry SpanExporter (an object with export(spans, done)), got ${describe(exporter)}`,
    );
  checkNumber(bag!.sampleRate, (n) => n >= 0 && n <= 1, where, 'tracing.sampleRate', 'a share from 0 to 1');
  checkNumber(bag!.maxDepth, isInteger(1, 1_000_000), where, 'tracing.maxDepth', 'a whole number of hops, 1 or more');
  if (bag!.serviceName !== undefined && (typeof bag!.serviceName !== 'string' || bag!.serviceName.length === 0))
    throw invalidOption(where, `tracing.serviceName=${show(bag!.serviceName)} must be a non-empty string`);
  return {
    exporter: bag!.exporter,
    sampleRate: bag!.sampleRate ?? 0.01,
    maxDepth: bag!.maxDepth ?? 64,
    serviceName: bag!.serviceName ?? 'bactor',
  };
}
