/**
 * What a model card offers, and how another view learns which model to
 * preselect: the Doodle, Translate and Upscale views read these localStorage
 * keys when they open, so "Use in Doodle" is a navigation plus one stored
 * id. Which view comes from what the model is for (its family's `uses`).
 * Also which models can be deleted, and the reason shown on those that
 * cannot (the server refuses them for the same reasons).
 */
import type { ModelInfo } from '../../../../shared/contract.js';
import { lastModelKey } from '../doodle/model-choice.js';
import { lastTranslateModelKey } from '../translate/model-choice.js';

export const DOODLE_MODEL_KEY = lastModelKey;
export const TRANSLATE_MODEL_KEY = lastTranslateModelKey;
export const UPSCALE_MODEL_KEY = 'ganvas.upscale.model';

export interface ModelAction {
  label: string;
  /** Where the app goes: a view hash. */
  hash: string;
  storageKey: string;
}

export function modelAction(model: Pick<ModelInfo, 'uses'>): ModelAction | undefined {
  if (model.uses.includes('doodle')) return { label: 'Use in Doodle', hash: '#/doodle', storageKey: DOODLE_MODEL_KEY };
  if (model.uses.includes('upscale')) return { label: 'Upscale with', hash: '#/upscale', storageKey: UPSCALE_MODEL_KEY };
  if (model.uses.includes('translate')) return { label: 'Translate with', hash: '#/translate', storageKey: TRANSLATE_MODEL_KEY };
  return undefined;
}

export function sourceLabel(source: ModelInfo['source']): string {
  const labels: Record<ModelInfo['source'], string> = {
    bundled: 'bundled',
    package: 'from npm package',
    trained: 'trained here',
    imported: 'imported',
  };
  return labels[source];
}

/** Cards in the order a user looks for them: their own newest models first, then bundled, then packages. */
export function sortModels(models: readonly ModelInfo[]): ModelInfo[] {
  const rank: Record<ModelInfo['source'], number> = { trained: 0, imported: 1, bundled: 2, package: 3 };
  return [...models].sort(
    (a, b) => rank[a.source] - rank[b.source] || (b.createdAt ?? 0) - (a.createdAt ?? 0) || a.title.localeCompare(b.title),
  );
}

/** Trained runs and the user's own models can be deleted; the others are part of the install, and the card says so. */
export function deletion(model: Pick<ModelInfo, 'source'>): { allowed: true } | { allowed: false; reason: string } {
  if (model.source === 'bundled') return { allowed: false, reason: 'Ships with GANvas, so it cannot be deleted' };
  if (model.source === 'package') return { allowed: false, reason: 'Comes with an npm package: uninstall the package to remove it' };
  return { allowed: true };
}
