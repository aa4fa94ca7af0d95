/**
 * The upscale models the view offers: one per ESRGAN variant, for the chosen
 * scale, from `models.list` (family 'esrgan'). When the catalogue lists none
 * (an older main process), the three variants are offered by name and the
 * main process picks the package model itself.
 */
import type { ModelInfo } from '../../../../shared/contract.js';

export const upscaleVariants = ['slim', 'medium', 'thick'] as const;
export type UpscaleVariant = (typeof upscaleVariants)[number];
export const upscaleScales = [2, 3, 4] as const;
export type UpscaleScaleChoice = (typeof upscaleScales)[number];

/** One line each, what the user trades (speeds measured on a 2-core CPU; see the upscale bench). */
export const variantTradeOffs: Record<UpscaleVariant, string> = {
  slim: 'Fastest; clean edges, a little soft in fine texture',
  medium: 'Slower than slim; more detail in texture',
  thick: 'Slowest by far; most detail, best on photos with fine texture',
};

export interface UpscaleModelOption {
  variant: UpscaleVariant;
  /** What `upscale.images` gets as modelId: the catalogue id, or the variant name when not catalogued. */
  modelId: string;
  title: string;
  tradeOff: string;
  /** False when the catalogue lists esrgan models but not this variant at this scale. */
  available: boolean;
}

function variantOf(model: ModelInfo): UpscaleVariant | undefined {
  const found = upscaleVariants.find((variant) => new RegExp(`(^|[^a-z])${variant}([^a-z]|$)`, 'i').test(`${model.id} ${model.title}`));
  return found;
}

export function upscaleModelOptions(models: readonly ModelInfo[], scale: number): { options: UpscaleModelOption[]; fromCatalogue: boolean } {
  const esrgan = models.filter((model) => model.family === 'esrgan');
  const fromCatalogue = esrgan.length > 0;
  const options = upscaleVariants.map((variant): UpscaleModelOption => {
    const match = esrgan.find((model) => model.scale === scale && variantOf(model) === variant);
    return {
      variant,
      modelId: match?.id ?? variant,
      title: match?.title ?? `ESRGAN ${variant} ×${scale}`,
      tradeOff: variantTradeOffs[variant],
      available: fromCatalogue ? match !== undefined : true,
    };
  });
  return { options, fromCatalogue };
}
