/**
 * The arithmetic of the PatchGAN (see patchgan.ts): how many stride-2 layers
 * an image size gets, the side of its score map and the receptive field of
 * one score. Plain numbers, no tfjs, so config schemas can check sizes.
 */

/** The paper's 70×70 PatchGAN. */
export const PAPER_PATCH_LAYERS = 3;
/** Stride-2 layers for an image size: the paper's 3, fewer where the score map would vanish. */
export function patchLayersFor(size: number): number {
  return Math.max(1, Math.min(PAPER_PATCH_LAYERS, Math.floor(Math.log2(size)) - 2));
}

/** Side of the score map for a square input of side `size`; < 1 means the input is too small. */
export function patchOutputSize(size: number, layers: number): number {
  let side = size;
  for (let i = 0; i < layers; i++) side = Math.ceil(side / 2);
  return side - 2;
}

/** Receptive field in pixels of one score (70 for 3 layers, as the paper's name says). */
export function patchReceptiveField(layers: number): number {
  // Walk back from one output pixel: 4×4 kernels; strides 1, 1, then 2 for each downsampling layer.
  let field = 1;
  const strides = [1, 1, ...Array<number>(layers).fill(2)];
  for (const stride of strides) field = (field - 1) * stride + 4;
  return field;
}
