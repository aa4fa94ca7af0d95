/**
 * The status bar's one-line summary of the tensor backend ("wasm · SIMD ·
 * 1 thread") and its tooltip listing what was tried and why the others
 * were skipped, so a slow machine explains itself.
 */
import { adapterSummary } from '../../../../shared/backend.js';
import type { BackendInfo } from '../../../../shared/contract.js';

export function backendLabel(info: BackendInfo): string {
  const parts = [info.active];
  if (info.active === 'wasm') parts.push(info.simd ? 'SIMD' : 'no SIMD');
  if (info.adapter) parts.push(adapterSummary(info.adapter));
  if (info.threads > 0) parts.push(`${info.threads} ${info.threads === 1 ? 'thread' : 'threads'}`);
  return parts.join(' · ');
}

export function backendTooltip(info: BackendInfo): string {
  const lines = [`Tensor backend: ${info.active} (tfjs ${info.tfjsVersion})`];
  for (const tried of info.tried) {
    lines.push(`${tried.ok ? '✓' : '✗'} ${tried.name}${tried.reason ? `: ${tried.reason}` : ''}`);
  }
  if (info.adapter) {
    const { description, device } = info.adapter;
    lines.push(`GPU adapter: ${adapterSummary(info.adapter)}${description || device ? ` — ${[description, device].filter(Boolean).join(', ')}` : ''}`);
  }
  if (info.kernelsRegistered.length) lines.push(`Added kernels: ${info.kernelsRegistered.join(', ')}`);
  return lines.join('\n');
}
