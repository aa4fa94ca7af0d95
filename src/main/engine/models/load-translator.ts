/**
 * Turns a catalogue location into a model ready to translate: only the
 * networks inference needs, no discriminators, no optimizer state.
 * Worker-side (it loads tfjs): the inference worker, the folder job and the
 * CLI use it.
 */
import { parseTranslateOptions, type AnyFamily, type FamilyConfig, type InferenceModel } from '../gans/family.js';
import { UserFacingError } from '../errors.js';
import { loadCheckpointForInference } from '../train/index.js';
import type { ModelLocation } from './catalogue.js';
import { loadExportedModel } from './load-exported-model.js';

export interface Translator {
  id: string;
  family: AnyFamily;
  config: FamilyConfig;
  model: InferenceModel<FamilyConfig>;
  /** Side the model was trained at (its inputs are resized to it unless `anySize`). */
  size: number;
  /** A fully convolutional model: images go in as they are (see FamilyDescriptor.inferenceSize). */
  anySize: boolean;
  /** Set when loading had to fall back (e.g. to a run's previous checkpoint). */
  notice?: string;
  /** Checks translate options against this model's family (and config); a UserFacingError 'invalid_request' when they do not fit. */
  options(raw: unknown): Record<string, unknown>;
  dispose(): void;
}

export async function loadTranslator(location: ModelLocation): Promise<Translator> {
  if (location.kind === 'upscaler') {
    throw new UserFacingError('unsupported', `'${location.id}' is an upscaler, not a translation model: use Upscale for it (ganvas upscale, or the Upscale view)`);
  }
  let loaded: { model: InferenceModel<FamilyConfig>; family: AnyFamily; config: FamilyConfig; notice?: string };
  try {
    loaded = location.kind === 'exported' ? await loadExportedModel(location.dir) : await loadCheckpointForInference(location.runDir);
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError('failed', `Model '${location.id}' cannot be loaded: ${(error as Error).message}`);
  }
  const { model, config, family } = loaded;
  if (config.channels !== 3) {
    model.dispose();
    throw new UserFacingError('unsupported', `Model '${location.id}' works on ${config.channels}-channel images; GANvas translates RGB images with 3-channel models only`);
  }
  return {
    id: location.id,
    family,
    config,
    model,
    size: config.size,
    anySize: family.inferenceSize === 'any',
    ...(loaded.notice !== undefined ? { notice: loaded.notice } : {}),
    options: (raw) => parseTranslateOptions(family, raw, config),
    dispose: () => model.dispose(),
  };
}
