/**
 * `ganvas train <family> --data DIR --out RUN_DIR …`: trains in this process
 * (no worker: the terminal is the UI). Every hyperparameter can come from a
 * YAML file; flags override it. Ctrl+C finishes the current step, writes the
 * checkpoint and exits 130; `--resume` continues from it.
 *
 * Exit codes: 0 trained, 1 the run could not start or failed (bad folder,
 * bad settings, checkpoint mismatch), 2 usage error, 130 stopped by Ctrl+C.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { consoleOutput, formatDuration, type CommandOutput } from './train-output.js';
import { parseCommandLine, UsageError } from './usage.js';

const DEFAULT_SIZE = 64;
const DEFAULT_LOG_EVERY = 50;

export const trainHelp = `Usage: ganvas train <family> --data DIR --out RUN_DIR [options]

Trains a GAN on a folder of images. Families:
  pix2pix  paired A/ and B/ folders, or side-by-side A|B images
           (train/ and test/ sub-folders are used when present)
  srgan    any folder of high-resolution photos; low-resolution inputs are
           made by bicubic downscaling (--size is the high-res patch side)

Options:
  --data DIR          the training images
  --out RUN_DIR       the run folder: checkpoint/, samples/, losses.jsonl
  --size N            training image side in pixels (default ${DEFAULT_SIZE}; pix2pix: a power of two)
  --steps N           total training steps (default: the family's, pix2pix 10000)
  --batch N           images per step (default 1)
  --scale N           super-resolution factor for srgan: 2, 3 or 4 (default 4)
  --config FILE.yaml  every hyperparameter, e.g.  ngf: 32  lr: { G: 0.0002, D: 0.0002 }
  --set KEY=VALUE     one hyperparameter (repeatable; KEY may be nested: lr.G=1e-4)
  --resume            continue the run in RUN_DIR from its checkpoint (its settings
                      are kept; flags such as --steps change them)
  --log-every N       without a terminal, print a progress line every N steps (default ${DEFAULT_LOG_EVERY})
  -h, --help          show this help

Flags override the config file. Ctrl+C stops after the current step and saves a checkpoint.

Examples:
  ganvas dataset openmoji --out emoji-64 --size 64
  ganvas train pix2pix --data emoji-64 --out runs/emoji --steps 5000 --set ngf=16
  ganvas train pix2pix --data emoji-64 --out runs/emoji --resume --steps 8000
  ganvas train srgan --data ~/Pictures/hr --out runs/sr --scale 4 --size 96
`;

interface TrainArgs {
  family: string;
  data: string;
  out: string;
  resume: boolean;
  logEvery: number;
  /** Settings from the config file and flags, flags last. */
  requested: Record<string, unknown>;
  configFile?: string;
}

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}

/** `lr.G=1e-4` → { lr: { G: 0.0001 } }; values are read as YAML, so numbers and booleans keep their type. */
export function applySetting(target: Record<string, unknown>, assignment: string): void {
  const at = assignment.indexOf('=');
  if (at <= 0) throw new UsageError(`--set needs KEY=VALUE, got "${assignment}"`);
  const keys = assignment.slice(0, at).trim().split('.');
  if (keys.some((key) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))) throw new UsageError(`--set: "${assignment.slice(0, at)}" is not a setting name`);
  const raw = assignment.slice(at + 1);
  let value: unknown;
  try {
    value = parseYaml(raw) as unknown;
  } catch {
    value = raw;
  }
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = parseYaml(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: a config file is a mapping of settings (key: value lines)`);
  return value as Record<string, unknown>;
}

async function parseTrainArgs(argv: string[]): Promise<TrainArgs | 'help'> {
  const parsed = parseCommandLine(argv, {
    data: { type: 'string' },
    out: { type: 'string' },
    size: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    scale: { type: 'string' },
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    resume: { type: 'boolean', default: false },
    'log-every': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the family to train, e.g. `ganvas train pix2pix`' : `one family at a time, got ${positionals.join(' ')}`);
  if (!values.data) throw new UsageError('--data DIR is required: the folder with the training images');
  if (!values.out) throw new UsageError('--out RUN_DIR is required: the folder for checkpoints and samples');
  const requested = values.config ? await readConfigFile(values.config) : {};
  const size = wholeNumber(values.size, '--size');
  const steps = wholeNumber(values.steps, '--steps');
  const batch = wholeNumber(values.batch, '--batch');
  if (size !== undefined) requested.size = size;
  if (steps !== undefined) requested.steps = steps;
  if (batch !== undefined) requested.batchSize = batch;
  const scale = wholeNumber(values.scale, '--scale');
  if (scale !== undefined) requested.scale = scale;
  for (const assignment of values.set ?? []) applySetting(requested, assignment);
  delete requested.family;
  return {
    family: positionals[0]!,
    data: resolve(values.data),
    out: resolve(values.out),
    resume: values.resume ?? false,
    logEvery: wholeNumber(values['log-every'], '--log-every') ?? DEFAULT_LOG_EVERY,
    requested,
    ...(values.config ? { configFile: values.config } : {}),
  };
}

function lossText(losses: Record<string, number>): string {
  return Object.entries(losses)
    .map(([name, value]) => `${name} ${value.toFixed(3)}`)
    .join('  ');
}

export async function trainCommand(argv: string[], output: CommandOutput = consoleOutput()): Promise<number> {
  let args: TrainArgs | 'help';
  try {
    args = await parseTrainArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`ganvas train: ${error.message}\nRun \`ganvas train --help\` for the options.\n`);
      return 2;
    }
    output.err(`ganvas train: ${(error as Error).message}\n`);
    return 1;
  }
  if (args === 'help') {
    output.out(trainHelp);
    return 0;
  }

  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) return;
    output.err('\nstopping after this step (Ctrl+C again does not hurry it: the checkpoint is being written)…\n');
    stop.abort();
  };
  const external = output.signal;
  external?.addEventListener('abort', onSigint, { once: true });
  if (!external) process.on('SIGINT', onSigint);
  let progressLineOpen = false;
  try {
    const [{ initBackend }, { families }, { resolveRunConfig }, { openTrainingData }, { train }] = await Promise.all([
      import('../engine/backend/index.js'),
      import('../engine/gans/registry.js'),
      import('../engine/train/run-config.js'),
      import('../engine/train/training-data.js'),
      import('../engine/train/index.js'),
    ]);
    if (!families.has(args.family)) {
      output.err(`ganvas train: unknown family '${args.family}'; this version trains: ${families.list().map((f) => f.id).join(', ')}\n`);
      return 2;
    }
    const family = families.get(args.family);
    const { config, resumeFrom } = await resolveRunConfig(family, {
      runDir: args.out,
      requested: args.requested,
      resume: args.resume,
      freshDefaults: { size: DEFAULT_SIZE },
    });
    const training = await openTrainingData(family, args.data, config);
    const backend = await initBackend();
    output.out(
      `${family.title} on ${args.data}: ${training.summary}\n` +
        `${resumeFrom === null ? 'new run' : `continuing from step ${resumeFrom}`} in ${args.out}; ${config.steps} steps, ${config.size} px, batch ${config.batchSize}; backend ${backend.active}\n`,
    );
    for (const warning of training.warnings) output.err(`warning: ${warning}\n`);
    const warningsShown = training.warnings.length;

    const result = await train({
      family,
      config,
      data: training.data,
      outDir: args.out,
      resume: resumeFrom !== null,
      signal: stop.signal,
      onProgress: (p) => {
        const line = `step ${p.step}/${p.totalSteps}  ${lossText(p.losses)}  ${p.stepsPerSecond.toFixed(2)} it/s  ETA ${formatDuration(p.etaSeconds)}`;
        if (output.isTTY) {
          output.out(`\r${line}\x1b[K`);
          progressLineOpen = true;
        } else if (p.step % args.logEvery === 0 || p.step === p.totalSteps) {
          output.out(`${line}\n`);
        }
      },
    });
    if (progressLineOpen) output.out('\n');
    for (const warning of training.warnings.slice(warningsShown)) output.err(`warning: ${warning}\n`);
    if (result.notice !== undefined) output.err(`${result.notice}\n`);
    if (result.status === 'cancelled') {
      output.out(`stopped at step ${result.step}; resume with --resume\n`);
      return 130;
    }
    output.out(`trained ${result.step} steps in ${formatDuration(result.elapsedSeconds)}; checkpoint in ${result.checkpointDir}\n`);
    return 0;
  } catch (error) {
    if (progressLineOpen) output.out('\n');
    output.err(`ganvas train: ${(error as Error).message}\n`);
    return 1;
  } finally {
    external?.removeEventListener('abort', onSigint);
    if (!external) process.off('SIGINT', onSigint);
  }
}
