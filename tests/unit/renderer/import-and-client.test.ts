import { describe, expect, it } from 'vitest';
import { GanvasError } from '../../../src/shared/contract.js';
import { describeImport, planImportBatches } from '../../../src/renderer/src/lib/import-files.js';
import { checkEventPayload, unwrapOutcome } from '../../../src/renderer/src/lib/outcome.js';
import { nextBackoffDelay } from '../../../src/renderer/src/lib/event-socket.js';
import { downloadName, humanBytes, humanDuration } from '../../../src/renderer/src/lib/human-readable.js';
import { viewFromHash } from '../../../src/renderer/src/lib/views.js';

describe('import batches', () => {
  it('splits by file count and by bytes, keeping order', () => {
    const files = Array.from({ length: 450 }, (_, index) => ({ name: `f${index}`, size: 10 }));
    const batches = planImportBatches(files, 200, 1e9);
    expect(batches.map((batch) => batch.length)).toEqual([200, 200, 50]);
    expect(batches.flat()).toEqual(files);

    const big = [{ size: 40 }, { size: 40 }, { size: 10 }, { size: 90 }];
    expect(planImportBatches(big, 200, 100).map((batch) => batch.map((file) => file.size))).toEqual([[40, 40, 10], [90]]);
  });

  it('puts a file bigger than the byte budget in a batch of its own rather than dropping it', () => {
    expect(planImportBatches([{ size: 5 }, { size: 500 }, { size: 5 }], 200, 100)).toHaveLength(3);
    expect(planImportBatches([], 200, 100)).toEqual([]);
  });

  it('summarises imports with each failure named once', () => {
    expect(describeImport({ added: [], failed: [] })).toBe('Imported 0');
    const text = describeImport({
      added: [],
      failed: [
        { name: 'notes.txt', reason: 'notes.txt: not an image' },
        { name: 'a.png', reason: 'truncated file' },
      ],
    });
    expect(text).toBe('Imported 0 · 2 failed: notes.txt: not an image; a.png: truncated file');
    const many = describeImport({ added: [], failed: Array.from({ length: 5 }, (_, i) => ({ name: `x${i}`, reason: 'bad' })) });
    expect(many).toMatch(/5 failed: x0: bad; x1: bad; x2: bad; and 2 more$/);
  });
});

describe('reading answers from the studio', () => {
  it('returns the validated value of an ok outcome', () => {
    const value = unwrapOutcome('gallery.delete', { ok: true, value: { deleted: [3] } });
    expect(value).toEqual({ deleted: [3] });
  });

  it('throws GanvasError with the code and message of a failed outcome', () => {
    try {
      unwrapOutcome('gallery.get', { ok: false, error: { code: 'not_found', message: 'No item 9', issues: [{ path: 'id', message: 'x' }] } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GanvasError);
      expect((error as GanvasError).code).toBe('not_found');
      expect((error as GanvasError).message).toBe('No item 9');
      expect((error as GanvasError).issues).toEqual([{ path: 'id', message: 'x' }]);
    }
  });

  it('refuses an answer that does not match the contract, naming the field', () => {
    expect(() => unwrapOutcome('gallery.delete', { ok: true, value: { deleted: ['3'] } })).toThrow(/gallery\.delete.*deleted\.0/);
    expect(() => unwrapOutcome('app.info', 'nonsense')).toThrow(/cannot read/);
    expect(() => unwrapOutcome('app.info', { ok: false, error: { code: 'exploded' } })).toThrow(GanvasError);
  });

  it('drops malformed events and passes good ones', () => {
    expect(checkEventPayload('gallery.changed', { reason: 'added', ids: [1] })).toEqual({ reason: 'added', ids: [1] });
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(checkEventPayload('gallery.changed', { reason: 'exploded', ids: [1] })).toBeUndefined();
    } finally {
      console.warn = warn;
    }
  });

  it('backs off reconnects exponentially up to a cap', () => {
    expect([0, 1, 2, 3, 10].map((attempt) => nextBackoffDelay(attempt, 500, 15_000))).toEqual([500, 1000, 2000, 4000, 15_000]);
  });
});

describe('what people read', () => {
  it('formats sizes and durations', () => {
    expect(humanBytes(345)).toBe('345 B');
    expect(humanBytes(2048)).toBe('2.0 KB');
    expect(humanBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(humanDuration(812)).toBe('812 ms');
    expect(humanDuration(1500)).toBe('1.50 s');
    expect(humanDuration(125_000)).toBe('2 min 5 s');
  });

  it('makes download names file systems accept', () => {
    expect(downloadName('cat: v2/final', '', 'jpeg')).toBe('cat_ v2_final.jpg');
    expect(downloadName('photo.png', '-input', 'png')).toBe('photo-input.png');
    expect(downloadName('   ', '', 'webp')).toBe('ganvas-image.webp');
  });

  it('routes unknown hashes to the gallery', () => {
    expect(viewFromHash('#/train')).toBe('train');
    expect(viewFromHash('#/nope')).toBe('gallery');
    expect(viewFromHash('')).toBe('gallery');
  });
});
