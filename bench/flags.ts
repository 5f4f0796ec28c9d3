/**
 * Flag parsing of the bench and demo scripts: node:util's parseArgs in strict mode, so a mistyped
 * flag or an unexpected argument is an error (with the usage) instead of a run with the defaults.
 * `--help` prints the usage and exits.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closestName } from '../src/util/option-bag.js';

export interface Flags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseFlags(usage: string, options: NonNullable<ParseArgsConfig['options']>, allowPositionals = false): Flags {
  let flags: Flags;
  try {
    flags = parseArgs({
      args: process.argv.slice(2),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    }) as Flags;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const flag = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(--?[^'=]+)/.exec(message)?.[1] : undefined;
    if (flag === undefined) fail(message, usage);
    const near = closestName(flag.replace(/^-+/, ''), [...Object.keys(options), 'help']);
    fail(`unknown flag '${flag}'${near !== undefined ? ` (did you mean '--${near}'?)` : ''}`, usage);
  }
  if (flags.values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  return flags;
}

/** Prints what is wrong and the usage, and exits with status 2. */
export function fail(message: string, usage: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}
