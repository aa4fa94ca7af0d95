#!/usr/bin/env node
// `npm start`: build if needed, then open the studio in Electron. Where no
// Electron binary can be had (offline machines, some CI), say so plainly and
// point to the browser studio, which needs no binary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (!existsSync(join(root, 'out', 'main', 'index.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) {
  console.log('Building the studio (first start)…');
  const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// Asking for Electron's path downloads the binary on first use; do it in a child so a failure is contained.
const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
  cwd: root,
  encoding: 'utf8',
  timeout: 180_000,
});
const electronPath = probe.status === 0 ? probe.stdout.trim() : '';
if (!electronPath || !existsSync(electronPath)) {
  // The download's own error ("fetch failed", a proxy or certificate problem) is the useful line.
  const lines = `${probe.stdout ?? ''}\n${probe.stderr ?? ''}\n${probe.error?.message ?? ''}`.split('\n').map((line) => line.trim());
  const detail = lines.find((line) => /^(\w*Error|RequestError|HTTPError):/.test(line)) ?? '';
  console.error(`
GANvas could not start as a desktop app: the Electron binary could not be downloaded on this machine.
${detail ? `(${detail})\n` : ''}
The studio also runs in your browser, with the same features and data:

    npx ganvas serve

then open the URL it prints (it contains a one-time access token).
`);
  process.exit(1);
}

const child = spawn(electronPath, [root], { cwd: root, stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
