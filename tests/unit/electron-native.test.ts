// The Electron build of better-sqlite3: where it goes, when it must be
// (re)built, and that the gallery really loads the addon the Electron main
// process names. Building it needs Electron's binary and the network, which
// this machine has neither of; the rules and the loading are tested here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  BUILD_STAMP_FILE,
  SQLITE_ADDON_FILE,
  electronSqliteAddon,
  planElectronNative,
  readNativeFacts,
  tensorBackendNotes,
  type NativeFacts,
} from '../../src/main/app/electron-native.js';
import { openGalleryDatabase, SQLITE_ADDON_ENV } from '../../src/main/engine/gallery/database.js';

const facts = (overrides: Partial<NativeFacts> = {}): NativeFacts => ({
  root: '/app',
  platform: 'linux',
  arch: 'x64',
  nodeAbi: '115',
  electron: { version: '45.4.1', abi: '150' },
  electronBinary: '/app/node_modules/electron/dist/electron',
  betterSqlite3: '12.11.1',
  stamp: null,
  addonExists: false,
  ...overrides,
});

describe('planElectronNative', () => {
  it('builds into native/electron-<abi>-<platform>-<arch>, apart from node_modules', () => {
    const plan = planElectronNative(facts());
    expect(plan).toMatchObject({ build: true, dir: join('/app', 'native', 'electron-150-linux-x64'), electron: '45.4.1', abi: '150', betterSqlite3: '12.11.1' });
    expect(plan.reason).toMatch(/no build for Electron 45\.4\.1 \(ABI 150\)/);
    expect(electronSqliteAddon('/app', { abi: '150', platform: 'linux', arch: 'x64' })).toBe(join('/app', 'native', 'electron-150-linux-x64', SQLITE_ADDON_FILE));
  });

  it('builds nothing, and says so, where no Electron binary exists', () => {
    const plan = planElectronNative(facts({ electronBinary: null }));
    expect(plan.build).toBe(false);
    expect(plan.reason).toMatch(/no Electron binary/);
    expect(planElectronNative(facts({ electron: null })).build).toBe(false);
  });

  it('keeps a build made for the same Electron and better-sqlite3', () => {
    const stamp = { electron: '45.4.1', abi: '150', betterSqlite3: '12.11.1' };
    expect(planElectronNative(facts({ stamp, addonExists: true }))).toMatchObject({ build: false, reason: expect.stringMatching(/already built/) });
  });

  it('rebuilds after an upgrade of either, or when the addon is gone', () => {
    const old = { electron: '44.0.0', abi: '145', betterSqlite3: '12.11.1' };
    expect(planElectronNative(facts({ stamp: old, addonExists: true }))).toMatchObject({ build: true, reason: expect.stringMatching(/Electron 44\.0\.0/) });
    const olderSqlite = { electron: '45.4.1', abi: '150', betterSqlite3: '12.0.0' };
    expect(planElectronNative(facts({ stamp: olderSqlite, addonExists: true })).build).toBe(true);
    expect(planElectronNative(facts({ stamp: { electron: '45.4.1', abi: '150', betterSqlite3: '12.11.1' }, addonExists: false })).build).toBe(true);
  });

  it('needs no second build when Electron and Node share an ABI', () => {
    expect(planElectronNative(facts({ nodeAbi: '150' }))).toMatchObject({ build: false, reason: expect.stringMatching(/Node's ABI/) });
  });
});

describe('readNativeFacts', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ganvas-native-'));
    const pkg = (name: string, json: object, extra: Record<string, string> = {}) => {
      const dir = join(root, 'node_modules', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify(json));
      for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
    };
    pkg('electron', { name: 'electron', version: '45.4.1' }, { abi_version: '150\n' });
    pkg('better-sqlite3', { name: 'better-sqlite3', version: '12.11.1' });
    pkg('@tensorflow/tfjs-node', { name: '@tensorflow/tfjs-node', version: '4.22.0', binary: { napi_versions: [3, 4, 5, 6, 7, 8] } });
    pkg('@tensorflow/tfjs-node-gpu', { name: '@tensorflow/tfjs-node-gpu', version: '0.1.0' });
    writeFileSync(join(root, 'electron-binary'), '');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads versions and the ABI Electron ships, and sees a finished build', () => {
    const host = { platform: 'linux' as const, arch: 'x64', nodeAbi: '115' };
    const before = readNativeFacts(root, join(root, 'electron-binary'), host);
    expect(before).toMatchObject({ electron: { version: '45.4.1', abi: '150' }, betterSqlite3: '12.11.1', addonExists: false, stamp: null });
    expect(planElectronNative(before).build).toBe(true);

    const dir = join(root, 'native', 'electron-150-linux-x64');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, SQLITE_ADDON_FILE), '');
    writeFileSync(join(dir, BUILD_STAMP_FILE), JSON.stringify({ electron: '45.4.1', abi: '150', betterSqlite3: '12.11.1' }));
    expect(planElectronNative(readNativeFacts(root, join(root, 'electron-binary'), host)).build).toBe(false);
    // A binary path that does not exist counts as no binary.
    expect(readNativeFacts(root, join(root, 'missing'), host).electronBinary).toBeNull();
  });

  it('reports the tensor backends: Node-API builds load in Electron as they are', () => {
    const notes = tensorBackendNotes(root);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/tfjs-node 4\.22\.0 is a Node-API addon/);
    expect(notes[1]).toMatch(/tfjs-node-gpu 0\.1\.0 is not a Node-API build/);
  });
});

describe('the addon the Electron main process names', () => {
  const require = createRequire(import.meta.url);
  const nodeBuild = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', SQLITE_ADDON_FILE);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ganvas-addon-'));
  });
  afterAll(() => {
    delete process.env[SQLITE_ADDON_ENV];
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the one the gallery loads, and a missing one is named in the error', () => {
    process.env[SQLITE_ADDON_ENV] = join(dir, 'native', 'electron-150-linux-x64', SQLITE_ADDON_FILE);
    expect(() => openGalleryDatabase(join(dir, 'a.db'))).toThrow(/with the SQLite addon .*electron-150-linux-x64.*better_sqlite3\.node/);

    // A copy of node_modules' Node build in the place the Electron build would be: it loads from there.
    const copy = join(dir, 'native', 'node-copy', SQLITE_ADDON_FILE);
    mkdirSync(dirname(copy), { recursive: true });
    copyFileSync(nodeBuild, copy);
    process.env[SQLITE_ADDON_ENV] = copy;
    const db = openGalleryDatabase(join(dir, 'b.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    delete process.env[SQLITE_ADDON_ENV];
  });

  it('reaches worker threads, where the job kinds open the gallery', async () => {
    process.env[SQLITE_ADDON_ENV] = join(dir, 'not-built', SQLITE_ADDON_FILE);
    // A real worker running the real database module (through tsx, as the job queue does from source).
    const worker = new Worker(
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(join(import.meta.dirname, '../../src/main/engine/gallery/database.ts'))}); })
        .then(({ openGalleryDatabase }) => { try { openGalleryDatabase(${JSON.stringify(join(dir, 'c.db'))}); return 'opened'; } catch (error) { return error.message; } })
        .then((result) => require('node:worker_threads').parentPort.postMessage(result));`,
      { eval: true },
    );
    delete process.env[SQLITE_ADDON_ENV];
    const result = await new Promise<string>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result).toMatch(/not-built/);
  });
});
