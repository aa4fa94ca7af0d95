/**
 * The exported-model format: what GANvas ships in `models/` and what users
 * share. A folder with
 *
 *   model.json   { format: 'ganvas-model', formatVersion: 1, family, config (full),
 *                  networks: { G: [{ name, shape, dtype, offset, length }] }, card? }
 *   weights.bin  the listed networks' weights back to back (float32 or float16)
 *
 * Unlike a checkpoint it holds only the networks inference needs (pix2pix: G,
 * not D nor Adam's moments), so it is a fraction of the size; float16 halves it
 * again. `model.json` is written last: a folder with a model.json is complete.
 *
 * This module has no tfjs import, so the main thread can list models without
 * loading tfjs; export-model.ts and load-exported-model.ts do the heavy parts.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';

export const EXPORTED_MODEL_FORMAT = 'ganvas-model';
export const EXPORTED_MODEL_FORMAT_VERSION = 1;
export const MODEL_FILE = 'model.json';
export const MODEL_WEIGHTS_FILE = 'weights.bin';

const ExportedTensor = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'float16']),
  /** Byte offset and byte length in weights.bin. */
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});
export type ExportedTensor = z.infer<typeof ExportedTensor>;

/** What a person deciding whether to use the model wants to know (Mitchell et al. 2019, "Model Cards"). */
export const ModelCard = z
  .object({
    title: z.string().max(200).optional(),
    description: z.string().max(4000).optional(),
    licence: z.string().max(200).optional(),
    /** What it was trained on, e.g. "OpenMoji 15 line art → colour, 4,045 pairs". */
    trainedOn: z.string().max(1000).optional(),
    /** Known limits, e.g. "only 64×64 line drawings on white". */
    limitations: z.string().max(4000).optional(),
    /** Measured speed in words, e.g. "0.3 s per output megapixel ×4 on one core"; the Upscale view shows it. */
    speed: z.string().max(200).optional(),
    authors: z.string().max(400).optional(),
  })
  .passthrough();
export type ModelCard = z.infer<typeof ModelCard>;

const Manifest = z.object({
  format: z.literal(EXPORTED_MODEL_FORMAT),
  formatVersion: z.literal(EXPORTED_MODEL_FORMAT_VERSION),
  family: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  networks: z.record(z.string(), z.array(ExportedTensor)),
  /** Training steps of the checkpoint it came from. */
  step: z.number().int().nonnegative().nullable(),
  createdAt: z.string(),
  weightsBytes: z.number().int().nonnegative(),
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  card: ModelCard.optional(),
  /**
   * The default model for what it does: a bundled SRGAN model with
   * `"default": true` is the upscaler `chooseUpscaleModel` picks for its
   * scale when no model is named (upscale/trained-upscalers.ts); with none,
   * ESRGAN slim stays the default. Absent: false.
   */
  default: z.boolean().optional(),
});
export type ExportedModelManifest = z.infer<typeof Manifest>;

/** Reads and checks `<dir>/model.json` only (cheap: for listing models). */
export async function readExportedModelManifest(dir: string): Promise<ExportedModelManifest> {
  const file = path.join(dir, MODEL_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${dir} is not a GANvas model folder (it has no ${MODEL_FILE})` : `${file} cannot be read (${code ?? String(error)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON (the file is damaged)`);
  }
  return parseExportedModelManifest(raw, file);
}

/** Checks a parsed model.json (`file` names it in errors). */
export function parseExportedModelManifest(raw: unknown, file: string): ExportedModelManifest {
  const fields = (raw ?? {}) as { format?: unknown; formatVersion?: unknown };
  if (fields.format !== EXPORTED_MODEL_FORMAT) {
    throw new Error(`${file} is not a GANvas model (format is ${JSON.stringify(fields.format ?? null)}, expected "${EXPORTED_MODEL_FORMAT}")`);
  }
  if (typeof fields.formatVersion === 'number' && fields.formatVersion > EXPORTED_MODEL_FORMAT_VERSION) {
    throw new Error(`${file} has format version ${fields.formatVersion}; this GANvas reads version ${EXPORTED_MODEL_FORMAT_VERSION}. Update GANvas to use it.`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${file} is damaged (${first ? `${first.path.join('.') || 'file'}: ${first.message}` : 'unknown layout'})`);
  }
  return parsed.data;
}

