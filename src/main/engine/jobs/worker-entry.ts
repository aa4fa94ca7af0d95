/**
 * Where the job worker's code is and how to start it.
 *
 * From source (tests, tsx, dev) this module is a .ts file, so the worker is
 * `job-worker.ts` and needs tsx to load TypeScript. In the build, electron-vite
 * bundles this module into `out/main/index.js` and the worker into its own
 * entry `out/main/job-worker.js` beside it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface WorkerEntry {
  /** The worker script. */
  entry: URL;
  /**
   * File URL of tsx's ESM API when the worker (or its job modules) are TypeScript.
   * `execArgv: ['--import', 'tsx']` does not work for worker threads on Node 20
   * (the hooks it registers do not apply to the worker's own entry: "Unknown file
   * extension .ts"), so the worker is started from a two-line bootstrap that calls
   * tsx's `register()` first and then imports the entry.
   */
  typeScriptLoader?: string;
}

export function resolveWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  const fromSource = /\.[cm]?ts$/.test(new URL(moduleUrl).pathname);
  if (!fromSource) return { entry: new URL('./job-worker.js', moduleUrl) };
  return { entry: new URL('./job-worker.ts', moduleUrl), typeScriptLoader: typeScriptLoaderUrl(moduleUrl) };
}

/** Resolved from this module, not from the working folder, which need not be the project. */
export function typeScriptLoaderUrl(moduleUrl: string = import.meta.url): string {
  const tsxFolder = dirname(createRequire(moduleUrl).resolve('tsx/package.json'));
  return pathToFileURL(join(tsxFolder, 'dist', 'esm', 'api', 'index.mjs')).href;
}

/** The code a worker thread starts with (`eval: true`) to run a TypeScript entry. */
export function typeScriptBootstrap(entry: URL, typeScriptLoader: string): string {
  return `import(${JSON.stringify(typeScriptLoader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}
