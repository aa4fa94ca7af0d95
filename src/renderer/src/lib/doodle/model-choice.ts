/**
 * Which model the Doodle view uses: the last one chosen if it still exists,
 * else the default bundled model, else any bundled one, else the first.
 */
import type { ModelInfo } from '../../../../shared/contract.js';

export const lastModelKey = 'ganvas.doodle.model';
/**
 * The bundled model that follows the colours painted on the canvas, and without them scores as well as the
 * unguided one on held-out sketches (its card in models/ says by how much); the unguided and `-vivid` are the others.
 */
export const defaultModelId = 'bundled:pix2pix-openmoji-64-hints';
/** Pix2Pix models are trained at a fixed size; this is the bundled one's. */
export const defaultCanvasSize = 64;

export function chooseModel(models: readonly ModelInfo[], remembered: string | null | undefined): ModelInfo | undefined {
  const usable = models.filter((model) => model.uses.includes('doodle'));
  return preferred(usable, remembered);
}

/** The remembered model, the default bundled one, any bundled one, or the first: whichever exists first. */
export function preferred(usable: readonly ModelInfo[], remembered: string | null | undefined): ModelInfo | undefined {
  return (
    usable.find((model) => model.id === remembered) ??
    usable.find((model) => model.id === defaultModelId) ??
    usable.find((model) => model.source === 'bundled') ??
    usable[0]
  );
}

export function canvasSizeFor(model: ModelInfo | undefined): number {
  return model?.size ?? defaultCanvasSize;
}
