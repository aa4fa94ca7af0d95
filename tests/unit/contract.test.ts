// Every method of the contract, driven through the real dispatcher and a real studio:
// garbage payloads must come back as validation errors and the studio must stay usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { methods, events, type MethodName } from '../../src/shared/contract.js';
import { META_CONTENT_SECURITY_POLICY } from '../../src/shared/security.js';
import { openStudio, type Studio } from '../../src/main/api/studio.js';

let dir: string;
let studio: Studio;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-contract-'));
  studio = openStudio({ dataDir: dir, transport: 'http', log: () => {} });
});
afterAll(async () => {
  await studio.close();
  rmSync(dir, { recursive: true, force: true });
});

const garbage: unknown[] = [null, 42, 'text', [], [1, 2], { bogus: true }, { id: -1 }, { ids: 'all' }, { files: [{ name: '', dataBase64: 5 }] }, { limit: 10_000 }, { __proto__: { admin: true } }];

describe('the contract', () => {
  it('has a handler for every method', async () => {
    for (const name of Object.keys(methods) as MethodName[]) {
      const outcome = await studio.dispatch(name, { definitely_not_a_field: 1 });
      // Every request schema is strict, so an unknown field is a validation error, never "unknown_method".
      expect(outcome.ok, name).toBe(false);
      if (!outcome.ok) expect(outcome.error.code, name).toBe('invalid_request');
    }
  });

  it('answers every kind of garbage payload with invalid_request (never a throw)', async () => {
    for (const name of Object.keys(methods) as MethodName[]) {
      for (const payload of garbage) {
        const outcome = await studio.dispatch(name, payload);
        if (outcome.ok) {
          // A few payloads are legitimately valid for a method (e.g. `[]`-free defaults); the response must then match the schema.
          expect(() => methods[name].response.parse(outcome.value), `${name} ${JSON.stringify(payload)}`).not.toThrow();
        } else {
          expect(['invalid_request', 'not_found'], `${name} ${JSON.stringify(payload)}`).toContain(outcome.error.code);
          expect(outcome.error.message.length).toBeGreaterThan(5);
        }
      }
    }
    const info = await studio.dispatch('app.info', {});
    expect(info.ok).toBe(true);
  });

  it('rejects unknown methods, including prototype names', async () => {
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      const outcome = await studio.dispatch(name, {});
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.code).toBe('unknown_method');
    }
  });

  it('reports a missing item as not_found with a readable message', async () => {
    const outcome = await studio.dispatch('gallery.get', { id: 987654 });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe('not_found');
      expect(outcome.error.message).toMatch(/987654/);
    }
  });

  it('validates every event before it is sent', () => {
    expect(() => studio.context.emit('gallery.changed', { reason: 'exploded' as 'added', ids: [1] })).toThrow();
    expect(Object.keys(events)).toContain('gallery.changed');
  });

  it('uses one CSP everywhere: the renderer page carries the servers policy, less frame-ancestors (a meta tag cannot set it)', () => {
    const html = readFileSync(join(__dirname, '../../src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(META_CONTENT_SECURITY_POLICY);
  });
});
