/**
 * Which of a family's presets a new run in the Train form starts from, and
 * the line that says so. A GPU backend runs the papers' settings in
 * reasonable time; on a CPU backend they take hours, so the form starts
 * from the family's CPU preset and says how to get the paper's.
 */
import { isGpuBackend } from '../../../../shared/backend.js';
import type { FamilyInfo } from '../../../../shared/contract.js';

/** Which preset a backend gets: shared/backend.ts says what counts as a GPU. */
export function machineKind(backend: string | undefined, adapter?: { software: boolean }): 'cpu' | 'gpu' {
  return isGpuBackend(backend, adapter) ? 'gpu' : 'cpu';
}

function presetText(preset: Record<string, unknown>): string {
  return Object.entries(preset)
    .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}

export function presetNote(family: Pick<FamilyInfo, 'presets' | 'title'>, machine: 'cpu' | 'gpu', backend: string | undefined): string {
  const preset = family.presets[machine];
  const on = backend ? ` (${backend})` : '';
  if (Object.keys(preset).length === 0) {
    return machine === 'gpu' ? `Starts from the paper's settings: this machine trains on a GPU${on}.` : `Starts from the family's defaults.`;
  }
  const where = machine === 'cpu' ? `this machine computes on its CPU${on}, where the paper's settings take hours` : `tuned for a GPU${on}`;
  return `Starts smaller than the paper (${presetText(preset)}): ${where}. Advanced has the paper's defaults.`;
}
