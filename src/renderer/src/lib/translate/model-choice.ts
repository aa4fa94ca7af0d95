/**
 * Which models the Translate view offers and which one it starts with: every
 * model whose family says it translates (upscalers live in the Upscale
 * view), starting with the last one chosen if it still exists, else the
 * Doodle view's default.
 */
import type { ModelInfo } from '../../../../shared/contract.js';
import { preferred } from '../doodle/model-choice.js';

export const lastTranslateModelKey = 'ganvas.translate.model';

export function translateModels(models: readonly ModelInfo[]): ModelInfo[] {
  return models.filter((model) => model.uses.includes('translate'));
}

export function chooseTranslateModel(models: readonly ModelInfo[], remembered: string | null | undefined): ModelInfo | undefined {
  const usable = translateModels(models);
  return preferred(usable, remembered);
}

/**
 * The contract's `options`: the view's own (keepSize) and the model's, as the
 * fields generated from its `translateOptionsSchema` give them.
 */
export function translateOptions(keepSize: boolean, modelOptions: Record<string, unknown>): Record<string, unknown> {
  return { keepSize, ...modelOptions };
}

export function modelLabel(model: ModelInfo): string {
  const size = model.size ? ` · ${model.size} px` : '';
  const step = model.step !== null ? ` · step ${model.step.toLocaleString()}` : '';
  return `${model.title}${size}${step}`;
}
