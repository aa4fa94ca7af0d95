/**
 * `ganvas dataset openmoji --out DIR`: renders a ready-to-train paired
 * dataset (line art → colour) from the openmoji package that installs with
 * GANvas, with a held-out test/ split fixed by emoji code.
 * `ganvas dataset emoji-styles --from SET --to SET --out DIR`: an unpaired
 * (CycleGAN) dataset of two emoji styles from the @iconify-json sets.
 * `ganvas dataset emoji-domains --out DIR [--sets A,B,C,D]`: a multi-domain
 * dataset, one folder per style with the same drawings in each.
 *
 * Exit codes: 0 written, 1 failed, 2 usage error.
 */
import { resolve } from 'node:path';
import { consoleOutput, type CommandOutput } from './train-output.js';
import { parseCommandLine, UsageError } from './usage.js';

export const datasetHelp = `Usage: ganvas dataset openmoji --out DIR [--size 64] [--test-fraction 0.1] [--limit N]
       ganvas dataset emoji-styles --from SET --to SET --out DIR [--size 64] [--test-fraction 0.1] [--limit N]
       ganvas dataset emoji-domains --out DIR [--sets SET,SET,...] [--size 64] [--test-fraction 0.1] [--limit N]

openmoji: OpenMoji line art (A) and colour (B) emoji as PNG pairs on white:
DIR/train/A, DIR/train/B, DIR/test/A, DIR/test/B. Artwork: OpenMoji, CC BY-SA 4.0.

emoji-styles: one emoji style (A) and another (B), unpaired, for CycleGAN:
DIR/trainA and DIR/trainB hold different drawings; DIR/testA and DIR/testB the
same held-out drawings in both styles. Sets: twemoji (CC BY 4.0), noto (Apache
2.0), fluent-emoji-flat, fluent-emoji (MIT), openmoji (CC BY-SA 4.0).

emoji-domains: several emoji styles as domains (StarGAN): DIR/train/<set>/ and
DIR/test/<set>/, the same drawings in every style's folder (test/ held out by a
hash of the name). Default sets: twemoji,noto,fluent-emoji-flat,fluent-emoji.

Options:
  --out DIR              where to write the dataset
  --from SET, --to SET   emoji-styles: the two styles, e.g. --from fluent-emoji-flat --to fluent-emoji
  --sets A,B,...         emoji-domains: the styles (at least 2)
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
    from: { type: 'string' },
    to: { type: 'string' },
    sets: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const { values, positionals } = parsed;
  if (values.help) return 'help' as const;
  const kind = positionals[0];
  if ((kind !== 'openmoji' && kind !== 'emoji-styles' && kind !== 'emoji-domains') || positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'name the dataset to build: openmoji, emoji-styles or emoji-domains' : `unknown dataset "${positionals.join(' ')}"; available: openmoji, emoji-styles, emoji-domains`);
  }
  if (kind === 'emoji-styles' && (!values.from || !values.to)) throw new UsageError('emoji-styles needs --from SET and --to SET, e.g. --from fluent-emoji-flat --to fluent-emoji');
  if (!values.out) throw new UsageError('--out DIR is required');
  const size = Number(values.size);
  if (!Number.isInteger(size) || size < 8 || size > 1024) throw new UsageError(`--size must be a whole number from 8 to 1024, got "${values.size}"`);
  const testFraction = Number(values['test-fraction']);
  if (!(testFraction >= 0 && testFraction < 1)) throw new UsageError(`--test-fraction must be at least 0 and below 1, got "${values['test-fraction']}"`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a positive whole number, got "${values.limit}"`);
  const sets = values.sets === undefined ? undefined : values.sets.split(',').map((name) => name.trim()).filter(Boolean);
  return { kind, out: resolve(values.out), size, testFraction, from: values.from, to: values.to, sets, ...(limit !== undefined ? { limit } : {}) };
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
  let shown = 0;
  const onProgress = (unit: string) => (done: number, total: number) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth > shown || done === total) {
      shown = tenth;
      if (output.isTTY) output.out(`\r${done}/${total} ${unit}`);
      else if (done === total || tenth % 2 === 0) output.out(`${done}/${total} ${unit}\n`);
    }
  };
  const common = { size: args.size, testFraction: args.testFraction, ...(args.limit !== undefined ? { limit: args.limit } : {}) };
  try {
    if (args.kind === 'emoji-domains') {
      const { buildDomainEmojiDataset, defaultDomainSets, emojiSets, isEmojiSet } = await import('../engine/data/emoji-styles.js');
      const sets = args.sets ?? [...defaultDomainSets];
      for (const set of sets) {
        if (!isEmojiSet(set)) throw new UsageError(`unknown emoji set "${set}"; the sets are ${Object.keys(emojiSets).join(', ')}`);
      }
      if (new Set(sets).size < 2) throw new UsageError(`--sets needs at least 2 different styles, got "${sets.join(',')}"`);
      const counts = await buildDomainEmojiDataset(args.out, sets as (keyof typeof emojiSets)[], { ...common, onProgress: onProgress('images') });
      if (output.isTTY) output.out('\n');
      output.out(`${counts.domains.length} styles (${counts.domains.join(', ')}), each with ${counts.train} training and ${counts.test} held-out drawings, in ${args.out}\n`);
      if (counts.skipped.length) output.out(`left out ${counts.skipped.length} drawings a style could not render: ${counts.skipped.join(', ')}\n`);
      return 0;
    }
    if (args.kind === 'emoji-styles') {
      const { buildUnpairedEmojiDataset, emojiSets, isEmojiSet } = await import('../engine/data/emoji-styles.js');
      for (const set of [args.from!, args.to!]) {
        if (!isEmojiSet(set)) throw new UsageError(`unknown emoji set "${set}"; the sets are ${Object.keys(emojiSets).join(', ')}`);
      }
      const from = args.from as keyof typeof emojiSets;
      const to = args.to as keyof typeof emojiSets;
      const counts = await buildUnpairedEmojiDataset(args.out, from, to, { ...common, onProgress: onProgress('images') });
      if (output.isTTY) output.out('\n');
      output.out(`${counts.trainA} images in trainA (${from}), ${counts.trainB} in trainB (${to}), ${counts.test} held-out drawings in testA and testB, in ${args.out}\n`);
      return 0;
    }
    const { buildOpenMojiDataset } = await import('../engine/data/openmoji.js');
    const counts = await buildOpenMojiDataset(args.out, { ...common, onProgress: onProgress('pairs') });
    if (output.isTTY) output.out('\n');
    output.out(`${counts.train} training pairs and ${counts.test} test pairs in ${args.out} (OpenMoji, CC BY-SA 4.0)\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`ganvas dataset: ${error.message}\nRun \`ganvas dataset --help\` for the options.\n`);
      return 2;
    }
    output.err(`ganvas dataset: ${(error as Error).message}\n`);
    return 1;
  }
}
