/**
 * An SRGAN model's upscaling geometry from its settings alone (no tfjs, no
 * weights): the Upscale pipeline lists models and plans tiles with it before
 * anything loads.
 */
import type { UpscaleGeometry } from '../family.js';

/**
 * The SRResNet's receptive-field radius in input pixels, from its settings
 * (what upscale/model-geometry.ts measures on the built network; a test
 * checks they agree): the 9×9 head (4), two 3×3 convolutions per residual
 * block, the body's 3×3, one 3×3 before each pixel shuffle at the resolution
 * it runs at, the 9×9 tail at the output resolution; the bicubic image skip
 * reads 2 pixels either side.
 */
export function srresnetReceptiveRadius(config: { scale: number; blocks: number }): number {
  const factors = config.scale === 4 ? [2, 2] : [config.scale];
  let radius = 4 + 2 * config.blocks + 1;
  let at = 1;
  for (const factor of factors) {
    radius += 1 / at;
    at *= factor;
  }
  radius += 4 / config.scale;
  return Math.ceil(Math.max(radius, 2));
}

/** Scale and radius of an SRGAN config, or null when it cannot upscale RGB photos. */
export function srganUpscaleGeometry(config: Record<string, unknown>): UpscaleGeometry | null {
  // The schema's defaults (config.ts) for settings an older file left out.
  const scale = config['scale'] ?? 4;
  const blocks = config['blocks'] ?? 16;
  if ((scale !== 2 && scale !== 3 && scale !== 4) || typeof blocks !== 'number' || (config['channels'] ?? 3) !== 3) return null;
  return { scale, receptiveRadius: srresnetReceptiveRadius({ scale, blocks }) };
}
