// `npm start` where no Electron binary can be had (as on this machine): it
// must start the browser studio, print its URL, open a browser only when
// there is a display, and stop cleanly on Ctrl+C. Run for real: the script
// in a child process, a real server on a real port, a real data folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { browserOpener, hasDisplay } from '../../scripts/studio-launch.js';

const root = join(import.meta.dirname, '../..');
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'ganvas-start-'));
  // Electron's npm package returns <ELECTRON_OVERRIDE_DIST_PATH>/electron without downloading anything;
  // an empty folder is a machine where the binary is not there, whatever the network.
  mkdirSync(join(scratch, 'no-electron'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startStudio(name: string, env: Record<string, string>, args: string[] = []): Promise<Started> {
  const base = { ...process.env };
  for (const key of ['DISPLAY', 'WAYLAND_DISPLAY', 'GANVAS_TOKEN', 'ELECTRON_RUN_AS_NODE']) delete base[key];
  const child = spawn(process.execPath, [join(root, 'scripts', 'start-studio.js'), ...args], {
    cwd: root,
    env: { ...base, GANVAS_DATA_DIR: join(scratch, name, 'data'), ELECTRON_OVERRIDE_DIST_PATH: join(scratch, 'no-electron'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return new Promise((resolve, reject) => {
    const check = () => {
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(text)?.[0];
      if (url && /Press Ctrl\+C/.test(text)) {
        child.stdout!.off('data', check);
        resolve({ child, url, output: () => text });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`start-studio exited with ${code} before printing a URL:\n${text}`)));
  });
}

/** Ctrl+C, as a terminal sends it; resolves with how the process ended. */
function stop(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.kill('SIGINT');
  });
}

describe('npm start without an Electron binary', () => {
  it('starts the browser studio, prints a URL that works, opens no browser without a display, and stops on Ctrl+C', async () => {
    const started = await startStudio('headless', {});
    try {
      expect(started.output()).toMatch(/No Electron binary could be had on this machine/);
      expect(started.output()).toMatch(/No display here, so no browser was opened/);
      expect(started.output()).toContain(`Data folder: ${join(scratch, 'headless', 'data')}`);

      // The printed URL is the real thing: its token buys a cookie, the cookie buys the studio and its API.
      const first = await fetch(started.url, { redirect: 'manual' });
      expect(first.status).toBe(303);
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const origin = new URL(started.url).origin;
      const page = await fetch(`${origin}/`, { headers: { Cookie: cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>GANvas</title>');
      const info = await fetch(`${origin}/api/app.info`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
      expect(await info.json()).toMatchObject({ ok: true, value: { transport: 'http', dataDir: join(scratch, 'headless', 'data') } });
    } finally {
      expect(await stop(started.child)).toEqual({ code: 0, signal: null });
    }
    expect(started.output()).toMatch(/Stopping GANvas/);
    expect(existsSync(join(scratch, 'headless', 'data', 'gallery.db'))).toBe(true);
  });

  it('opens the URL with the system opener when there is a display, and stops cleanly on a Ctrl+C right after the URL', async () => {
    // xdg-open is the desktop's, not ours: a stand-in records what it was asked to open.
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    const opened = join(scratch, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const started = await startStudio('display', { DISPLAY: ':99', PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` });
    // Ctrl+C the moment the URL is out: the studio was listening for it before it printed anything.
    expect(await stop(started.child)).toEqual({ code: 0, signal: null });
    expect(started.output()).toMatch(/Opening it in your default browser/);
    await expect.poll(() => (existsSync(opened) ? readFileSync(opened, 'utf8') : ''), { timeout: 10_000 }).toBe(started.url);
  });

  it('refuses a bad option with a usage message and exit code 2', async () => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'start-studio.js'), '--port', 'eighty'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(text).toMatch(/--port must be a whole number/);
    expect(text).toMatch(/usage: npm start/);
  });
});

describe('display and opener', () => {
  it('needs DISPLAY or WAYLAND_DISPLAY on Linux, nothing on macOS and Windows', () => {
    expect(hasDisplay('linux', {})).toBe(false);
    expect(hasDisplay('linux', { DISPLAY: ':0' })).toBe(true);
    expect(hasDisplay('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(hasDisplay('freebsd', {})).toBe(false);
    expect(hasDisplay('darwin', {})).toBe(true);
    expect(hasDisplay('win32', {})).toBe(true);
  });

  it('passes the URL as one argument, never through a shell', () => {
    const url = 'http://127.0.0.1:8765/?token=abc&x=^1';
    expect(browserOpener('linux', url)).toEqual({ command: 'xdg-open', args: [url] });
    expect(browserOpener('darwin', url)).toEqual({ command: 'open', args: [url] });
    expect(browserOpener('win32', url)).toEqual({ command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] });
  });
});
