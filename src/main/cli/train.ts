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

import { families } from '../engine/gans/registry.js';
import type { AnyFamily } from '../engine/gans/family.js';

const DEFAULT_LOG_EVERY = 50;

function wrap(text: string, indent: number, width = 78): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** What a family's preset sets, for the help: "size 64". */
function presetText(family: AnyFamily): string {
  const entries = Object.entries(family.presets.cli);
  return entries.length ? ` (starts at ${entries.map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ')})` : '';
}

/** `ganvas train --help`, written from the registry: a new family appears here by itself. */
export function trainHelp(): string {
  const all = families.all();
  const width = Math.max(...all.map((family) => family.id.length)) + 2;
  const familyLines = all.map((family) => `  ${family.id.padEnd(width)}${wrap(`${family.datasetHelp}${presetText(family)}`, width + 2)}`).join('\n');
  const flags = all.flatMap((family) => (family.trainFlags ?? []).map((flag) => ({ ...flag, family: family.id })));
  const flagLines = flags.map((flag) => `  --${`${flag.flag} N`.padEnd(18)}${flag.family}: ${flag.help}`).join('\n');
  const example = all[0]?.id ?? '<family>';
  return `Usage: ganvas train <family> --data DIR --out RUN_DIR [options]

Trains a GAN on a folder of images. Families:
${familyLines}

Options:
  --data DIR          the training images
  --out RUN_DIR       the run folder: checkpoint/, samples/, losses.jsonl
  --size N            training image side in pixels (default: the family's)
  --steps N           total training steps (default: the family's)
  --batch N           images per step (default 1)
${flagLines ? `${flagLines}\n` : ''}  --config FILE.yaml  every hyperparameter, e.g.  ngf: 32  lr: { G: 0.0002, D: 0.0002 }
  --set KEY=VALUE     one hyperparameter (repeatable; KEY may be nested: lr.G=1e-4)
  --resume            continue the run in RUN_DIR from its checkpoint (its settings
                      are kept; flags such as --steps change them)
  --log-every N       without a terminal, print a progress line every N steps (default ${DEFAULT_LOG_EVERY})
  -h, --help          show this help

Flags override the config file. Ctrl+C stops after the current step and saves a checkpoint.

Examples:
  ganvas train ${example} --data ./my-data --out runs/first --steps 5000 --set ngf=16
  ganvas train ${example} --data ./my-data --out runs/first --resume --steps 8000
`;
}

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

/** Every family's extra flags (--scale…), parsed for all and checked against the chosen family. */
function trainFlagNames(): string[] {
  return [...new Set(families.all().flatMap((family) => (family.trainFlags ?? []).map((flag) => flag.flag)))];
}

async function parseTrainArgs(argv: string[]): Promise<TrainArgs | 'help'> {
  const parsed = parseCommandLine(argv, {
    data: { type: 'string' },
    out: { type: 'string' },
    size: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    ...Object.fromEntries(trainFlagNames().map((flag) => [flag, { type: 'string' as const }])),
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
  const family = positionals[0]!;
  if (!families.has(family)) throw new UsageError(`unknown family '${family}'; this version trains: ${families.list().map((f) => f.id).join(', ')}`);
  for (const flag of trainFlagNames()) {
    const value = wholeNumber((values as Record<string, unknown>)[flag] as string | undefined, `--${flag}`);
    if (value === undefined) continue;
    const owner = families.all().find((candidate) => candidate.id === family && candidate.trainFlags?.some((f) => f.flag === flag));
    if (!owner) throw new UsageError(`--${flag} is not a setting of ${family}; use --set KEY=VALUE for its settings`);
    requested[owner.trainFlags!.find((f) => f.flag === flag)!.key] = value;
  }
  for (const assignment of values.set ?? []) applySetting(requested, assignment);
  delete requested.family;
  return {
    family,
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
    output.out(trainHelp());
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
    const [{ initBackend }, { runTraining }] = await Promise.all([import('../engine/backend/index.js'), import('../engine/train/run.js')]);
    const family = families.get(args.family);
    const backend = await initBackend();
    const result = await runTraining({
      family,
      dataDir: args.data,
      runDir: args.out,
      requested: args.requested,
      resume: args.resume,
      freshDefaults: family.presets.cli,
      signal: stop.signal,
      onStart: ({ config, resumeFrom, summary }) =>
        output.out(
          `${family.title} on ${args.data}: ${summary}\n` +
            `${resumeFrom === null ? 'new run' : `continuing from step ${resumeFrom}`} in ${args.out}; ${config.steps} steps, ${config.size} px, batch ${config.batchSize}; backend ${backend.active}\n`,
        ),
      onWarning: (warning) => {
        if (progressLineOpen) output.out('\n');
        progressLineOpen = false;
        output.err(`warning: ${warning}\n`);
      },
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
