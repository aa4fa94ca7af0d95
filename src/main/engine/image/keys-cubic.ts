/**
 * Keys' cubic convolution kernel with a = −0.5 ("Catmull-Rom"; Keys 1981,
 * "Cubic convolution interpolation for digital image processing"), the
 * bicubic of MATLAB's imresize and of the SR papers' baseline, and the taps
 * it gives at pixel-centre alignment. One copy for the engine's bicubic
 * (upscale/bicubic.ts), the SR shrink (data/sr-degradation.ts), the
 * generator's bicubic skip (gans/srgan/bicubic-upsample.ts) and its ONNX
 * export.
 */

/** The kernel's weight at distance `t` (zero from |t| = 2 on). */
export function keysCubic(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}

/** Source position of output pixel phase `phase` of an upscale by `scale`, relative to input pixel floor(out / scale). */
export function phaseSource(phase: number, scale: number): number {
  return (phase + 0.5) / scale - 0.5;
}

/** 5 taps per phase over input pixels i−2 … i+2 (output pixel i·scale + phase): a fixed window, for convolutions. */
export function bicubicPhaseTaps(scale: number): number[][] {
  return Array.from({ length: scale }, (_, phase) => [-2, -1, 0, 1, 2].map((offset) => keysCubic(phaseSource(phase, scale) - offset)));
}
