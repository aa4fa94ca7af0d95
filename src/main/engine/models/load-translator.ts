/**
 * Turns a catalogue location into a model ready to translate. Worker-side
 * (it loads tfjs): the inference worker, the folder job and the CLI use it.
 */
import type { FamilyConfig, GanModel } from '../gans/family.js';
import { UserFacingError } from '../errors.js';
import { loadCheckpoint } from '../train/index.js';
import { getFamily } from '../gans/registry.js';
import type { ModelLocation } from './catalogue.js';
import { loadExportedModel } from './load-exported-model.js';

export interface Translator {
  id: string;
  family: string;
  config: FamilyConfig;
  model: GanModel<FamilyConfig, unknown>;
  /** Side the model was trained at (its inputs are resized to it unless `anySize`). */
  size: number;
  /** A fully convolutional model: images go in as they are (see GanFamily.inferenceSize). */
  anySize: boolean;
  /** Set when loading had to fall back (e.g. to a run's previous checkpoint). */
  notice?: string;
  dispose(): void;
}

export async function loadTranslator(location: ModelLocation): Promise<Translator> {
  if (location.kind === 'upscaler') {
    throw new UserFacingError('unsupported', `'${location.id}' is an upscaler, not a translation model: use Upscale for it (ganvas upscale, or the Upscale view)`);
  }
  let loaded: { model: GanModel<FamilyConfig, unknown>; config: FamilyConfig; notice?: string };
  try {
    loaded = location.kind === 'exported' ? await loadExportedModel(location.dir) : await loadCheckpoint(location.runDir);
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError('failed', `Model '${location.id}' cannot be loaded: ${(error as Error).message}`);
  }
  const { model, config } = loaded;
  if (config.channels !== 3) {
    model.dispose();
    throw new UserFacingError('unsupported', `Model '${location.id}' works on ${config.channels}-channel images; GANvas translates RGB images with 3-channel models only`);
  }
  return {
    id: location.id,
    family: config.family,
    config,
    model,
    size: config.size,
    anySize: getFamily(config.family).inferenceSize === 'any',
    ...(loaded.notice !== undefined ? { notice: loaded.notice } : {}),
    dispose: () => model.dispose(),
  };
}
