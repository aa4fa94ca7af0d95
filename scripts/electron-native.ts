/**
 * Builds better-sqlite3 for Electron's ABI into native/, leaving
 * node_modules' Node build (which the CLI and the tests load) untouched.
 * `npm start` runs it before it opens Electron; on its own:
 *
 *   node --import tsx scripts/electron-native.ts      (npm run electron:native)
 *
 * Where no Electron binary exists it builds nothing and says so. The rules
 * (where the build goes, when it is stale) are in
 * src/main/app/electron-native.ts; this file only runs the tools, on a copy
 * of the package in native/.build-…:
 *  1. prebuild-install (better-sqlite3's own installer) fetches the
 *     project's prebuilt binary for `--runtime electron --target <version>`;
 *  2. failing that, node-gyp compiles it against Electron's headers
 *     (`--dist-url https://electronjs.org/headers`, as Electron's guide to
 *     native modules describes). Both need the network; node-gyp also a
 *     C++ compiler and Python.
 * The result is loaded once by the Electron binary itself before it is
 * accepted, so a wrong build is caught here and not in the app.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BUILD_STAMP_FILE,
  SQLITE_ADDON_FILE,
  planElectronNative,
  readNativeFacts,
  tensorBackendNotes,
  type BuildStamp,
} from '../src/main/app/electron-native.js';

export interface AddonBuild {
  /** 'electron' for the app; 'node' builds the same way for Node (to try the steps where no Electron exists). */
  runtime: 'electron' | 'node';
  version: string;
  arch: string;
  platform: NodeJS.Platform;
  /** Where the finished better_sqlite3.node and its stamp go. */
  dir: string;
  stamp: BuildStamp;
  /** node-gyp's --nodedir: local headers instead of a download (only for runtime 'node'). */
  nodedir?: string;
}

/**
 * The Electron executable, or why there is none. Asking the electron package
 * for its path downloads the binary on first use, so this runs in a child
 * with a timeout: a hanging or failing download cannot take the caller down.
 */
export function findElectronBinary(root: string): { path: string | null; detail: string } {
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  // A first call prints "Downloading Electron binary..." before the path; the path is the last line.
  const path = probe.status === 0 ? (probe.stdout.trim().split('\n').pop() ?? '').trim() : '';
  if (path && existsSync(path)) return { path, detail: '' };
  // The download's own error ("fetch failed", a proxy or certificate problem) is the useful line.
  const lines = `${probe.stdout ?? ''}\n${probe.stderr ?? ''}\n${probe.error?.message ?? ''}`.split('\n').map((line) => line.trim());
  const detail = lines.find((line) => /^(\w*Error|RequestError|HTTPError):/.test(line)) ?? (path ? `${path} does not exist` : '');
  return { path: null, detail };
}

/** node-gyp is npm's: npm names it to lifecycle scripts, else it sits in npm's own node_modules. */
function nodeGypScript(root: string): string | null {
  const npmDir = process.env.npm_execpath ? dirname(dirname(process.env.npm_execpath)) : null;
  const candidates = [
    process.env.npm_config_node_gyp,
    npmDir && join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((file): file is string => !!file && existsSync(file)) ?? null;
}

function run(command: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
  return { ok: result.status === 0, output };
}

const tail = (text: string, lines = 15) => text.trim().split('\n').slice(-lines).join('\n');

/** Builds into a scratch copy, then moves the addon into `build.dir`. Returns the addon's path. */
export function buildSqliteAddon(root: string, build: AddonBuild, log: (line: string) => void): string {
  const nativeRoot = join(root, 'native');
  const scratch = join(nativeRoot, `.build-${process.pid}`);
  const source = join(root, 'node_modules', 'better-sqlite3');
  const copy = join(scratch, 'better-sqlite3');
  rmSync(scratch, { recursive: true, force: true });
  try {
    // Everything but its build/ folder, which holds node_modules' Node build and must not be touched.
    cpSync(source, copy, { recursive: true, filter: (file) => relative(source, file).split(sep)[0] !== 'build' });
    const built = join(copy, 'build', 'Release', SQLITE_ADDON_FILE);
    const failures: string[] = [];

    const prebuild = join(root, 'node_modules', 'prebuild-install', 'bin.js');
    if (existsSync(prebuild)) {
      log(`Fetching better-sqlite3's prebuilt binary for ${build.runtime} ${build.version}…`);
      const fetched = run(process.execPath, [prebuild, `--runtime=${build.runtime}`, `--target=${build.version}`, `--arch=${build.arch}`, `--platform=${build.platform}`], copy);
      if (!fetched.ok || !existsSync(built)) failures.push(`prebuild-install: ${tail(fetched.output, 5) || 'no binary'}`);
    } else {
      failures.push('prebuild-install is not installed');
    }

    if (!existsSync(built)) {
      const gyp = nodeGypScript(root);
      if (!gyp) {
        failures.push('node-gyp was not found (it ships with npm; run this through npm, e.g. npm run electron:native)');
      } else {
        log(`Compiling better-sqlite3 for ${build.runtime} ${build.version} (a few minutes)…`);
        const headers =
          build.runtime === 'electron'
            ? ['--runtime=electron', '--dist-url=https://electronjs.org/headers']
            : build.nodedir
              ? [`--nodedir=${build.nodedir}`]
              : [];
        const compiled = run(process.execPath, [gyp, 'rebuild', '--release', `--target=${build.version}`, `--arch=${build.arch}`, ...headers], copy);
        if (!compiled.ok || !existsSync(built)) failures.push(`node-gyp: ${tail(compiled.output)}`);
      }
    }

    if (!existsSync(built)) throw new Error(`better-sqlite3 could not be built for ${build.runtime} ${build.version}:\n${failures.join('\n')}`);
    mkdirSync(build.dir, { recursive: true });
    const addon = join(build.dir, SQLITE_ADDON_FILE);
    // Rename within native/, so a reader never sees half a file; the stamp goes first and comes back last,
    // so a build stopped in between counts as stale and is redone.
    rmSync(join(build.dir, BUILD_STAMP_FILE), { force: true });
    renameSync(built, addon);
    writeFileSync(join(build.dir, BUILD_STAMP_FILE), `${JSON.stringify(build.stamp, null, 2)}\n`);
    return addon;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Loads the addon in the Electron binary (run as Node); a wrong ABI fails here with Node's own message. */
function loadsInElectron(electronBinary: string, addon: string): { ok: boolean; output: string } {
  const result = spawnSync(electronBinary, ['-e', `require(${JSON.stringify(addon)})`], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 60_000,
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

export interface NativeOutcome {
  ready: boolean;
  message: string;
}

/** Makes sure the Electron build exists; says what it did or why the desktop app cannot open. */
export function ensureElectronNative(root: string, electronBinary: string | null, log: (line: string) => void): NativeOutcome {
  const facts = readNativeFacts(root, electronBinary);
  for (const note of tensorBackendNotes(root)) log(note);
  const plan = planElectronNative(facts);
  if (!plan.build) {
    const ready = !!facts.electronBinary && !!facts.betterSqlite3;
    return { ready, message: plan.reason };
  }
  log(`${plan.reason}; building it into ${relative(root, plan.dir)}${sep}`);
  try {
    const addon = buildSqliteAddon(
      root,
      { runtime: 'electron', version: plan.electron, arch: facts.arch, platform: facts.platform, dir: plan.dir, stamp: { electron: plan.electron, abi: plan.abi, betterSqlite3: plan.betterSqlite3 } },
      log,
    );
    const check = loadsInElectron(facts.electronBinary!, addon);
    if (!check.ok) {
      rmSync(plan.dir, { recursive: true, force: true });
      return { ready: false, message: `the build does not load in Electron ${plan.electron}:\n${tail(check.output)}` };
    }
    return { ready: true, message: `built better-sqlite3 ${plan.betterSqlite3} for Electron ${plan.electron} (ABI ${plan.abi})` };
  } catch (error) {
    return { ready: false, message: error instanceof Error ? error.message : String(error) };
  }
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const binary = findElectronBinary(root);
  const outcome = ensureElectronNative(root, binary.path, (line) => console.log(line));
  console.log(outcome.message);
  // No Electron binary is not a failure of this script: there is simply nothing to build.
  process.exitCode = outcome.ready || !binary.path ? 0 : 1;
}
