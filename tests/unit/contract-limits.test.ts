// Every free-text and JSON field of the contract has a size limit: through the
// real dispatcher and a real studio (SQLite gallery in a temp folder), an
// oversized `settings`, `options`, `config` or `timings` is an invalid_request
// naming the field and the limit, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { methods, type MethodName } from '../../src/shared/contract.js';
import { defaultJsonObjectLimits, jsonObjectProblem } from '../../src/shared/bounded-json.js';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { opaquePng } from './fixtures/gallery-images.js';

let dir: string;
let studio: Studio;
let png: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-limits-'));
  studio = openStudio({ dataDir: dir, transport: 'http', log: () => {} });
  png = (await opaquePng(8, 8)).toString('base64');
});
afterAll(async () => {
  await studio.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(method: MethodName, payload: unknown): Promise<string> {
  const outcome = await studio.dispatch(method, payload);
  expect(outcome.ok, `${method} accepted ${JSON.stringify(payload).slice(0, 120)}`).toBe(false);
  if (outcome.ok) return '';
  expect(outcome.error.code).toBe('invalid_request');
  return outcome.error.message;
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { inner: value };
  return value;
}

/** The sum of what SQLite holds on disk for the gallery (database plus write-ahead log). */
function databaseBytes(): number {
  return ['gallery.db', 'gallery.db-wal'].reduce((sum, name) => sum + (statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0), 0);
}

describe('limits on free-form JSON in requests', () => {
  it('stores ordinary settings and timings as before', async () => {
    const outcome = await studio.dispatch('gallery.add', {
      kind: 'sketch',
      output: png,
      settings: { canvasSize: 256, channel: 'doodle', model: 'Doodle', lr: { G: 0.0002 }, tags: ['a', 'b'] },
      timings: { inference: 812, total: 930 },
    });
    expect(outcome.ok).toBe(true);
  });

  it('refuses a 1 MB settings string before anything reaches the database, naming the field and the limit', async () => {
    const before = databaseBytes();
    const count = studio.context.gallery.list({ sort: 'newest', offset: 0, limit: 1 }).total;
    const message = await refusal('gallery.add', { kind: 'sketch', output: png, settings: { notes: 'x'.repeat(1024 * 1024) } });
    expect(message).toMatch(/settings/);
    expect(message).toMatch(/16 KiB/);
    expect(studio.context.gallery.list({ sort: 'newest', offset: 0, limit: 1 }).total).toBe(count);
    expect(databaseBytes() - before).toBeLessThan(64 * 1024);
  });

  it('bounds key counts, depth, key length and numbers, at every level, with the path of the problem', async () => {
    const manyKeys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect(await refusal('gallery.add', { kind: 'sketch', output: png, settings: manyKeys })).toMatch(/settings: has more than 256 keys/);
    expect(await refusal('gallery.add', { kind: 'sketch', output: png, settings: nested(50) })).toMatch(/settings(\.inner)+: is nested more than 8 levels deep/);
    expect(await refusal('gallery.add', { kind: 'sketch', output: png, settings: { ['k'.repeat(500)]: 1 } })).toMatch(/key longer than 128/);
    expect(await refusal('gallery.add', { kind: 'sketch', output: png, settings: { a: { b: [1, Infinity] } } })).toMatch(/settings\.a\.b\.1: numbers must be finite/);
    expect(await refusal('gallery.add', { kind: 'sketch', output: png, settings: JSON.parse('{"a":{"__proto__":{"admin":true}}}') })).toMatch(/settings\.a\.__proto__: '__proto__' cannot be a key/);
    expect(await refusal('gallery.add', { kind: 'sketch', output: png, settings: 'not an object' })).toMatch(/settings: expected an object/);
    const manyTimings = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, i]));
    expect(await refusal('gallery.add', { kind: 'sketch', output: png, timings: manyTimings })).toMatch(/timings: at most 32 timings/);
    expect(await refusal('gallery.add', { kind: 'sketch', output: png, timings: { ['t'.repeat(100)]: 1 } })).toMatch(/timing name is at most 64/);
  });

  it('bounds translate options and training configs the same way', async () => {
    const big = { blob: 'y'.repeat(100_000) };
    expect(await refusal('translate.image', { modelId: 'bundled:pix2pix-openmoji-64', image: png, options: big })).toMatch(/options: is larger than 16 KiB/);
    expect(await refusal('translate.folder', { modelId: 'bundled:pix2pix-openmoji-64', inputDir: '/nonexistent-in', outputDir: '/nonexistent-out', options: big })).toMatch(/options/);
    // Refused by the contract, before the handler looks for the folder.
    const train = await refusal('train.start', { family: 'pix2pix', dataDir: '/nonexistent-data', run: 'r1', config: big });
    expect(train).toMatch(/config: is larger than 16 KiB/);
    expect(train).not.toMatch(/does not exist/);
  });

  it('keeps answers short when a payload has thousands of problems', async () => {
    const extra = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`unknown_${i}`, i]));
    const outcome = await studio.dispatch('gallery.get', { id: 1, ...extra });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.message.length).toBeLessThan(10_000);
    expect(outcome.error.issues!.length).toBeLessThanOrEqual(20);
  });
});

describe('every free-text and JSON field of every request has a bound', () => {
  type Check = { _zod: { def: { check: string; format?: string; pattern?: RegExp } } };
  /** A length cap, or a pattern without open-ended repetition (e.g. `[a-z0-9-]{0,63}`). */
  function hasLengthBound(checks: Check[] | undefined): boolean {
    return (checks ?? []).some(({ _zod: { def } }) => {
      if (def.check === 'max_length' || def.check === 'length_equals') return true;
      return def.check === 'string_format' && def.format === 'regex' && def.pattern !== undefined && !/[+*]|\{\d+,\}/.test(def.pattern.source);
    });
  }

  /** Walks a request schema; returns the paths of strings, records and arrays that accept unbounded input. */
  function unbounded(schema: z.ZodType, path: string, found: string[]): void {
    const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string; checks?: Check[] } } })._zod.def;
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'nullable':
      case 'readonly':
      case 'prefault':
        return unbounded(def.innerType as z.ZodType, path, found);
      case 'pipe':
        return unbounded(def.in as z.ZodType, path, found);
      case 'object':
        for (const [key, value] of Object.entries(def.shape as Record<string, z.ZodType>)) unbounded(value, path ? `${path}.${key}` : key, found);
        return;
      case 'array':
        if (!hasLengthBound(def.checks)) found.push(`${path} (list)`);
        return unbounded(def.element as z.ZodType, `${path}[]`, found);
      case 'string':
        if (!hasLengthBound(def.checks)) found.push(path);
        return;
      case 'record':
        // A record is only bounded by a refinement around it (key count); the request JSON objects are custom-checked.
        if (!((def.checks as unknown[] | undefined)?.length)) found.push(`${path} (record)`);
        return;
      case 'union':
        for (const option of def.options as z.ZodType[]) unbounded(option, path, found);
        return;
      default:
        return;
    }
  }

  it('finds no unbounded string, list or record in any request schema', () => {
    const found: string[] = [];
    for (const name of Object.keys(methods) as MethodName[]) unbounded(methods[name].request as z.ZodType, name, found);
    expect(found).toEqual([]);
  });
});

describe('the JSON object check', () => {
  it('counts bytes exactly as JSON.stringify writes them (UTF-8), for random objects', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pieces = ['a', 'é', '€', '😀', '"', '\\', '\n', '\u0001', '\ud800'];
    const text = () => Array.from({ length: Math.floor(random() * 40) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
    const value = (depth: number): unknown => {
      const pick = random();
      if (depth > 3 || pick < 0.3) return text();
      if (pick < 0.45) return Math.round((random() - 0.5) * 1e6) / 7;
      if (pick < 0.5) return random() < 0.5;
      if (pick < 0.55) return null;
      if (pick < 0.75) return Array.from({ length: Math.floor(random() * 5) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [text(), value(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) {
      const object = Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 6) }, () => [text(), value(1)]));
      const bytes = Buffer.byteLength(JSON.stringify(object));
      const limits = { ...defaultJsonObjectLimits, maxBytes: bytes, maxEntries: 10_000, maxKeyLength: 10_000 };
      expect(jsonObjectProblem(object, limits), JSON.stringify(object)).toBeNull();
      expect(jsonObjectProblem(object, { ...limits, maxBytes: bytes - 1 })?.message, JSON.stringify(object)).toMatch(/larger than/);
    }
  });

  it('refuses a 60 MB string without serialising it and a 100,000-deep nesting without recursing', () => {
    expect(jsonObjectProblem({ s: 'z'.repeat(60_000_000) })?.message).toMatch(/larger than 16 KiB/);
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    expect(jsonObjectProblem(deep)?.message).toMatch(/nested more than 8/);
  });
});
