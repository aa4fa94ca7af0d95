/**
 * Native modules and the desktop app. `npm install` builds better-sqlite3 for
 * Node's ABI, which the CLI and the tests load; Electron has an ABI of its
 * own (its NODE_MODULE_VERSION), so the same file refuses to load there. We
 * keep node_modules' Node build as it is and put a second build, for
 * Electron, in `native/electron-<abi>-<platform>-<arch>/better_sqlite3.node`;
 * the Electron main process points the gallery at that file.
 *
 * This module holds the rules (where the file lives, whether it must be
 * built) as plain functions, tested under Node; scripts/electron-native.ts
 * runs the build. No `electron` import: the rules are needed before any
 * Electron binary exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const SQLITE_ADDON_FILE = 'better_sqlite3.node';
/** Next to each build: what it was built from, so upgrading Electron or better-sqlite3 rebuilds it. */
export const BUILD_STAMP_FILE = 'built-for.json';

export interface AddonTarget {
  abi: string;
  platform: NodeJS.Platform;
  arch: string;
}

export interface BuildStamp {
  electron: string;
  abi: string;
  betterSqlite3: string;
}

export function electronNativeDir(root: string, target: AddonTarget): string {
  return join(root, 'native', `electron-${target.abi}-${target.platform}-${target.arch}`);
}

export function electronSqliteAddon(root: string, target: AddonTarget): string {
  return join(electronNativeDir(root, target), SQLITE_ADDON_FILE);
}

/** What the planner needs to know, gathered by readNativeFacts (or given by a test). */
export interface NativeFacts {
  root: string;
  platform: NodeJS.Platform;
  arch: string;
  /** The ABI of the Node running the CLI and tests (process.versions.modules). */
  nodeAbi: string;
  /** The `electron` npm package, if installed: its version and the ABI it ships in `abi_version`. */
  electron: { version: string; abi: string } | null;
  /** The downloaded Electron executable, if any (the npm package alone is only a downloader). */
  electronBinary: string | null;
  betterSqlite3: string | null;
  /** The stamp of an existing build for this ABI/platform/arch, and whether its addon file is there. */
  stamp: BuildStamp | null;
  addonExists: boolean;
}

export type NativePlan =
  | { build: false; reason: string }
  | { build: true; reason: string; dir: string; electron: string; abi: string; betterSqlite3: string };

export function planElectronNative(facts: NativeFacts): NativePlan {
  if (!facts.electron) return { build: false, reason: 'the electron package is not installed, so there is no desktop app to build for' };
  if (!facts.electronBinary) {
    return { build: false, reason: 'no Electron binary was downloaded on this machine, so the desktop app cannot run here; nothing to build' };
  }
  if (!facts.betterSqlite3) return { build: false, reason: 'better-sqlite3 is not installed (run npm install first)' };
  const { version, abi } = facts.electron;
  if (abi === facts.nodeAbi) {
    return { build: false, reason: `Electron ${version} uses Node's ABI ${abi}, so node_modules' build loads as it is` };
  }
  const wanted: BuildStamp = { electron: version, abi, betterSqlite3: facts.betterSqlite3 };
  const stamp = facts.stamp;
  if (facts.addonExists && stamp && stamp.electron === wanted.electron && stamp.abi === wanted.abi && stamp.betterSqlite3 === wanted.betterSqlite3) {
    return { build: false, reason: `better-sqlite3 ${wanted.betterSqlite3} is already built for Electron ${version} (ABI ${abi})` };
  }
  const why = !facts.addonExists
    ? `better-sqlite3 ${wanted.betterSqlite3} has no build for Electron ${version} (ABI ${abi}) yet`
    : `the build in native/ is for ${stamp ? `Electron ${stamp.electron} and better-sqlite3 ${stamp.betterSqlite3}` : 'unknown versions'}, not Electron ${version} and better-sqlite3 ${wanted.betterSqlite3}`;
  return {
    build: true,
    reason: why,
    dir: electronNativeDir(facts.root, { abi, platform: facts.platform, arch: facts.arch }),
    ...wanted,
  };
}

/**
 * The optional tensor backends, when installed, need no Electron build: both
 * are Node-API addons (package.json `binary.napi_versions`, loaded from
 * `lib/napi-v<N>/`), and Node-API is the same in Node and Electron. An
 * install without that field predates Node-API and is reported, not rebuilt:
 * the backend ladder then falls back to WebAssembly in the desktop app.
 */
export function tensorBackendNotes(root: string): string[] {
  const notes: string[] = [];
  for (const name of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    const pkg = readJson<{ version?: string; binary?: { napi_versions?: unknown } }>(join(root, 'node_modules', name, 'package.json'));
    if (!pkg) continue;
    notes.push(
      Array.isArray(pkg.binary?.napi_versions)
        ? `${name} ${pkg.version ?? ''} is a Node-API addon: it loads in Electron as built`
        : `${name} ${pkg.version ?? ''} is not a Node-API build: the desktop app will use WebAssembly instead`,
    );
  }
  return notes;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * Reads the facts from disk. `electronBinary` is found by the caller: asking
 * the electron package for it may start a download, which a caller wants to
 * contain in a child process with a timeout.
 */
export function readNativeFacts(root: string, electronBinary: string | null, host: { platform: NodeJS.Platform; arch: string; nodeAbi: string } = {
  platform: process.platform,
  arch: process.arch,
  nodeAbi: process.versions.modules,
}): NativeFacts {
  const electronPkg = readJson<{ version?: string }>(join(root, 'node_modules', 'electron', 'package.json'));
  let electron: NativeFacts['electron'] = null;
  if (electronPkg?.version) {
    let abi = '';
    try {
      abi = readFileSync(join(root, 'node_modules', 'electron', 'abi_version'), 'utf8').trim();
    } catch {
      // Older electron packages do not ship abi_version; node-abi (a dependency of prebuild-install) knows the table.
    }
    if (!/^\d+$/.test(abi)) abi = abiFromNodeAbi(root, electronPkg.version) ?? '';
    if (abi) electron = { version: electronPkg.version, abi };
  }
  const target = { abi: electron?.abi ?? '', platform: host.platform, arch: host.arch };
  const dir = electronNativeDir(root, target);
  return {
    root,
    ...host,
    electron,
    electronBinary: electronBinary && existsSync(electronBinary) ? electronBinary : null,
    betterSqlite3: readJson<{ version?: string }>(join(root, 'node_modules', 'better-sqlite3', 'package.json'))?.version ?? null,
    stamp: electron ? readJson<BuildStamp>(join(dir, BUILD_STAMP_FILE)) : null,
    addonExists: electron ? existsSync(join(dir, SQLITE_ADDON_FILE)) : false,
  };
}

function abiFromNodeAbi(root: string, electronVersion: string): string | null {
  const file = join(root, 'node_modules', 'node-abi', 'index.js');
  if (!existsSync(file)) return null;
  try {
    const nodeAbi = createRequire(file)(file) as { getAbi(version: string, runtime: string): string };
    return nodeAbi.getAbi(electronVersion, 'electron');
  } catch {
    return null;
  }
}
