/**
 * What every scripts/train-bundled-*.ts shares: the command line (RUN_DIR,
 * --steps, --seed, --set KEY=VALUE …, plus a script's own options), and one
 * resumable run through the same `runTraining` the CLI and the studio's
 * training job use, logged every 50 steps.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { applySetting } from '../src/main/cli/train.js';
import type { AnyFamily } from '../src/main/engine/gans/family.js';
import { runTraining, type TrainingRunRequest } from '../src/main/engine/train/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The script's command line: the run folder (default `defaultRunDir`, which may depend on the options), the shared options and `extra`. */
export function bundledArgs<E extends Options>(defaultRunDir: string | ((values: Record<string, unknown>) => string), extra: E = {} as E) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { steps: { type: 'string' }, seed: { type: 'string' }, set: { type: 'string', multiple: true }, ...extra },
  });
  const shared = values as { steps?: string; seed?: string; set?: string[] };
  return {
    runDir: resolve(positionals[0] ?? (typeof defaultRunDir === 'string' ? defaultRunDir : defaultRunDir(values))),
    values,
    steps: (fallback: number) => Number(shared.steps ?? fallback),
    seed: Number(shared.seed ?? 7),
    sets: shared.set ?? [],
  };
}

/** Trains (or resumes, when the run folder has a checkpoint) with `requested` and the --set assignments over it. */
export async function runBundledTraining(request: {
  family: AnyFamily;
  dataDir: string;
  runDir: string;
  requested: Record<string, unknown>;
  sets: readonly string[];
  /** Passed to runTraining (a warm start of a fresh run). */
  wrapModule?: TrainingRunRequest['wrapModule'];
  /** Decimals of the logged losses (default 3). */
  digits?: number;
}): Promise<void> {
  const requested = { ...request.requested };
  for (const assignment of request.sets) applySetting(requested, assignment);
  const started = Date.now();
  const result = await runTraining({
    family: request.family,
    dataDir: request.dataDir,
    runDir: request.runDir,
    requested,
    resume: existsSync(join(request.runDir, 'checkpoint')),
    ...(request.wrapModule ? { wrapModule: request.wrapModule } : {}),
    onStart: ({ config, resumeFrom, summary }) => console.log(`${summary}; ${resumeFrom === null ? 'new run' : `from step ${resumeFrom}`}; config ${JSON.stringify(config)}`),
    onWarning: (warning) => console.log(`warning: ${warning}`),
    onProgress: (p) => {
      if (p.step % 50 === 0) {
        const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(request.digits ?? 3)}`).join('  ');
        console.log(`step ${p.step}/${p.totalSteps}  ${losses}  ${p.stepsPerSecond.toFixed(2)} it/s  eta ${Math.round(p.etaSeconds / 60)} min`);
      }
    },
  });
  console.log(`${result.status} at step ${result.step} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
