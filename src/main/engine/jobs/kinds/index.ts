/**
 * The job kind modules the job worker loads. Only paths here: the modules
 * themselves import tfjs and must load in the worker, never on the main thread.
 *
 * From source (tests, tsx) they are the .ts files beside this one. In the
 * electron-vite build this module is bundled into out/main/index.js and each
 * kind is its own entry, out/main/job-kinds/<name>.js.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Every job kind the studio can run, by module name. */
export const jobKindNames = ['train', 'translate-folder', 'upscale'] as const;

/**
 * File URLs of the job kind modules that exist. A kind whose module is not
 * there (not written or not built yet) is left out rather than breaking the
 * worker, which fails every job when one module cannot load; a job of a
 * missing kind fails with "unknown job kind 'x' (this app can run: …)".
 */
export function jobKindModules(moduleUrl: string = import.meta.url): string[] {
  const fromSource = /\.[cm]?ts$/.test(new URL(moduleUrl).pathname);
  return jobKindNames
    .map((name) => (fromSource ? new URL(`./${name}.ts`, moduleUrl) : new URL(`./job-kinds/${name}.js`, moduleUrl)))
    .filter((url) => existsSync(fileURLToPath(url)))
    .map((url) => url.href);
}
