import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GalleryItem } from '../../src/shared/contract.js';
import { UserFacingError } from '../../src/main/api/dispatch.js';
import { openGallery, type Gallery } from '../../src/main/engine/gallery/index.js';
import {
  filesUnder,
  gif,
  jpeg,
  opaquePng,
  pngClaimingSize,
  svg,
  tempDataDir,
  textBytes,
  translucentPng,
  truncatedPng,
  webp,
} from './fixtures/gallery-images.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

let dataDir: string;
let gallery: Gallery;
let clock: number;

beforeEach(() => {
  dataDir = tempDataDir('gallery');
  clock = 1_700_000_000_000;
  gallery = openGallery({ dataDir, now: () => clock });
});

afterEach(() => {
  gallery.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function expectNotFound(action: () => unknown, id: number): Promise<void> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UserFacingError);
  expect((caught as UserFacingError).code).toBe('not_found');
  expect((caught as UserFacingError).message).toBe(`Gallery item ${id} does not exist`);
}

describe('adding items', () => {
  it('stores input and output by content hash with metadata, thumbnails and a contract-shaped item', async () => {
    const output = await translucentPng(600, 300);
    const input = await jpeg(80, 120);
    const item = await gallery.addItem({
      kind: 'translate',
      title: 'Shoe from edges',
      input,
      output,
      modelId: 'pix2pix-edges2shoes',
      settings: { steps: 20, guidance: { strength: 0.5 } },
      timings: { inference: 812, total: 930 },
      tags: ['shoes', ' Sketch ', 'SHOES'],
    });

    expect(GalleryItem.parse(item)).toEqual(item);
    expect(item).toMatchObject({
      kind: 'translate',
      title: 'Shoe from edges',
      modelId: 'pix2pix-edges2shoes',
      settings: { steps: 20, guidance: { strength: 0.5 } },
      timings: { inference: 812, total: 930 },
      createdAt: clock,
      favourite: false,
      tags: ['shoes', 'Sketch'],
    });
    expect(item.output).toEqual({ hash: sha256(output), format: 'png', width: 600, height: 300, bytes: output.length, hasAlpha: true });
    expect(item.input).toEqual({ hash: sha256(input), format: 'jpeg', width: 80, height: 120, bytes: input.length, hasAlpha: false });

    const outputFile = path.join(dataDir, 'images', item.output.hash.slice(0, 2), `${item.output.hash}.png`);
    expect(gallery.imagePath(item.output.hash)).toBe(outputFile);
    expect(fs.readFileSync(outputFile).equals(output)).toBe(true);
    expect(fs.readFileSync(gallery.imagePath(item.input!.hash)!).equals(input)).toBe(true);
    expect(gallery.imagePath(item.input!.hash)!.endsWith('.jpg')).toBe(true);

    const thumb = gallery.thumbPath(item.output.hash)!;
    expect(thumb).toBe(path.join(dataDir, 'thumbs', item.output.hash.slice(0, 2), `${item.output.hash}.webp`));
    const thumbMeta = await sharp(thumb).metadata();
    expect([thumbMeta.format, thumbMeta.width, thumbMeta.height]).toEqual(['webp', 256, 128]);
    // Smaller than the thumbnail size: not enlarged.
    const inputThumb = await sharp(gallery.thumbPath(item.input!.hash)!).metadata();
    expect([inputThumb.width, inputThumb.height]).toEqual([80, 120]);

    expect(gallery.get(item.id)).toEqual(item);
  });

  it('keeps WebP as is and converts GIF and SVG to PNG', async () => {
    const webpBytes = await webp(50, 40);
    const fromWebp = await gallery.addItem({ kind: 'upscale', output: webpBytes });
    expect(fromWebp.output).toMatchObject({ format: 'webp', hash: sha256(webpBytes), width: 50, height: 40 });

    const fromGif = await gallery.addItem({ kind: 'imported', output: await gif(30, 20) });
    expect(fromGif.output).toMatchObject({ format: 'png', width: 30, height: 20 });
    const stored = fs.readFileSync(gallery.imagePath(fromGif.output.hash)!);
    expect((await sharp(stored).metadata()).format).toBe('png');
    expect(sha256(stored)).toBe(fromGif.output.hash);

    const fromSvg = await gallery.addItem({ kind: 'sketch', output: svg(64, 32) });
    expect(fromSvg.output).toMatchObject({ format: 'png', width: 64, height: 32, hasAlpha: true });
  });

  it('reports the size a rotated JPEG is shown at, and thumbnails it upright', async () => {
    // EXIF orientation 6: stored 40 wide and 20 high, shown rotated a quarter turn.
    const rotated = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#369' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const item = await gallery.addItem({ kind: 'imported', output: rotated });
    expect(item.output).toMatchObject({ format: 'jpeg', width: 20, height: 40, hash: sha256(rotated) });
    const thumb = await sharp(gallery.thumbPath(item.output.hash)!).metadata();
    expect([thumb.width, thumb.height]).toEqual([20, 40]);
  });

  it('stores the same bytes once however many items use them', async () => {
    const output = await opaquePng(32, 32);
    const a = await gallery.addItem({ kind: 'sketch', output });
    const b = await gallery.addItem({ kind: 'translate', input: output, output });
    expect(a.id).not.toBe(b.id);
    expect(b.input?.hash).toBe(a.output.hash);
    expect(filesUnder(path.join(dataDir, 'images'))).toHaveLength(1);
    expect(filesUnder(path.join(dataDir, 'thumbs'))).toHaveLength(1);
  });

  it('refuses bytes that are not an image, or a truncated PNG, and writes nothing', async () => {
    await expect(gallery.addItem({ kind: 'sketch', output: textBytes })).rejects.toThrow(/^The output image is unusable: not an image$/);
    await expect(gallery.addItem({ kind: 'sketch', output: await truncatedPng() })).rejects.toThrow(
      /^The output image is unusable: the file is damaged or truncated \(libpng read error\)$/,
    );
    await expect(gallery.addItem({ kind: 'translate', input: Buffer.alloc(0), output: await opaquePng(8, 8) })).rejects.toThrow(
      /input image .*empty/,
    );
    await expect(gallery.addItem({ kind: 'sketch', output: await pngClaimingSize(20_000, 20_000) })).rejects.toThrow(
      'The output image is unusable: too large: 20000×20000 (400 MP); the limit is 300 MP, set with GANVAS_MAX_MEGAPIXELS',
    );
    expect(gallery.list({}).total).toBe(0);
    expect(filesUnder(path.join(dataDir, 'images'))).toEqual([]);
  });

  it('refuses bad tags, kinds and timings with a reason', async () => {
    const output = await opaquePng(8, 8);
    await expect(gallery.addItem({ kind: 'sketch', output, tags: ['a,b'] })).rejects.toThrow(/commas/);
    await expect(gallery.addItem({ kind: 'sketch', output, tags: ['   '] })).rejects.toThrow(/empty/);
    await expect(gallery.addItem({ kind: 'painting' as never, output })).rejects.toThrow(/Unknown gallery item kind "painting"/);
    await expect(gallery.addItem({ kind: 'sketch', output, timings: { total: Number.NaN } })).rejects.toThrow(/Timing "total"/);
    expect(gallery.list({}).total).toBe(0);
  });
});

describe('importing files', () => {
  it('adds the good files and reports each bad one by name without failing the batch', async () => {
    const result = await gallery.importFiles([
      { name: 'beach photo.jpg', data: await jpeg(40, 30) },
      { name: 'notes.txt', data: textBytes },
      { name: 'C:\\Users\\me\\logo.final.png', data: await translucentPng(16, 16) },
      { name: 'broken.png', data: await truncatedPng() },
    ]);
    expect(result.added.map((item) => [item.kind, item.title])).toEqual([
      ['imported', 'beach photo'],
      ['imported', 'logo.final'],
    ]);
    for (const item of result.added) GalleryItem.parse(item);
    expect(result.failed).toEqual([
      { name: 'notes.txt', reason: 'notes.txt: not an image' },
      { name: 'broken.png', reason: 'broken.png: the file is damaged or truncated (libpng read error)' },
    ]);
    expect(gallery.list({}).total).toBe(2);
  });
});

describe('listing and searching', () => {
  async function addAt(createdAt: number, fields: Partial<Parameters<Gallery['addItem']>[0]> = {}): Promise<GalleryItem> {
    return gallery.addItem({ kind: 'sketch', output: await opaquePng(8, 8), createdAt, ...fields });
  }

  it('filters by text, kind, model, favourite, tag and inclusive time range, and pages in order', async () => {
    const cat = await addAt(1000, { title: 'Ginger cat', tags: ['pets'], modelId: 'cyclegan-horse2zebra' });
    const zebra = await addAt(2000, { kind: 'translate', title: 'Zebra', modelId: 'cyclegan-horse2zebra', settings: { direction: 'AtoB' } });
    const shoe = await addAt(2000, { kind: 'translate', title: 'Shoe', modelId: 'pix2pix-edges2shoes', tags: ['Footwear'] });
    const big = await addAt(3000, { kind: 'upscale', title: 'Big cat', modelId: 'esrgan-slim-x4', tags: ['pets', 'hi-res'] });
    gallery.update(shoe.id, { favourite: true });

    const ids = (query: Parameters<Gallery['list']>[0]): number[] => gallery.list(query).items.map((item) => item.id);
    // Same createdAt: the higher id is newer.
    expect(ids({})).toEqual([big.id, shoe.id, zebra.id, cat.id]);
    expect(ids({ sort: 'oldest' })).toEqual([cat.id, zebra.id, shoe.id, big.id]);
    expect(ids({ text: 'cat' })).toEqual([big.id, cat.id]);
    expect(ids({ text: 'CAT ginger' })).toEqual([cat.id]);
    expect(ids({ text: 'shoes' })).toEqual([shoe.id]); // substring of the model id
    expect(ids({ text: 'AtoB' })).toEqual([zebra.id]); // settings
    expect(ids({ text: 'footwear' })).toEqual([shoe.id]); // tags, any case
    expect(ids({ text: 'x4' })).toEqual([big.id]); // a short word still matches
    expect(ids({ text: '"; DROP TABLE items; --' })).toEqual([]);
    expect(ids({ text: '100%' })).toEqual([]);
    expect(ids({ kinds: ['translate', 'upscale'] })).toEqual([big.id, shoe.id, zebra.id]);
    expect(ids({ kinds: [] })).toEqual([big.id, shoe.id, zebra.id, cat.id]);
    expect(ids({ modelId: 'cyclegan-horse2zebra' })).toEqual([zebra.id, cat.id]);
    expect(ids({ favourite: true })).toEqual([shoe.id]);
    expect(ids({ favourite: false })).toEqual([big.id, zebra.id, cat.id]);
    expect(ids({ tag: 'PETS' })).toEqual([big.id, cat.id]);
    expect(ids({ from: 2000, to: 2000 })).toEqual([shoe.id, zebra.id]);
    expect(ids({ from: 2001 })).toEqual([big.id]);
    expect(ids({ to: 1000 })).toEqual([cat.id]);
    expect(ids({ text: 'cat', kinds: ['sketch'], tag: 'pets', to: 1000 })).toEqual([cat.id]);

    const page = gallery.list({ offset: 1, limit: 2 });
    expect(page.total).toBe(4);
    expect(page.items.map((item) => item.id)).toEqual([shoe.id, zebra.id]);
    expect(gallery.list({ text: 'cat', offset: 1, limit: 1 })).toMatchObject({ total: 2, items: [{ id: cat.id }] });
    for (const item of gallery.list({}).items) GalleryItem.parse(item);
  });

  it('rejects a query the contract does not allow, with the field named', () => {
    expect(() => gallery.list({ limit: 0 })).toThrow(/limit/);
    expect(() => gallery.list({ colour: 'red' } as never)).toThrow(/Invalid gallery query/);
  });

  it('summarises models, tags and kinds of the items not in the trash', async () => {
    const a = await addAt(1, { modelId: 'm-b', tags: ['zeta', 'Alpha'] });
    await addAt(2, { kind: 'translate', modelId: 'm-a', tags: ['alpha'] });
    await addAt(3, { kind: 'translate' });
    const gone = await addAt(4, { kind: 'upscale', modelId: 'm-trashed', tags: ['trashed'] });
    gallery.trash([gone.id]);
    expect(gallery.facets()).toEqual({
      models: ['m-a', 'm-b'],
      tags: ['Alpha', 'zeta'],
      kinds: { sketch: 1, translate: 2, upscale: 0, imported: 0 },
      total: 3,
    });
    gallery.trash([a.id]);
    expect(gallery.facets()).toMatchObject({ models: ['m-a'], tags: ['alpha'], total: 2 });
  });
});

describe('updating', () => {
  it('sets favourite and title and replaces the tag set, which search then sees', async () => {
    const item = await gallery.addItem({ kind: 'sketch', title: 'Draft', output: await opaquePng(8, 8), tags: ['old'] });
    const updated = gallery.update(item.id, { favourite: true, title: 'Final lighthouse', tags: ['coast', 'Coast ', 'night'] });
    expect(updated).toMatchObject({ favourite: true, title: 'Final lighthouse', tags: ['coast', 'night'] });
    expect(gallery.get(item.id)).toEqual(updated);
    expect(gallery.list({ text: 'lighthouse' }).total).toBe(1);
    expect(gallery.list({ text: 'draft' }).total).toBe(0);
    expect(gallery.list({ tag: 'old' }).total).toBe(0);
    expect(gallery.list({ text: 'night' }).total).toBe(1);
    expect(gallery.update(item.id, { favourite: false }).tags).toEqual(['coast', 'night']);
    expect(gallery.update(item.id, { tags: [] }).tags).toEqual([]);
    await expectNotFound(() => gallery.update(9999, { favourite: true }), 9999);
  });
});

describe('trash', () => {
  it('hides trashed items everywhere, restores them, and reports only the ids it changed', async () => {
    const a = await gallery.addItem({ kind: 'sketch', output: await opaquePng(8, 8) });
    const b = await gallery.addItem({ kind: 'sketch', output: await opaquePng(9, 9) });
    expect(gallery.trash([a.id, a.id, 12345])).toEqual([a.id]);
    expect(gallery.trash([a.id])).toEqual([]);
    expect(gallery.list({}).items.map((item) => item.id)).toEqual([b.id]);
    await expectNotFound(() => gallery.get(a.id), a.id);
    await expectNotFound(() => gallery.update(a.id, { title: 'x' }), a.id);
    await expectNotFound(() => gallery.exportItem(a.id, path.join(dataDir, 'out')), a.id);
    expect(gallery.restore([a.id, b.id])).toEqual([a.id]);
    expect(gallery.get(a.id).id).toBe(a.id);
    expect(gallery.list({}).total).toBe(2);
  });

  it('emptying the trash deletes files only when no other item uses the same image', async () => {
    const shared = await opaquePng(20, 20);
    const own = await opaquePng(21, 21);
    const keep = await gallery.addItem({ kind: 'sketch', output: shared });
    const sameImage = await gallery.addItem({ kind: 'translate', input: shared, output: own });
    const alone = await gallery.addItem({ kind: 'sketch', output: await jpeg(22, 22) });
    const sharedFile = gallery.imagePath(sha256(shared))!;
    const ownFile = gallery.imagePath(sha256(own))!;
    const aloneFile = gallery.imagePath(alone.output.hash)!;
    const aloneThumb = gallery.thumbPath(alone.output.hash)!;

    gallery.trash([sameImage.id, alone.id]);
    // Trashed, not gone: restore must still work, so the files stay.
    expect(fs.existsSync(ownFile) && fs.existsSync(aloneFile)).toBe(true);
    expect(gallery.emptyTrash()).toBe(2);
    expect(gallery.emptyTrash()).toBe(0);

    expect(fs.existsSync(sharedFile)).toBe(true);
    expect(fs.existsSync(gallery.thumbPath(keep.output.hash)!)).toBe(true);
    expect(fs.existsSync(ownFile)).toBe(false);
    expect(fs.existsSync(aloneFile)).toBe(false);
    expect(fs.existsSync(aloneThumb)).toBe(false);
    expect(gallery.imagePath(alone.output.hash)).toBeNull();
    expect(gallery.restore([alone.id])).toEqual([]);
    expect(filesUnder(path.join(dataDir, 'images'))).toHaveLength(1);
    expect(filesUnder(path.join(dataDir, 'thumbs'))).toHaveLength(1);
    expect(gallery.get(keep.id).output.hash).toBe(sha256(shared));
  });
});

describe('emptying the trash while an item is being saved', () => {
  it('keeps an image file that an unfinished addItem is about to reference', async () => {
    const shared = await opaquePng(40, 40);
    const old = await gallery.addItem({ kind: 'sketch', output: shared });
    const freshInput = await opaquePng(41, 41);
    const freshFile = path.join(dataDir, 'images', sha256(freshInput).slice(0, 2), `${sha256(freshInput)}.png`);
    const saving = gallery.addItem({ kind: 'translate', input: freshInput, output: shared });
    // The output's file already exists and the input's is being written: the
    // item is between "files are on disk" and "rows are committed". Now the
    // only committed item using the shared image goes.
    while (!fs.existsSync(freshFile)) await new Promise((resolve) => setImmediate(resolve));
    gallery.trash([old.id]);
    expect(gallery.emptyTrash()).toBe(1);
    const saved = await saving;
    expect(fs.existsSync(gallery.imagePath(saved.output.hash)!)).toBe(true);
    expect(gallery.thumbPath(saved.output.hash)).not.toBeNull();
    gallery.close();
    gallery = openGallery({ dataDir });
    expect((await gallery.recovery).missingImages).toEqual([]);
  });
});

describe('recovery when the gallery opens', () => {
  it('empties the previous session’s trash, keeping images other items share', async () => {
    const shared = await opaquePng(20, 20);
    const keep = await gallery.addItem({ kind: 'sketch', output: shared });
    const twin = await gallery.addItem({ kind: 'sketch', title: 'twin', output: shared });
    const alone = await gallery.addItem({ kind: 'sketch', output: await opaquePng(30, 30) });
    gallery.trash([twin.id, alone.id]);
    gallery.close();

    gallery = openGallery({ dataDir });
    const report = await gallery.recovery;
    // The shared image stays; the other one's file and thumbnail go.
    expect(report).toMatchObject({ trashedItemsDeleted: 2, trashFilesRemoved: 2, orphanFilesRemoved: 0, missingImages: [] });
    expect(gallery.restore([twin.id, alone.id])).toEqual([]);
    expect(gallery.get(keep.id).output.hash).toBe(sha256(shared));
    expect(fs.existsSync(gallery.imagePath(sha256(shared))!)).toBe(true);
    expect(gallery.imagePath(alone.output.hash)).toBeNull();
    expect(filesUnder(path.join(dataDir, 'images'))).toEqual([path.join(sha256(shared).slice(0, 2), `${sha256(shared)}.png`)]);
  });

  it('removes temp files and files no row names, and remakes a missing thumbnail', async () => {
    const item = await gallery.addItem({ kind: 'sketch', output: await opaquePng(300, 100) });
    gallery.close();
    const thumb = path.join(dataDir, 'thumbs', item.output.hash.slice(0, 2), `${item.output.hash}.webp`);
    fs.rmSync(thumb);
    const orphanBytes = await opaquePng(5, 5, { r: 1, g: 2, b: 3 });
    const orphanHash = sha256(orphanBytes);
    const orphan = path.join(dataDir, 'images', orphanHash.slice(0, 2), `${orphanHash}.png`);
    fs.mkdirSync(path.dirname(orphan), { recursive: true });
    fs.writeFileSync(orphan, orphanBytes);
    const orphanThumb = path.join(dataDir, 'thumbs', orphanHash.slice(0, 2), `${orphanHash}.webp`);
    fs.mkdirSync(path.dirname(orphanThumb), { recursive: true });
    fs.writeFileSync(orphanThumb, orphanBytes);
    const temp = path.join(path.dirname(orphan), `.${orphanHash}.abc123.tmp`);
    fs.writeFileSync(temp, orphanBytes.subarray(0, 10));
    // The right hash under the wrong extension is not the stored file either.
    const wrongExtension = path.join(dataDir, 'images', item.output.hash.slice(0, 2), `${item.output.hash}.jpg`);
    fs.writeFileSync(wrongExtension, 'x');

    gallery = openGallery({ dataDir });
    expect(gallery.thumbPath(orphanHash)).toBeNull();
    const report = await gallery.recovery;
    expect(report).toEqual({
      tempFilesRemoved: 1,
      trashedItemsDeleted: 0,
      trashFilesRemoved: 0,
      orphanFilesRemoved: 3,
      thumbnailsRegenerated: 1,
      missingImages: [],
    });
    for (const gone of [orphan, orphanThumb, temp, wrongExtension]) expect(fs.existsSync(gone)).toBe(false);
    expect(gallery.thumbPath(item.output.hash)).toBe(thumb);
    const meta = await sharp(thumb).metadata();
    expect([meta.width, meta.height]).toEqual([256, 85]);
  });

  it('reports an image file removed by hand instead of deleting the item', async () => {
    const item = await gallery.addItem({ kind: 'sketch', output: await opaquePng(10, 10) });
    const file = gallery.imagePath(item.output.hash)!;
    gallery.close();
    fs.rmSync(file);
    gallery = openGallery({ dataDir });
    expect((await gallery.recovery).missingImages).toEqual([item.output.hash]);
    expect(gallery.get(item.id).id).toBe(item.id);
    await expect(gallery.exportItem(item.id, path.join(dataDir, 'out'))).rejects.toThrow(/output image of gallery item \d+ is missing/);
  });
});

describe('export', () => {
  it('copies output and input under the title and id, never overwriting', async () => {
    const output = await translucentPng(12, 12);
    const input = await jpeg(12, 12);
    const item = await gallery.addItem({ kind: 'translate', title: 'Night: sky/stars?', input, output });
    const outDir = path.join(dataDir, 'exports');
    const first = await gallery.exportItem(item.id, outDir);
    expect(first.map((file) => path.basename(file))).toEqual([`Night-sky-stars-${item.id}-output.png`, `Night-sky-stars-${item.id}-input.jpg`]);
    expect(fs.readFileSync(first[0]!).equals(output)).toBe(true);
    expect(fs.readFileSync(first[1]!).equals(input)).toBe(true);

    fs.writeFileSync(first[0]!, 'edited by the user');
    const second = await gallery.exportItem(item.id, outDir);
    expect(second.map((file) => path.basename(file))).toEqual([
      `Night-sky-stars-${item.id}-output-2.png`,
      `Night-sky-stars-${item.id}-input-2.jpg`,
    ]);
    expect(fs.readFileSync(first[0]!, 'utf8')).toBe('edited by the user');

    const untitled = await gallery.addItem({ kind: 'sketch', title: ' ... ', output });
    expect((await gallery.exportItem(untitled.id, outDir)).map((file) => path.basename(file))).toEqual([`item-${untitled.id}-output.png`]);
  });
});

describe('media paths', () => {
  it('answers null for unknown or malformed hashes', async () => {
    const item = await gallery.addItem({ kind: 'sketch', output: await opaquePng(8, 8) });
    expect(gallery.imagePath('0'.repeat(64))).toBeNull();
    expect(gallery.thumbPath('0'.repeat(64))).toBeNull();
    expect(gallery.imagePath('../../etc/passwd')).toBeNull();
    expect(gallery.imagePath(item.output.hash.toUpperCase())).toBeNull();
    expect(gallery.imagePath(item.output.hash)).not.toBeNull();
  });
});

describe('database', () => {
  it('keeps ids unique after deletion and stores rows the way the schema demands', async () => {
    const a = await gallery.addItem({ kind: 'sketch', output: await opaquePng(8, 8) });
    gallery.trash([a.id]);
    gallery.emptyTrash();
    const b = await gallery.addItem({ kind: 'sketch', output: await opaquePng(8, 8) });
    expect(b.id).toBeGreaterThan(a.id);
    gallery.close();
    const db = new Database(path.join(dataDir, 'gallery.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.prepare('SELECT count(*) FROM images').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
    gallery = openGallery({ dataDir });
  });
});
