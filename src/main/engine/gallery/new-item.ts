/** Checks what a caller wants stored before any image work or disk write happens. */
import { ItemKind, itemKinds, Tag } from '../../../shared/contract.js';
import { UserFacingError } from '../errors.js';
import { prepareImage, UnreadableImageError, type PreparedImage } from './image-intake.js';


export interface NewItem {
  kind: ItemKind;
  title?: string;
  input?: Buffer | null;
  output: Buffer;
  modelId?: string | null;
  settings?: Record<string, unknown>;
  /** Named durations in ms. */
  timings?: Record<string, number>;
  tags?: string[];
  createdAt?: number;
}

export interface CheckedItem {
  kind: ItemKind;
  title: string;
  modelId: string | null;
  settingsJson: string;
  timingsJson: string;
  tags: string[];
  createdAt: number;
}

export function checkNewItem(item: NewItem, now: () => number): CheckedItem {
  const kind = ItemKind.safeParse(item.kind);
  if (!kind.success) throw new UserFacingError('invalid_request', `Unknown gallery item kind "${String(item.kind)}" (expected one of ${itemKinds.join(', ')})`);
  if (!Buffer.isBuffer(item.output)) throw new UserFacingError('invalid_request', 'A gallery item needs its output image as bytes');
  const createdAt = item.createdAt ?? now();
  if (!Number.isSafeInteger(createdAt)) throw new UserFacingError('invalid_request', `createdAt must be whole milliseconds, got ${createdAt}`);
  for (const [name, ms] of Object.entries(item.timings ?? {})) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new UserFacingError('invalid_request', `Timing "${name}" must be a finite number of ms`);
  }
  let settingsJson: string;
  try {
    settingsJson = JSON.stringify(item.settings ?? {});
  } catch (error) {
    throw new UserFacingError('invalid_request', `The settings cannot be saved as JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!settingsJson?.startsWith('{')) throw new UserFacingError('invalid_request', 'The settings must be an object of named values');
  return {
    kind: kind.data,
    title: item.title ?? '',
    modelId: item.modelId ?? null,
    settingsJson,
    timingsJson: JSON.stringify(item.timings ?? {}),
    tags: normaliseTags(item.tags ?? []),
    createdAt,
  };
}

/** The contract's tag rules, for callers that bypass the contract (jobs, the CLI); duplicates ignoring case dropped. */
export function normaliseTags(tags: string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const raw of tags) {
    const parsed = Tag.safeParse(raw);
    if (!parsed.success) {
      throw new UserFacingError('invalid_request', `The tag "${String(raw).slice(0, 20)}" is not allowed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    const tag = parsed.data;
    const key = tag.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(tag);
  }
  return kept;
}

export async function readImage(bytes: Buffer, role: string): Promise<PreparedImage> {
  if (!Buffer.isBuffer(bytes)) throw new UserFacingError('invalid_request', `${role} must be bytes`);
  try {
    return await prepareImage(bytes);
  } catch (error) {
    if (error instanceof UnreadableImageError) throw new UserFacingError('unsupported', `${role} is unusable: ${error.message}`);
    throw error;
  }
}
