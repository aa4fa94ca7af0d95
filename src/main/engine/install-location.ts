/**
 * Where GANvas is installed, found by walking up to our package.json, so the
 * same code works from source (tsx), from the electron-vite bundle and from
 * a packaged app.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;
let version: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ganvas') {
        version = pkg.version ?? '0.0.0';
        return (root = dir);
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('GANvas could not find its own package.json; is the installation complete?');
    dir = parent;
  }
}

export function appVersion(): string {
  packageRoot();
  return version ?? '0.0.0';
}

/** The built renderer that `ganvas serve` hands to the browser. */
export function rendererDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}
