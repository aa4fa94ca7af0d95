/**
 * The losses of a training job over steps, as the Train view collects them
 * from `job.progress` events. Events are throttled, so not every step
 * arrives; a repeated or older step (a resumed job reports its first step
 * again) replaces or is ignored rather than drawing a line backwards.
 */
import type { LossPoint } from '../../../../shared/contract.js';

export type { LossPoint };

export type LossHistory = Record<string, LossPoint[]>;

/** Enough for any chart width; older points are thinned, never the newest. */
export const MAX_POINTS_PER_LOSS = 4000;

export function appendLosses(history: LossHistory, step: number, losses: Record<string, number> | undefined): boolean {
  if (!losses || !Number.isFinite(step)) return false;
  let changed = false;
  for (const [name, value] of Object.entries(losses)) {
    if (!Number.isFinite(value)) continue;
    const points = (history[name] ??= []);
    const last = points[points.length - 1];
    if (last && step < last.step) continue;
    if (last && step === last.step) {
      if (last.value !== value) {
        points[points.length - 1] = { step, value };
        changed = true;
      }
      continue;
    }
    points.push({ step, value });
    if (points.length > MAX_POINTS_PER_LOSS) thinOlderHalf(points);
    changed = true;
  }
  return changed;
}

/**
 * Puts points read back from the run's history (`train.history`) in front of
 * those that arrived live: only points older than a curve's first live point
 * are taken, so nothing is drawn twice and live values win.
 */
export function prependLosses(history: LossHistory, earlier: Readonly<Record<string, readonly LossPoint[]>>): boolean {
  let changed = false;
  for (const [name, points] of Object.entries(earlier)) {
    const current = (history[name] ??= []);
    const firstLive = current[0]?.step ?? Infinity;
    const older = points.filter((point) => point.step < firstLive && Number.isFinite(point.value));
    if (older.length === 0) continue;
    current.unshift(...older);
    while (current.length > MAX_POINTS_PER_LOSS) thinOlderHalf(current);
    changed = true;
  }
  return changed;
}

/** Drops every other point of the older half: memory stays bounded and the recent curve stays exact. */
function thinOlderHalf(points: LossPoint[]): void {
  const half = Math.floor(points.length / 2);
  const kept = points.slice(0, half).filter((_, index) => index % 2 === 0);
  points.splice(0, half, ...kept);
}
