/**
 * `ganvas eval --model RUN_DIR --data DIR`: how well a paired (pix2pix) model
 * reproduces held-out targets, as L1, PSNR and SSIM, optionally against two
 * baselines: the untrained generator (same settings, same seed) and a
 * generator trained with L1 alone (no discriminator) for as many steps.
 * The paper's table 1 (Isola et al. 2017) makes the same L1-vs-cGAN comparison.
 * Unpaired (CycleGAN-style) models are scored both ways with KID as well
 * (eval-unpaired.ts); multi-domain (StarGAN-style) models per target domain
 * with an independent classifier's accuracy, L1/PSNR/SSIM and KID (eval-domains.ts).
 *
 * Models: run folders (with checkpoint/); unpaired models also as exported
 * model folders.
 *
 * Exit codes: 0 done, 1 failed (bad folder, unreadable model), 2 usage error.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { consoleOutput, formatDuration, type CommandOutput } from './train-output.js';
import { parseCommandLine, UsageError } from './usage.js';

export const evalHelp = `Usage: ganvas eval --model RUN_DIR --data DIR [--split test] [--baselines] [--hints 0,1,5,20] [--json]

Scores a paired (pix2pix) model on held-out pairs: L1 (mean absolute error),
PSNR (dB) and SSIM, on RGB in [0, 1]; lower L1 and higher PSNR/SSIM are better.
An unpaired (CycleGAN) model is scored both ways on testA/ and testB/: L1, PSNR
and SSIM against the image of the same name in the other folder where there is
one, and KID against the other folder's images, beside the identity mapping.
A multi-domain (StarGAN) model is scored per target domain on test/<domain>/:
every held-out image of the other domains translated into it, with the
accuracy of a domain classifier we train on the real train/ images (never the
model's discriminator), L1/PSNR/SSIM against the counterpart of the same name,
and KID against the target's real images, beside the identity mapping.
Colourfulness (Hasler & Süsstrunk 2003) says how vivid the outputs are; the
closer to the held-out targets' value, the more faithful (per-pixel scores
reward a dull average colour, which this exposes).

Options:
  --model RUN_DIR       a training run folder (with checkpoint/)
  --data DIR            the dataset (A/ and B/, or side-by-side A|B, in train/ and test/)
  --split NAME          which split to score on (default test)
  --limit N             score at most N pairs
  --baselines           also score the untrained generator and an L1-only generator
                        (no discriminator) trained on the train split for as many
                        steps as the model; it is kept in RUN_DIR/baselines/l1-only
  --baseline-steps N    train the L1-only baseline for N steps instead
  --hints LIST          paired models: score with colour hints on the sketches, for each
                        count in LIST (e.g. 0,1,5,20): that many 3×3 points in the true
                        target's colours, the same points for every model (fixed seed);
                        adds the "flood the hints into their regions" baseline, which
                        needs no network
  --compare DIR         paired models: also score this model (a model folder or a run
                        folder), e.g. the unguided model a hint model should beat;
                        may be given more than once
  --features NAME       unpaired models: the feature network for KID, inception-v3
                        (default), mobilenet-v2 (faster) or none
  --classifier-steps N  multi-domain models: training steps of the domain classifier (default 1500)
  --json                print the results as JSON
  -h, --help            show this help
`;

interface EvalArgs {
  model: string;
  data: string;
  split: string;
  limit?: number;
  baselines: boolean;
  baselineSteps?: number;
  json: boolean;
  features: 'inception-v3' | 'mobilenet-v2' | 'none';
  classifierSteps?: number;
  /** Hint counts to score at; empty: plain sketches only. */
  hints: number[];
  compare: string[];
}

export interface EvalRow {
  name: string;
  /** Colour hint points on each sketch (absent: scored without --hints). */
  hints?: number;
  /** Training steps of the scored generator (0 for the untrained one). */
  step: number;
  l1: number;
  psnr: number;
  ssim: number;
  /** Mean colourfulness of the outputs (Hasler & Süsstrunk 2003); compare with the targets'. */
  colourfulness: number;
}

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}

function parseEvalArgs(argv: string[]): EvalArgs | 'help' {
  const parsed = parseCommandLine(
    argv,
    {
      model: { type: 'string' },
      data: { type: 'string' },
      split: { type: 'string', default: 'test' },
      limit: { type: 'string' },
      baselines: { type: 'boolean', default: false },
      'baseline-steps': { type: 'string' },
      json: { type: 'boolean', default: false },
      features: { type: 'string', default: 'inception-v3' },
      'classifier-steps': { type: 'string' },
      hints: { type: 'string' },
      compare: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    { allowPositionals: false },
  );
  const { values } = parsed;
  if (values.help) return 'help';
  if (!values.model) throw new UsageError('--model RUN_DIR is required');
  if (!values.data) throw new UsageError('--data DIR is required');
  const limit = positive(values.limit, '--limit');
  const baselineSteps = positive(values['baseline-steps'], '--baseline-steps');
  const classifierSteps = positive(values['classifier-steps'], '--classifier-steps');
  const features = values.features ?? 'inception-v3';
  if (features !== 'inception-v3' && features !== 'mobilenet-v2' && features !== 'none') {
    throw new UsageError(`--features must be inception-v3, mobilenet-v2 or none, got "${features}"`);
  }
  const hints =
    values.hints === undefined
      ? []
      : values.hints.split(',').map((text) => {
          const n = Number(text.trim());
          if (!Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError(`--hints takes counts 0–1000 separated by commas, got "${values.hints}"`);
          return n;
        });
  return {
    features,
    hints,
    compare: (values.compare ?? []).map((dir) => resolve(dir)),
    model: resolve(values.model),
    data: resolve(values.data),
    split: values.split ?? 'test',
    baselines: values.baselines ?? false,
    json: values.json ?? false,
    ...(limit !== undefined ? { limit } : {}),
    ...(baselineSteps !== undefined ? { baselineSteps } : {}),
    ...(classifierSteps !== undefined ? { classifierSteps } : {}),
  };
}

/** A paired model to compare with: a run folder (its checkpoint) or an exported model folder. */
async function loadPairedModel(dir: string, loadCheckpoint: typeof import('../engine/train/index.js').loadCheckpoint) {
  const name = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
  if (await stat(join(dir, 'checkpoint')).catch(() => null)) {
    const loaded = await loadCheckpoint(dir);
    if (loaded.family.dataset !== 'paired') throw new Error(`--compare ${dir}: a ${loaded.family.title} model is not a paired model`);
    return { name, step: loaded.step, model: loaded.model };
  }
  const { loadExportedModel } = await import('../engine/models/load-exported-model.js');
  const exported = await loadExportedModel(dir);
  if (exported.family.dataset !== 'paired') {
    exported.model.dispose();
    throw new Error(`--compare ${dir}: a ${exported.family.title} model is not a paired model`);
  }
  return { name, step: exported.manifest.step ?? 0, model: exported.model };
}

/** The family a run folder's checkpoint names, read without loading it. */
async function familyOfRun(runDir: string) {
  const [{ readRunManifest }, { families }] = await Promise.all([import('../engine/train/checkpoint/manifest.js'), import('../engine/gans/registry.js')]);
  const found = await readRunManifest(runDir);
  return found && families.has(found.manifest.family) ? families.get(found.manifest.family) : undefined;
}

function table(rows: EvalRow[], images: number, split: string, targetColourfulness: number): string {
  const withHints = rows.some((row) => row.hints !== undefined);
  const header = ['model', ...(withHints ? ['hints'] : []), 'steps', 'L1 ↓', 'PSNR dB ↑', 'SSIM ↑', 'colourfulness'];
  const cells = rows.map((row) => [
    row.name,
    ...(withHints ? [String(row.hints ?? 0)] : []),
    String(row.step),
    row.l1.toFixed(4),
    row.psnr.toFixed(2),
    row.ssim.toFixed(4),
    row.colourfulness.toFixed(1),
  ]);
  cells.push(['held-out targets', ...(withHints ? [''] : []), '', '', '', '', targetColourfulness.toFixed(1)]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i]!.length)));
  const line = (cell: string[]) => cell.map((text, i) => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ');
  return [`${images} held-out pairs (split ${split})`, line(header), ...cells.map(line)].join('\n') + '\n';
}

export async function evalCommand(argv: string[], output: CommandOutput = consoleOutput()): Promise<number> {
  let args: EvalArgs | 'help';
  try {
    args = parseEvalArgs(argv);
  } catch (error) {
    output.err(`ganvas eval: ${(error as Error).message}\nRun \`ganvas eval --help\` for the options.\n`);
    return 2;
  }
  if (args === 'help') {
    output.out(evalHelp);
    return 0;
  }
  const say = (text: string) => {
    if (!args.json) output.err(text);
  };
  try {
    const [{ initBackend }, { loadCheckpoint, train }, { openPairedDataset }, { evaluatePaired }, { openTrainingData }, { parseFamilyConfig }] =
      await Promise.all([
        import('../engine/backend/index.js'),
        import('../engine/train/index.js'),
        import('../engine/data/index.js'),
        import('../engine/train/paired-evaluation.js'),
        import('../engine/train/training-data.js'),
        import('../engine/gans/family.js'),
      ]);
    await initBackend();
    const isRun = !!(await stat(join(args.model, 'checkpoint')).catch(() => null));
    const isExported = !isRun && !!(await stat(join(args.model, 'model.json')).catch(() => null));
    if (!isRun && !isExported) throw new Error(`${args.model} is neither a training run folder (with checkpoint/) nor a model folder (with model.json)`);
    const runFamily = isRun ? await familyOfRun(args.model) : undefined;
    if (isExported || runFamily?.dataset === 'unpaired' || runFamily?.dataset === 'domains') {
      const [{ loadCheckpointForInference }, { loadExportedModel }, { evalUnpaired }, { evalDomains }] = await Promise.all([
        import('../engine/train/index.js'),
        import('../engine/models/load-exported-model.js'),
        import('./eval-unpaired.js'),
        import('./eval-domains.js'),
      ]);
      const model = isRun ? await loadCheckpointForInference(args.model) : await loadExportedModel(args.model);
      const step = 'step' in model ? model.step : (model.manifest.step ?? 0);
      try {
        const loadedModel = { model: model.model, family: model.family, config: model.config, step };
        if (model.family.dataset === 'domains') return await evalDomains({ ...args, model: args.model }, loadedModel, output);
        if (model.family.dataset !== 'unpaired') throw new Error(`${model.family.title} model folders cannot be scored yet; give its training run folder`);
        return await evalUnpaired({ ...args, model: args.model }, { model: model.model, family: model.family, config: model.config, step }, output);
      } finally {
        model.model.dispose();
      }
    }
    const loaded = await loadCheckpoint(args.model);
    const { family, config } = loaded;
    if (family.dataset !== 'paired') throw new Error(`${family.title} is neither a paired nor an unpaired model; eval scores those two kinds`);
    const held = await openPairedDataset(args.data, { size: config.size, loadSize: config.size, flip: false, seed: config.seed, split: args.split });
    for (const warning of held.warnings) say(`warning: ${warning}\n`);
    const count = Math.min(held.size, args.limit ?? Infinity);
    const { hintedPairs, floodBaseline } = await import('../engine/train/hinted-evaluation.js');
    const pairs = (hints: number | undefined) => hintedPairs(count, (i) => held.batchAt(i, 1), hints ?? 0);
    const hintCounts: (number | undefined)[] = args.hints.length > 0 ? args.hints : [undefined];

    const rows: EvalRow[] = [];
    let targetColourfulness = 0;
    const score = async (name: string, step: number, model: Parameters<typeof evaluatePaired>[0]): Promise<void> => {
      for (const hints of hintCounts) {
        const { l1, psnr, ssim, colourfulness, targetColourfulness: targets } = await evaluatePaired(model, pairs(hints));
        rows.push({ name, ...(hints !== undefined ? { hints } : {}), step, l1, psnr, ssim, colourfulness });
        targetColourfulness = targets;
      }
    };
    try {
      await score('trained', loaded.step, loaded.model);
    } finally {
      loaded.model.dispose();
    }
    for (const dir of args.compare) {
      const other = await loadPairedModel(dir, loadCheckpoint);
      try {
        await score(other.name, other.step, other.model);
      } finally {
        other.model.dispose();
      }
    }
    if (args.hints.some((n) => n > 0)) {
      const flood = floodBaseline(config);
      for (const hints of args.hints.filter((n) => n > 0)) {
        const { l1, psnr, ssim, colourfulness } = await evaluatePaired(flood, pairs(hints));
        rows.push({ name: 'flood hints (no network)', hints, step: 0, l1, psnr, ssim, colourfulness });
      }
    }
    if (args.baselines) {
      const untrained = (await family.loadModel()).buildInference(config);
      try {
        await score('untrained', 0, untrained);
      } finally {
        untrained.dispose();
      }
      const steps = args.baselineSteps ?? loaded.step;
      const scale = steps / config.steps;
      const l1Only = parseFamilyConfig(family, {
        ...config,
        ganWeight: 0,
        steps,
        ...(config.decayFrom !== undefined ? { decayFrom: Math.round(config.decayFrom * scale) } : {}),
      }) as typeof config & { ganWeight?: number };
      if (l1Only.ganWeight !== 0) throw new Error(`${family.title} has no L1-only setting (ganWeight), so --baselines cannot train that baseline`);
      const baselineDir = join(args.model, 'baselines', `l1-only-${steps}`);
      const training = await openTrainingData(family, args.data, l1Only);
      say(`training the L1-only baseline for ${steps} steps in ${baselineDir} …\n`);
      const { hasCheckpoint } = await import('../engine/train/index.js');
      const trained = await train({ family, config: l1Only, data: training.data, outDir: baselineDir, resume: await hasCheckpoint(baselineDir) });
      say(`  done in ${formatDuration(trained.elapsedSeconds)}\n`);
      const baseline = await loadCheckpoint(baselineDir, { family });
      try {
        await score('L1 only (no D)', baseline.step, baseline.model);
      } finally {
        baseline.model.dispose();
      }
    }
    const images = count;
    if (args.json) output.out(`${JSON.stringify({ model: args.model, data: args.data, split: held.split ?? null, images, targetColourfulness, results: rows }, null, 2)}\n`);
    else output.out(table(rows, images, held.split ?? '(whole folder)', targetColourfulness));
    return 0;
  } catch (error) {
    output.err(`ganvas eval: ${(error as Error).message}\n`);
    return 1;
  }
}
