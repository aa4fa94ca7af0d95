/** How a running job's speed and remaining time read in the Train view. */

/** Remaining time for people: "42 s", "3 min 05 s", "2 h 05 min", "1 d 3 h"; null while there is no estimate yet. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return 'estimating…';
  const total = Math.round(seconds);
  if (total < 1) return 'under a second';
  if (total < 60) return `${total} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad(total % 60)} s`;
  const minutes = Math.round(total / 60);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
  const hours = Math.round(total / 3600);
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/**
 * Speed as iterations per second, or seconds per iteration when slower than
 * one a second (a CPU at 256 px does ~0.3 it/s, where "3.4 s/it" reads better).
 */
export function formatRate(rate: number | null | undefined, unit = 'step'): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate) || rate <= 0) return '–';
  const short = unit === 'step' ? 'it' : unit;
  if (rate >= 1) return `${rate >= 100 ? Math.round(rate) : rate.toFixed(rate >= 10 ? 1 : 2)} ${short}/s`;
  const per = 1 / rate;
  return `${per >= 100 ? Math.round(per) : per.toFixed(per >= 10 ? 1 : 2)} s/${short}`;
}

/** "1,234 / 2,000 steps". */
export function formatSteps(done: number, total: number, unit = 'step'): string {
  const units = unit.endsWith('s') ? unit : `${unit}s`;
  return total > 0 ? `${Math.floor(done).toLocaleString('en')} / ${Math.floor(total).toLocaleString('en')} ${units}` : `${Math.floor(done).toLocaleString('en')} ${units}`;
}

/** A loss value with enough digits to see it move, without a wall of decimals. */
export function formatLoss(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(2);
  return value.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}
