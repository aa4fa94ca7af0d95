/**
 * The upscale models the view offers for the chosen scale, from `models.list`
 * (use 'upscale'): GANvas's own SRGAN models (bundled, and the user's), then
 * one per ESRGAN variant. The default is the one the catalogue marks
 * (`isDefault`: a bundled SRGAN marked the default for its scale, else ESRGAN
 * slim), so a request without a model and the view agree. When the catalogue
 * lists none (an older main process), the three ESRGAN variants are offered
 * by name and the main process picks the package model itself.
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
  /** Stable choice key: the ESRGAN variant name, or the SRGAN model's catalogue id. */
  key: string;
  /** 'esrgan': a pretrained npm ESRGAN; 'trained': a model of one of our families that upscales (SRGAN today). */
  kind: 'esrgan' | 'trained';
  /** The ESRGAN variant (ESRGAN options only). */
  variant?: UpscaleVariant;
  /** What `upscale.images` gets as modelId: the catalogue id, or the variant name when not catalogued. */
  modelId: string;
  title: string;
  tradeOff: string;
  /** Measured speed from the model card, when it says. */
  speed?: string;
  /** Weights on disk, when the catalogue says. */
  sizeBytes?: number;
  /** The model card in short: what it learned from, its limits, its licence. */
  card?: { trainedOn?: string; limitations?: string; licence?: string };
  isDefault: boolean;
  /** False when the catalogue lists upscalers but not this variant at this scale. */
  available: boolean;
}

function variantOf(model: ModelInfo): UpscaleVariant | undefined {
  const found = upscaleVariants.find((variant) => new RegExp(`(^|[^a-z])${variant}([^a-z]|$)`, 'i').test(`${model.id} ${model.title}`));
  return found;
}

function cardOf(model: ModelInfo): UpscaleModelOption['card'] {
  const card = {
    ...(model.card?.trainedOn ? { trainedOn: model.card.trainedOn } : {}),
    ...(model.card?.limitations ? { limitations: model.card.limitations } : {}),
    ...(model.licence ? { licence: model.licence } : {}),
  };
  return Object.keys(card).length ? card : undefined;
}

export function upscaleModelOptions(
  models: readonly ModelInfo[],
  scale: number,
): { options: UpscaleModelOption[]; fromCatalogue: boolean; defaultKey: string } {
  const esrgan = models.filter((model) => model.family === 'esrgan');
  const fromCatalogue = esrgan.length > 0;
  const trained = models
    .filter((model) => model.family !== 'esrgan' && model.uses.includes('upscale') && model.scale === scale)
    .map((model): UpscaleModelOption => {
      const card = cardOf(model);
      return {
        key: model.id,
        kind: 'trained',
        modelId: model.id,
        title: model.title,
        tradeOff: model.description,
        ...(model.card?.speed ? { speed: model.card.speed } : {}),
        ...(model.sizeBytes !== undefined ? { sizeBytes: model.sizeBytes } : {}),
        ...(card ? { card } : {}),
        isDefault: model.isDefault === true,
        available: true,
      };
    })
    // The default first, then by title.
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.title.localeCompare(b.title));
  const trainedDefault = trained.some((option) => option.isDefault);
  const packaged = upscaleVariants.map((variant): UpscaleModelOption => {
    const match = esrgan.find((model) => model.scale === scale && variantOf(model) === variant);
    const card = match ? cardOf(match) : undefined;
    return {
      key: variant,
      kind: 'esrgan',
      variant,
      modelId: match?.id ?? variant,
      title: match?.title ?? `ESRGAN ${variant} ×${scale}`,
      tradeOff: variantTradeOffs[variant],
      ...(match?.sizeBytes !== undefined ? { sizeBytes: match.sizeBytes } : {}),
      ...(card ? { card } : {}),
      // An older main process does not say: slim was its default.
      isDefault: match?.isDefault ?? (!trainedDefault && variant === 'slim'),
      available: fromCatalogue ? match !== undefined : true,
    };
  });
  const options = [...trained, ...packaged];
  const defaultKey = options.find((option) => option.isDefault && option.available)?.key ?? options.find((option) => option.available)?.key ?? 'slim';
  return { options, fromCatalogue, defaultKey };
}

/** The option to use: the one picked when it exists at this scale, else the scale's default. */
export function chosenUpscaleOption(choices: ReturnType<typeof upscaleModelOptions>, picked: string | undefined): UpscaleModelOption | undefined {
  const mine = choices.options.find((option) => option.key === picked && option.available);
  return mine ?? choices.options.find((option) => option.key === choices.defaultKey);
}
