#!/usr/bin/env node
// `npm start`: build the studio if it was never built, then open it: as the
// desktop app where an Electron binary exists, else in the browser (see
// scripts/studio-launch.ts). Plain JavaScript up to the build, because the
// TypeScript loader (tsx) is all it may rely on before that.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!existsSync(join(root, 'out', 'main', 'index.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
  console.log('Building the studio (first start)…');
  const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) {
    console.error('The build failed (see above); `npm run build` repeats it.');
    process.exit(build.status || 1);
  }
}

const { register } = await import('tsx/esm/api');
register();
const { launchStudio } = await import('./studio-launch.ts');
process.exitCode = await launchStudio(process.argv.slice(2), root);
