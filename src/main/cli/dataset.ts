/**
 * `ganvas dataset openmoji --out DIR`: renders a ready-to-train paired
 * dataset (line art → colour) from the openmoji package that installs with
 * GANvas, with a held-out test/ split fixed by emoji code.
 *
 * Exit codes: 0 written, 1 failed, 2 usage error.
 */
import { resolve } from 'node:path';
import { consoleOutput, type CommandOutput } from './train-output.js';
import { parseCommandLine, UsageError } from './usage.js';

export const datasetHelp = `Usage: ganvas dataset openmoji --out DIR [--size 64] [--test-fraction 0.1] [--limit N]

Writes OpenMoji line art (A) and colour (B) emoji as PNG pairs on white:
DIR/train/A, DIR/train/B, DIR/test/A, DIR/test/B. Artwork: OpenMoji, CC BY-SA 4.0.

Options:
  --out DIR              where to write the dataset
  --size N               image side in pixels (default 64)
  --test-fraction F      share of emoji held out in test/ (default 0.1)
  --limit N              at most N pairs per split (for a quick try)
  -h, --help             show this help
`;

function parseDatasetArgs(argv: string[]) {
  const parsed = parseCommandLine(argv, {
    out: { type: 'string' },
    size: { type: 'string', default: '64' },
    'test-fraction': { type: 'string', default: '0.1' },
    limit: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const { values, positionals } = parsed;
  if (values.help) return 'help' as const;
  if (positionals[0] !== 'openmoji' || positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'name the dataset to build: openmoji' : `unknown dataset "${positionals.join(' ')}"; available: openmoji`);
  }
  if (!values.out) throw new UsageError('--out DIR is required');
  const size = Number(values.size);
  if (!Number.isInteger(size) || size < 8 || size > 1024) throw new UsageError(`--size must be a whole number from 8 to 1024, got "${values.size}"`);
  const testFraction = Number(values['test-fraction']);
  if (!(testFraction >= 0 && testFraction < 1)) throw new UsageError(`--test-fraction must be at least 0 and below 1, got "${values['test-fraction']}"`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a positive whole number, got "${values.limit}"`);
  return { out: resolve(values.out), size, testFraction, ...(limit !== undefined ? { limit } : {}) };
}

export async function datasetCommand(argv: string[], output: CommandOutput = consoleOutput()): Promise<number> {
  let args;
  try {
    args = parseDatasetArgs(argv);
  } catch (error) {
    output.err(`ganvas dataset: ${(error as Error).message}\nRun \`ganvas dataset --help\` for the options.\n`);
    return 2;
  }
  if (args === 'help') {
    output.out(datasetHelp);
    return 0;
  }
  try {
    const { buildOpenMojiDataset } = await import('../engine/data/openmoji.js');
    let shown = 0;
    const counts = await buildOpenMojiDataset(args.out, {
      size: args.size,
      testFraction: args.testFraction,
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
      onProgress: (done, total) => {
        const tenth = Math.floor((done / total) * 10);
        if (tenth > shown || done === total) {
          shown = tenth;
          if (output.isTTY) output.out(`\r${done}/${total} pairs`);
          else if (done === total || tenth % 2 === 0) output.out(`${done}/${total} pairs\n`);
        }
      },
    });
    if (output.isTTY) output.out('\n');
    output.out(`${counts.train} training pairs and ${counts.test} test pairs in ${args.out} (OpenMoji, CC BY-SA 4.0)\n`);
    return 0;
  } catch (error) {
    output.err(`ganvas dataset: ${(error as Error).message}\n`);
    return 1;
  }
}
