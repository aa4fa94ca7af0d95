import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GalleryItem, itemKinds } from '../../src/shared/contract.js';
import { openGallery, type Gallery } from '../../src/main/engine/gallery/index.js';
import { opaquePng, tempDataDir } from './fixtures/gallery-images.js';

const ROWS = 10_000;
const animals = ['cat', 'zebra', 'horse', 'owl', 'lighthouse', 'shoe', 'handbag'];
const models = ['pix2pix-edges2shoes', 'cyclegan-horse2zebra', 'esrgan-slim-x4', null];

interface Expected {
  id: number;
  kind: string;
  title: string;
  model: string | null;
  createdAt: number;
  tags: string[];
  favourite: boolean;
}

let dataDir: string;
let gallery: Gallery;
const expected: Expected[] = [];

// 10,000 items sharing one tiny image, written straight into the real
// database (the triggers maintain the search index as for any write).
beforeAll(async () => {
  dataDir = tempDataDir('gallery-search');
  gallery = openGallery({ dataDir });
  const seed = await gallery.addItem({ kind: 'sketch', output: await opaquePng(4, 4) });
  gallery.trash([seed.id]);
  const db = new Database(path.join(dataDir, 'gallery.db'));
  const insertItem = db.prepare(
    'INSERT INTO items (kind, title, output_hash, model_id, settings_json, created_at, favourite) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertTag = db.prepare('INSERT INTO tags (item_id, tag) VALUES (?, ?)');
  db.transaction(() => {
    for (let n = 0; n < ROWS; n++) {
      const row: Omit<Expected, 'id'> = {
        kind: itemKinds[n % itemKinds.length]!,
        title: `${animals[n % animals.length]} study ${n}`,
        model: models[n % models.length]!,
        createdAt: 1_000_000 + Math.floor(n / 3),
        tags: n % 5 === 0 ? ['portfolio'] : n % 11 === 0 ? ['draft', 'night'] : [],
        favourite: n % 13 === 0,
      };
      const id = Number(
        insertItem.run(row.kind, row.title, seed.output.hash, row.model, JSON.stringify({ seed: n }), row.createdAt, row.favourite ? 1 : 0)
          .lastInsertRowid,
      );
      for (const tag of row.tags) insertTag.run(id, tag);
      expected.push({ id, ...row });
    }
  })();
  db.close();
}, 120_000);

afterAll(() => {
  gallery.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const newestFirst = (a: Expected, b: Expected): number => b.createdAt - a.createdAt || b.id - a.id;

describe('gallery search at 10,000 items', () => {
  it('matches the text query against titles, models, settings and tags, newest first', () => {
    const result = gallery.list({ text: 'horse', limit: 50 });
    const want = expected.filter((row) => row.title.includes('horse') || row.model?.includes('horse')).sort(newestFirst);
    expect(result.total).toBe(want.length);
    expect(result.items.map((item) => item.id)).toEqual(want.slice(0, 50).map((row) => row.id));
    for (const item of result.items) GalleryItem.parse(item);
  });

  it('combines several words, a tag, a kind and a time window', () => {
    const query = { text: 'study x4', tag: 'portfolio', kinds: ['upscale' as const, 'sketch' as const], from: 1_000_500, to: 1_002_000 };
    const result = gallery.list({ ...query, sort: 'oldest', limit: 500 });
    const want = expected
      .filter(
        (row) =>
          row.model === 'esrgan-slim-x4' &&
          row.tags.includes('portfolio') &&
          (row.kind === 'upscale' || row.kind === 'sketch') &&
          row.createdAt >= query.from &&
          row.createdAt <= query.to,
      )
      .sort((a, b) => -newestFirst(a, b));
    expect(want.length).toBeGreaterThan(0);
    expect(result.total).toBe(want.length);
    expect(result.items.map((item) => item.id)).toEqual(want.map((row) => row.id));
  });

  it('finds a number inside the settings and pages through a big result', () => {
    expect(gallery.list({ text: '"seed":4321}' }).items.map((item) => item.title)).toEqual([expected[4321]!.title]);
    const favourites = expected.filter((row) => row.favourite).sort(newestFirst);
    const page = gallery.list({ favourite: true, offset: 100, limit: 100 });
    expect(page.total).toBe(favourites.length);
    expect(page.items.map((item) => item.id)).toEqual(favourites.slice(100, 200).map((row) => row.id));
  });

  it('counts facets over all live items', () => {
    const facets = gallery.facets();
    expect(facets.total).toBe(ROWS);
    expect(facets.tags).toEqual(['draft', 'night', 'portfolio']);
    expect(facets.models).toEqual(['cyclegan-horse2zebra', 'esrgan-slim-x4', 'pix2pix-edges2shoes']);
    expect(facets.kinds).toEqual(Object.fromEntries(itemKinds.map((kind) => [kind, ROWS / itemKinds.length])));
  });
});
