/**
 * The geometry of the loss chart: scales, SVG paths and ticks, computed
 * here so the component only draws and the scaling is unit-tested.
 *
 * Noisy GAN losses over thousands of steps would be more points than pixels:
 * long series are averaged in buckets of steps, which also smooths the noise,
 * but the newest point is always the exact last value (it is highlighted).
 */
import type { LossHistory, LossPoint } from './loss-history.js';

export interface ChartBox {
  width: number;
  height: number;
  /** Room for tick labels: left, right, top, bottom. */
  margin: { left: number; right: number; top: number; bottom: number };
}

export interface ChartLine {
  name: string;
  /** SVG path data; separate segments where log scale had to skip a non-positive value. */
  path: string;
  /** The newest point, exact. */
  last: { x: number; y: number; step: number; value: number } | undefined;
  /** Points a log scale cannot show (zero or negative). */
  hidden: number;
}

export interface Tick {
  /** Position along the axis in SVG units. */
  at: number;
  label: string;
}

export interface ChartGeometry {
  lines: ChartLine[];
  xTicks: Tick[];
  yTicks: Tick[];
  /** The value range drawn (after padding); for tests and titles. */
  yDomain: [number, number];
  xDomain: [number, number];
}

/** At most about one point per two pixels. */
export function bucketAverage(points: readonly LossPoint[], maxPoints: number): LossPoint[] {
  if (points.length <= maxPoints || maxPoints < 2) return [...points];
  const first = points[0]!.step;
  const last = points[points.length - 1]!.step;
  const span = Math.max(1, last - first);
  const buckets = maxPoints - 1;
  const out: LossPoint[] = [];
  let sumStep = 0;
  let sumValue = 0;
  let count = 0;
  let bucket = 0;
  // The last point is kept exact, so buckets cover every point before it.
  for (const point of points.slice(0, -1)) {
    const b = Math.min(buckets - 1, Math.floor(((point.step - first) / span) * buckets));
    if (b !== bucket && count > 0) {
      out.push({ step: sumStep / count, value: sumValue / count });
      sumStep = sumValue = count = 0;
    }
    bucket = b;
    sumStep += point.step;
    sumValue += point.value;
    count++;
  }
  if (count > 0) out.push({ step: sumStep / count, value: sumValue / count });
  out.push(points[points.length - 1]!);
  return out;
}

/** 1, 2 or 5 times a power of ten, the step that gives about `count` ticks over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || count < 1) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

export function formatTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(0);
  if (magnitude >= 1000) return `${Number((value / 1000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

function linearTicks(min: number, max: number, count: number): number[] {
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  const decades = high - low;
  const mantissas = decades <= 1 ? [1, 2, 5] : decades <= 3 ? [1, 3] : [1];
  const ticks: number[] = [];
  for (let p = low; p <= high; p++) {
    for (const m of mantissas) {
      const v = m * 10 ** p;
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(Number(v.toPrecision(12)));
    }
  }
  return ticks;
}

export function lossChartGeometry(history: LossHistory, box: ChartBox, options: { log: boolean; names?: readonly string[] }): ChartGeometry {
  const names = options.names ?? Object.keys(history);
  const plotWidth = Math.max(1, box.width - box.margin.left - box.margin.right);
  const plotHeight = Math.max(1, box.height - box.margin.top - box.margin.bottom);
  const maxPoints = Math.max(2, Math.floor(plotWidth / 2));
  const series = names.map((name) => ({ name, points: bucketAverage(history[name] ?? [], maxPoints) }));

  const usable = (value: number) => Number.isFinite(value) && (!options.log || value > 0);
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const { points } of series) {
    for (const p of points) {
      xMin = Math.min(xMin, p.step);
      xMax = Math.max(xMax, p.step);
      if (usable(p.value)) {
        yMin = Math.min(yMin, p.value);
        yMax = Math.max(yMax, p.value);
      }
    }
  }
  if (!Number.isFinite(xMin)) [xMin, xMax] = [0, 1];
  if (xMax === xMin) xMax = xMin + 1;
  if (!Number.isFinite(yMin)) [yMin, yMax] = options.log ? [0.1, 10] : [0, 1];

  let yDomain: [number, number];
  if (options.log) {
    // Whole decades keep the log grid readable; a flat series still gets one decade.
    const low = 10 ** Math.floor(Math.log10(yMin));
    const high = 10 ** Math.ceil(Math.log10(yMax));
    yDomain = [low, high > low ? high : low * 10];
  } else {
    const pad = yMax > yMin ? (yMax - yMin) * 0.05 : Math.max(Math.abs(yMax) * 0.1, 0.5);
    // Losses are mostly positive: start at 0 when that costs little room, so levels compare honestly.
    const low = yMin >= 0 && yMin < (yMax - yMin) * 0.5 ? 0 : yMin - pad;
    yDomain = [low, yMax + pad];
  }

  const x = (step: number) => box.margin.left + ((step - xMin) / (xMax - xMin)) * plotWidth;
  const yUnit = options.log
    ? (value: number) => (Math.log10(value) - Math.log10(yDomain[0])) / (Math.log10(yDomain[1]) - Math.log10(yDomain[0]))
    : (value: number) => (value - yDomain[0]) / (yDomain[1] - yDomain[0]);
  const y = (value: number) => box.margin.top + (1 - yUnit(value)) * plotHeight;
  const round = (n: number) => Math.round(n * 10) / 10;

  const lines: ChartLine[] = series.map(({ name, points }) => {
    let path = '';
    let penDown = false;
    let hidden = 0;
    for (const p of points) {
      if (!usable(p.value)) {
        hidden++;
        penDown = false;
        continue;
      }
      path += `${penDown ? 'L' : 'M'}${round(x(p.step))},${round(y(p.value))}`;
      penDown = true;
    }
    const lastPoint = points[points.length - 1];
    const last = lastPoint && usable(lastPoint.value)
      ? { x: round(x(lastPoint.step)), y: round(y(lastPoint.value)), step: lastPoint.step, value: lastPoint.value }
      : undefined;
    return { name, path, last, hidden };
  });

  const yValues = options.log ? logTicks(yDomain[0], yDomain[1]) : linearTicks(yDomain[0], yDomain[1], Math.max(2, Math.round(plotHeight / 40)));
  const xValues = linearTicks(xMin, xMax, Math.max(2, Math.round(plotWidth / 90))).filter((v) => Number.isInteger(v));
  return {
    lines,
    yTicks: yValues.map((v) => ({ at: round(y(v)), label: formatTick(v) })),
    xTicks: xValues.map((v) => ({ at: round(x(v)), label: formatTick(v) })),
    yDomain,
    xDomain: [xMin, xMax],
  };
}
