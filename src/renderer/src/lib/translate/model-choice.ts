/**
 * Which models the Translate view offers and which one it starts with: every
 * image-to-image model (ESRGAN only upscales, so it lives in the Upscale
 * view), starting with the last one chosen if it still exists, else the
 * Doodle view's default.
 */
import type { ModelInfo } from '../../../../shared/contract.js';
import { preferred } from '../doodle/model-choice.js';

export const lastTranslateModelKey = 'ganvas.translate.model';

export function translateModels(models: readonly ModelInfo[]): ModelInfo[] {
  return models.filter((model) => model.family !== 'esrgan');
}

export function chooseTranslateModel(models: readonly ModelInfo[], remembered: string | null | undefined): ModelInfo | undefined {
  const usable = translateModels(models);
  return preferred(usable, remembered);
}

/** The user's settings, as the contract's `options`: only what the model's family understands. */
export interface TranslateSettings {
  /** Give the result the input's size when the model works at another size. */
  keepSize: boolean;
  /** Pix2Pix: dropout at test time, so results vary (pix2pix paper, section 3.3). */
  noise: boolean;
}

export function translateOptions(model: Pick<ModelInfo, 'family'> | undefined, settings: TranslateSettings): Record<string, unknown> {
  const options: Record<string, unknown> = { keepSize: settings.keepSize };
  if (model?.family === 'pix2pix' && settings.noise) options['noise'] = true;
  return options;
}

export function modelLabel(model: ModelInfo): string {
  const size = model.size ? ` · ${model.size} px` : '';
  const step = model.step !== null ? ` · step ${model.step.toLocaleString()}` : '';
  return `${model.title}${size}${step}`;
}
