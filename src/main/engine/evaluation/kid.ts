/**
 * Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD
 * GANs", section 3): the unbiased estimate of the squared maximum mean
 * discrepancy between two sets of features with the cubic polynomial kernel
 * k(x, y) = (xᵀy / d + 1)³. Unlike FID it has an unbiased estimator, so it
 * is fair at the few hundred images a held-out set has. Reported ×1000, as
 * is usual, with the spread over random subsets (as torch-fidelity's
 * kid_subsets does) so two models can be told apart from noise.
 */
import { SeededRandom } from '../random.js';

/** Features as rows: n vectors of `dims` numbers, row-major. */
export interface FeatureSet {
  rows: number;
  dims: number;
  data: Float32Array;
}

function kernel(a: Float32Array, i: number, b: Float32Array, j: number, dims: number): number {
  let dot = 0;
  const ai = i * dims;
  const bj = j * dims;
  for (let k = 0; k < dims; k++) dot += a[ai + k]! * b[bj + k]!;
  return (dot / dims + 1) ** 3;
}

/** Unbiased MMD² between the rows `xs` of x and `ys` of y. */
function mmd2(x: FeatureSet, xs: readonly number[], y: FeatureSet, ys: readonly number[]): number {
  const { dims } = x;
  let xx = 0;
  for (let i = 0; i < xs.length; i++) for (let j = 0; j < xs.length; j++) if (i !== j) xx += kernel(x.data, xs[i]!, x.data, xs[j]!, dims);
  let yy = 0;
  for (let i = 0; i < ys.length; i++) for (let j = 0; j < ys.length; j++) if (i !== j) yy += kernel(y.data, ys[i]!, y.data, ys[j]!, dims);
  let xy = 0;
  for (const i of xs) for (const j of ys) xy += kernel(x.data, i, y.data, j, dims);
  const m = xs.length;
  const n = ys.length;
  return xx / (m * (m - 1)) + yy / (n * (n - 1)) - (2 * xy) / (m * n);
}

export interface KidScore {
  /** KID × 1000 over all rows. */
  kid: number;
  /** Standard deviation × 1000 over `subsets` random subsets of `subsetSize` rows of each set. */
  std: number;
  subsets: number;
  subsetSize: number;
}

export function kernelInceptionDistance(x: FeatureSet, y: FeatureSet, options: { subsets?: number; subsetSize?: number; seed?: number } = {}): KidScore {
  if (x.dims !== y.dims) throw new RangeError(`feature sets differ in width: ${x.dims} and ${y.dims}`);
  if (x.rows < 2 || y.rows < 2) throw new RangeError('KID needs at least 2 images in each set');
  const all = (set: FeatureSet) => Array.from({ length: set.rows }, (_, i) => i);
  const kid = mmd2(x, all(x), y, all(y)) * 1000;
  const subsets = options.subsets ?? 10;
  // Subsets of at most half of the smaller set, so they differ from each other and their spread means something.
  const subsetSize = Math.min(options.subsetSize ?? 100, Math.floor(Math.min(x.rows, y.rows) / 2));
  const random = new SeededRandom(options.seed ?? 1);
  const pick = (rows: number) => {
    const order = Array.from({ length: rows }, (_, i) => i);
    for (let i = rows - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order.slice(0, subsetSize);
  };
  const values: number[] = [];
  for (let s = 0; s < subsets && subsetSize >= 2; s++) values.push(mmd2(x, pick(x.rows), y, pick(y.rows)) * 1000);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { kid, std, subsets: values.length, subsetSize };
}
