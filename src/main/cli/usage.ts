/**
 * What every command shares about its command line: a usage problem is a
 * UsageError (the command prints it with a pointer to --help and exits 2),
 * and flags are parsed strictly, so a misspelt flag is a usage error too.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandLine<O extends Options, P extends boolean = true>(argv: string[], options: O, settings: { allowPositionals?: P } = {}) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: (settings.allowPositionals ?? true) as P, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
