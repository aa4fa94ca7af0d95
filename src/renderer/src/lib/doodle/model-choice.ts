/** Which model the Doodle view uses: the last one chosen if it still exists. */
import type { ModelInfo } from '../../../../shared/contract.js';

export const lastModelKey = 'ganvas.doodle.model';
/** Pix2Pix models are trained at a fixed size; this is the bundled one's. */
export const defaultCanvasSize = 64;

export function chooseModel(models: readonly ModelInfo[], remembered: string | null | undefined): ModelInfo | undefined {
  const usable = models.filter((model) => model.family === 'pix2pix');
  return usable.find((model) => model.id === remembered) ?? usable.find((model) => model.source === 'bundled') ?? usable[0];
}

export function canvasSizeFor(model: ModelInfo | undefined): number {
  return model?.size ?? defaultCanvasSize;
}
