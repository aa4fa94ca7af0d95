import { describe, expect, it } from 'vitest';
import { bucketAverage, formatTick, lossChartGeometry, niceStep } from '../../../src/renderer/src/lib/train/loss-chart.js';
import { appendLosses, MAX_POINTS_PER_LOSS, prependLosses, type LossHistory } from '../../../src/renderer/src/lib/train/loss-history.js';

const box = { width: 420, height: 220, margin: { left: 40, right: 20, top: 10, bottom: 30 } };

function coords(path: string): [number, number][] {
  return [...path.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('loss chart geometry', () => {
  it('maps the first and last step to the plot edges and higher losses higher up', () => {
    const history: LossHistory = { G: [{ step: 10, value: 4 }, { step: 20, value: 2 }, { step: 30, value: 1 }] };
    const { lines, xDomain } = lossChartGeometry(history, box, { log: false });
    const points = coords(lines[0]!.path);
    expect(xDomain).toEqual([10, 30]);
    expect(points[0]![0]).toBe(40);
    expect(points[2]![0]).toBe(400);
    // SVG y grows downwards: loss 4 sits above loss 1.
    expect(points[0]![1]).toBeLessThan(points[1]![1]);
    expect(points[1]![1]).toBeLessThan(points[2]![1]);
    // Inside the plot area.
    for (const [, y] of points) {
      expect(y).toBeGreaterThanOrEqual(10);
      expect(y).toBeLessThanOrEqual(190);
    }
    expect(lines[0]!.last).toMatchObject({ x: 400, step: 30, value: 1 });
  });

  it('puts equal ratios at equal distances on a log scale, unlike a linear one', () => {
    const history: LossHistory = { L1: [{ step: 0, value: 100 }, { step: 1, value: 10 }, { step: 2, value: 1 }] };
    const log = coords(lossChartGeometry(history, box, { log: true }).lines[0]!.path);
    expect(log[0]![1] - log[1]![1]).toBeCloseTo(log[1]![1] - log[2]![1], 0);
    const linear = coords(lossChartGeometry(history, box, { log: false }).lines[0]!.path);
    expect(linear[1]![1] - linear[0]![1]).toBeGreaterThan(5 * (linear[2]![1] - linear[1]![1]));
  });

  it('log scale: ticks are at round values in whole decades and non-positive losses are counted, not drawn', () => {
    const history: LossHistory = {
      D: [{ step: 0, value: 0.05 }, { step: 1, value: 0 }, { step: 2, value: 3 }, { step: 3, value: -1 }, { step: 4, value: 0.5 }],
    };
    const geometry = lossChartGeometry(history, box, { log: true });
    expect(geometry.yDomain).toEqual([0.01, 10]);
    expect(geometry.yTicks.map((t) => t.label)).toEqual(['0.01', '0.03', '0.1', '0.3', '1', '3', '10']);
    const line = geometry.lines[0]!;
    expect(line.hidden).toBe(2);
    // Three separate segments (each gap lifts the pen).
    expect(line.path.match(/M/g)).toHaveLength(3);
    expect(line.last?.value).toBe(0.5);
  });

  it('linear scale starts at 0 for positive losses and its ticks are 1/2/5 steps', () => {
    const history: LossHistory = { G: [{ step: 0, value: 0.3 }, { step: 50, value: 2.7 }] };
    const geometry = lossChartGeometry(history, box, { log: false });
    expect(geometry.yDomain[0]).toBe(0);
    const values = geometry.yTicks.map((t) => Number(t.label));
    expect(values[0]).toBe(0);
    const step = values[1]! - values[0]!;
    expect([0.5, 1]).toContain(step);
    // Higher values are drawn higher.
    expect(geometry.yTicks[0]!.at).toBeGreaterThan(geometry.yTicks[1]!.at);
  });

  it('a single point and an empty history still give a finite chart', () => {
    const one = lossChartGeometry({ G: [{ step: 5, value: 2 }] }, box, { log: false });
    expect(coords(one.lines[0]!.path)).toHaveLength(1);
    expect(one.lines[0]!.path).not.toMatch(/NaN|Infinity/);
    const none = lossChartGeometry({}, box, { log: true });
    expect(none.lines).toEqual([]);
    expect(none.yTicks.length).toBeGreaterThan(0);
  });

  it('long series are averaged into about one point per two pixels, keeping the newest exact', () => {
    const points = Array.from({ length: 5000 }, (_, i) => ({ step: i, value: i % 2 === 0 ? 1 : 3 }));
    const thinned = bucketAverage(points, 180);
    expect(thinned.length).toBeLessThanOrEqual(180);
    expect(thinned.length).toBeGreaterThan(150);
    // Alternating 1/3 noise averages to 2 inside buckets.
    expect(thinned[10]!.value).toBeCloseTo(2, 1);
    expect(thinned[thinned.length - 1]).toEqual({ step: 4999, value: 3 });
    const geometry = lossChartGeometry({ G: points }, box, { log: false });
    expect(coords(geometry.lines[0]!.path).length).toBeLessThanOrEqual(180);
  });

  it('nice steps and tick labels', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(1, 4)).toBe(0.5);
    expect(niceStep(7300, 6)).toBe(2000);
    expect(formatTick(2000)).toBe('2k');
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(0.0001)).toBe('1e-4');
  });
});

describe('loss history', () => {
  it('appends new steps, replaces a repeated step and ignores older ones', () => {
    const history: LossHistory = {};
    expect(appendLosses(history, 1, { G: 2, D: 0.7 })).toBe(true);
    expect(appendLosses(history, 3, { G: 1.5, D: 0.6 })).toBe(true);
    expect(appendLosses(history, 3, { G: 1.4 })).toBe(true);
    expect(appendLosses(history, 2, { G: 9 })).toBe(false);
    expect(appendLosses(history, 4, undefined)).toBe(false);
    expect(appendLosses(history, 5, { G: Number.NaN })).toBe(false);
    expect(history.G).toEqual([{ step: 1, value: 2 }, { step: 3, value: 1.4 }]);
    expect(history.D).toEqual([{ step: 1, value: 0.7 }, { step: 3, value: 0.6 }]);
  });

  it('stays bounded on long runs and keeps the newest points exact', () => {
    const history: LossHistory = {};
    for (let step = 1; step <= MAX_POINTS_PER_LOSS * 3; step++) appendLosses(history, step, { G: step });
    const points = history.G!;
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS_PER_LOSS);
    expect(points[points.length - 1]).toEqual({ step: MAX_POINTS_PER_LOSS * 3, value: MAX_POINTS_PER_LOSS * 3 });
    expect(points[0]!.step).toBe(1);
    for (let i = 1; i < points.length; i++) expect(points[i]!.step).toBeGreaterThan(points[i - 1]!.step);
  });

  it('puts the history read back from the run in front of the live points, never twice and never over them', () => {
    const history: LossHistory = {};
    appendLosses(history, 40, { G: 1.0, D: 0.5 });
    appendLosses(history, 41, { G: 0.9, D: 0.4 });
    const stored = { G: [{ step: 10, value: 3 }, { step: 20, value: 2 }, { step: 40, value: 99 }], D: [{ step: 20, value: 0.8 }], G_L1: [{ step: 20, value: 0.3 }] };
    expect(prependLosses(history, stored)).toBe(true);
    expect(history.G).toEqual([{ step: 10, value: 3 }, { step: 20, value: 2 }, { step: 40, value: 1.0 }, { step: 41, value: 0.9 }]);
    expect(history.D).toEqual([{ step: 20, value: 0.8 }, { step: 40, value: 0.5 }, { step: 41, value: 0.4 }]);
    // A loss the live events have not carried yet still gets its curve.
    expect(history.G_L1).toEqual([{ step: 20, value: 0.3 }]);
    // Reading it twice changes nothing.
    expect(prependLosses(history, stored)).toBe(false);
    // Live points keep arriving after the history.
    expect(appendLosses(history, 42, { G: 0.8 })).toBe(true);
    expect(history.G!.at(-1)).toEqual({ step: 42, value: 0.8 });

    const long: LossHistory = {};
    appendLosses(long, 1_000_000, { G: 1 });
    const many = { G: Array.from({ length: MAX_POINTS_PER_LOSS * 2 }, (_, i) => ({ step: i, value: i })) };
    prependLosses(long, many);
    expect(long.G!.length).toBeLessThanOrEqual(MAX_POINTS_PER_LOSS);
    expect(long.G!.at(-1)).toEqual({ step: 1_000_000, value: 1 });
  });
});
