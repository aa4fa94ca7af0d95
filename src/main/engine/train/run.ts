/**
 * The one training entry the CLI (`ganvas train`) and the studio's train job
 * share: resolve and validate the run's settings once (fresh, or the
 * checkpoint's with the user's changes), open the family's dataset, load its
 * model module, and train, passing the parsed config on. What differs
 * between the two callers (printing to a terminal, reporting job progress)
 * comes in as callbacks.
 */
import type { AnyFamily, FamilyConfig, FamilyModule } from '../gans/family.js';
import { resolveRunConfig } from './run-config.js';
import { openTrainingData } from './training-data.js';
import { train, type TrainProgress, type TrainResult } from './train.js';

export interface TrainingRunRequest {
  family: AnyFamily;
  /** The training images. */
  dataDir: string;
  /** The run folder: checkpoint/, samples/, losses.jsonl. */
  runDir: string;
  /** What the user set; the rest comes from the checkpoint (resume) or the family defaults. */
  requested: Record<string, unknown>;
  resume: boolean;
  /**
   * Wraps the family's model module before training (a script that starts a
   * fresh run's generator from an earlier model's weights); default: as loaded.
   */
  wrapModule?(module: FamilyModule): FamilyModule;
  /** Under `requested` for a fresh run (e.g. the family's CLI preset). */
  freshDefaults?: Record<string, unknown>;
  signal?: AbortSignal;
  isPaused?(): boolean | Promise<boolean>;
  /** Once the settings and data are known, before the first step. */
  onStart?(start: TrainingRunStart): void;
  onProgress?(progress: TrainProgress): void;
  onSample?(file: string, step: number): void;
  /** A problem with the data the user may want to fix (skipped files…), as it is found. */
  onWarning?(warning: string): void;
}

export interface TrainingRunStart {
  config: FamilyConfig;
  /** The checkpoint's step when the run continues, else null. */
  resumeFrom: number | null;
  /** One line about the data: "412 pairs (A/ and B/ folders, split train)". */
  summary: string;
}

export async function runTraining(request: TrainingRunRequest): Promise<TrainResult & TrainingRunStart> {
  const { family } = request;
  const opened = await resolveRunConfig(family, {
    runDir: request.runDir,
    requested: request.requested,
    resume: request.resume,
    ...(request.freshDefaults !== undefined ? { freshDefaults: request.freshDefaults } : {}),
  });
  const training = await openTrainingData(family, request.dataDir, opened.config);
  // What only the data knows (a domain dataset's domain names) goes into the config the run records.
  const config: FamilyConfig = family.withDataFacts ? family.withDataFacts(opened.config, training.facts) : opened.config;
  const loadedModule = (await family.loadModel()) as FamilyModule;
  const module = request.wrapModule ? request.wrapModule(loadedModule) : loadedModule;
  const { resumeFrom } = opened;
  const start: TrainingRunStart = { config, resumeFrom, summary: training.summary };
  request.onStart?.(start);
  let warned = 0;
  const reportWarnings = () => {
    for (const warning of training.warnings.slice(warned)) request.onWarning?.(warning);
    warned = training.warnings.length;
  };
  reportWarnings();
  const result = await train({
    family,
    module,
    config,
    data: training.data,
    outDir: request.runDir,
    resume: resumeFrom !== null,
    ...(request.signal !== undefined ? { signal: request.signal } : {}),
    ...(request.isPaused !== undefined ? { isPaused: request.isPaused } : {}),
    onProgress: (progress) => {
      reportWarnings();
      request.onProgress?.(progress);
    },
    ...(request.onSample !== undefined ? { onSample: request.onSample } : {}),
  });
  reportWarnings();
  return { ...result, ...start };
}
