/** The SQL that reads items with their images, and the mapping to `GalleryItem`. */
import type { GalleryItem, ImageFormat, ImageRef, ItemKind } from '../../../shared/contract.js';

export const ITEM_COLUMNS = `
  i.id, i.kind, i.title, i.model_id, i.settings_json, i.timings_json, i.created_at, i.favourite,
  o.hash AS o_hash, o.format AS o_format, o.width AS o_width, o.height AS o_height, o.bytes AS o_bytes, o.has_alpha AS o_has_alpha,
  n.hash AS n_hash, n.format AS n_format, n.width AS n_width, n.height AS n_height, n.bytes AS n_bytes, n.has_alpha AS n_has_alpha`;

export const ITEM_SOURCE = `
  items i
  JOIN images o ON o.hash = i.output_hash
  LEFT JOIN images n ON n.hash = i.input_hash`;

export interface ItemRow {
  id: number;
  kind: ItemKind;
  title: string;
  model_id: string | null;
  settings_json: string;
  timings_json: string;
  created_at: number;
  favourite: number;
  o_hash: string;
  o_format: ImageFormat;
  o_width: number;
  o_height: number;
  o_bytes: number;
  o_has_alpha: number;
  n_hash: string | null;
  n_format: ImageFormat | null;
  n_width: number | null;
  n_height: number | null;
  n_bytes: number | null;
  n_has_alpha: number | null;
}

export function toGalleryItem(row: ItemRow, tags: string[]): GalleryItem {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    input: inputRef(row),
    output: {
      hash: row.o_hash,
      format: row.o_format,
      width: row.o_width,
      height: row.o_height,
      bytes: row.o_bytes,
      hasAlpha: row.o_has_alpha === 1,
    },
    modelId: row.model_id,
    settings: JSON.parse(row.settings_json) as Record<string, unknown>,
    timings: JSON.parse(row.timings_json) as Record<string, number>,
    createdAt: row.created_at,
    favourite: row.favourite === 1,
    tags,
  };
}

function inputRef(row: ItemRow): ImageRef | null {
  if (row.n_hash === null || row.n_format === null) return null;
  return {
    hash: row.n_hash,
    format: row.n_format,
    width: row.n_width ?? 0,
    height: row.n_height ?? 0,
    bytes: row.n_bytes ?? 0,
    hasAlpha: row.n_has_alpha === 1,
  };
}
