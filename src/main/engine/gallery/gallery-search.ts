/**
 * Turns a `GalleryQuery` into one SQL filter. Text search: every
 * whitespace-separated word must occur, case-insensitively, as a substring of
 * the title, model id, settings or tags. Words of 3+ characters use the
 * trigram index; shorter ones cannot, and fall back to a scan of the index text.
 */
import type { z } from 'zod';
import type { GalleryQuery } from '../../../shared/contract.js';

export type ParsedGalleryQuery = z.output<typeof GalleryQuery>;

export interface SqlFilter {
  where: string;
  params: unknown[];
}

export function galleryFilter(query: ParsedGalleryQuery): SqlFilter {
  const clauses = ['i.deleted_at IS NULL'];
  const params: unknown[] = [];
  // No kinds ticked means no kind filter, as with filter chips in the UI.
  if (query.kinds && query.kinds.length > 0) {
    clauses.push(`i.kind IN (${query.kinds.map(() => '?').join(', ')})`);
    params.push(...query.kinds);
  }
  if (query.modelId !== undefined) {
    clauses.push('i.model_id = ?');
    params.push(query.modelId);
  }
  if (query.favourite !== undefined) {
    clauses.push('i.favourite = ?');
    params.push(query.favourite ? 1 : 0);
  }
  if (query.tag !== undefined) {
    clauses.push('EXISTS (SELECT 1 FROM tags t WHERE t.item_id = i.id AND t.tag = ?)');
    params.push(query.tag.trim());
  }
  if (query.from !== undefined) {
    clauses.push('i.created_at >= ?');
    params.push(query.from);
  }
  if (query.to !== undefined) {
    clauses.push('i.created_at <= ?');
    params.push(query.to);
  }
  const words = (query.text ?? '').split(/\s+/).filter((word) => word.length > 0);
  const indexed = words.filter((word) => [...word].length >= 3);
  if (indexed.length > 0) {
    clauses.push('i.id IN (SELECT rowid FROM item_text WHERE item_text MATCH ?)');
    params.push(indexed.map((word) => `"${word.replaceAll('"', '""')}"`).join(' AND '));
  }
  for (const word of words.filter((w) => [...w].length < 3)) {
    clauses.push(`i.id IN (SELECT rowid FROM item_text WHERE body LIKE ? ESCAPE '\\')`);
    params.push(`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return { where: clauses.join(' AND '), params };
}

export function galleryOrder(query: ParsedGalleryQuery): string {
  return query.sort === 'oldest' ? 'i.created_at ASC, i.id ASC' : 'i.created_at DESC, i.id DESC';
}
