/**
 * What `npm start` does once the studio is built (scripts/start-studio.js
 * builds it, then calls launchStudio): open the desktop app where an
 * Electron binary exists and better-sqlite3 is built for it; otherwise start
 * the same studio for the browser, print its URL and open it in the default
 * browser when there is a screen to show it on. A first start never ends in
 * "cannot start": the browser studio needs nothing that `npm install` did
 * not already build.
 *
 *   npm start                         desktop app, or the browser studio
 *   npm start -- --browser            the browser studio in any case
 *   npm start -- --port 8765 --data-dir ~/ganvas-data
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ensureElectronNative, findElectronBinary } from './electron-native.js';

/** Linux and the BSDs need an X11 or Wayland display; macOS and Windows always have a desktop. */
export function hasDisplay(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return !!(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * The system's "open this URL" command. The URL is one argument, never
 * passed through a shell: on Windows `start` is a cmd.exe built-in that would
 * read `&` and `^` in it, so rundll32's URL handler opens it instead.
 */
export function browserOpener(platform: NodeJS.Platform, url: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: [url] };
}

const USAGE = `usage: npm start [-- --browser] [-- --port N] [-- --data-dir DIR]
  --browser       start the studio for the browser even where the desktop app could open
  --port N        port for the browser studio (default: a free one)
  --data-dir DIR  the data folder (default: GANVAS_DATA_DIR, else the platform's app data folder)`;

interface LaunchOptions {
  browser: boolean;
  port: number;
  dataDir: string | undefined;
}

function parseLaunchArgs(argv: string[]): LaunchOptions | string {
  let values: { browser?: boolean; port?: string; 'data-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { browser: { type: 'boolean' }, port: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return `${error instanceof Error ? error.message : String(error)}\n${USAGE}`;
  }
  if (values.help) return USAGE;
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port must be a whole number from 0 to 65535, got "${values.port}"\n${USAGE}`;
  return { browser: !!values.browser, port, dataDir: values['data-dir'] };
}

/** Stops on the first Ctrl+C or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}

export async function startBrowserStudio(options: { port: number; dataDir: string | undefined; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform }): Promise<number> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  // Listening before anything is printed or opened: a Ctrl+C that comes while the
  // studio starts, or right after the URL appears, must still close it cleanly.
  const stopped = untilStopped();
  // Loaded here, not at the top: the desktop path never needs the server or the gallery.
  const { resolveDataDir } = await import('../src/main/engine/data-dir.js');
  const { rendererDir } = await import('../src/main/engine/install-location.js');
  const { openStudio } = await import('../src/main/api/studio.js');
  const { startServer } = await import('../src/main/server/index.js');
  const dataDir = resolveDataDir(options.dataDir, env);
  const studio = openStudio({ dataDir, transport: 'http' });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ studio, rendererDir: rendererDir(), port: options.port, token: env.GANVAS_TOKEN || undefined });
  } catch (error) {
    await studio.close();
    const message = error instanceof Error ? error.message : String(error);
    console.error(`GANvas could not start its server: ${message}${/EADDRINUSE/.test(message) ? `\nPort ${options.port} is taken; pick another with --port, or leave it out for a free one.` : ''}`);
    return 1;
  }
  console.log(`GANvas is running. Open this URL in a browser on this machine:\n\n    ${server.url}\n\nData folder: ${dataDir}`);

  if (hasDisplay(platform, env)) {
    const opener = browserOpener(platform, server.url);
    const cannotOpen = (why: string) => console.log(`Could not open a browser (${why}); open the URL above yourself.`);
    const child = spawn(opener.command, opener.args, { stdio: 'ignore', detached: true });
    child.on('error', (error) => cannotOpen(`${opener.command}: ${error.message}`));
    child.on('exit', (code) => {
      if (code) cannotOpen(`${opener.command} exited with code ${code}`);
    });
    child.unref();
    console.log('Opening it in your default browser…');
  } else {
    console.log('No display here, so no browser was opened: open the URL above in a browser on this machine,');
    console.log(`or from another one through an SSH tunnel (ssh -L ${server.port}:127.0.0.1:${server.port} this-host).`);
  }
  console.log('Press Ctrl+C to stop.');

  await stopped;
  console.log('Stopping GANvas…');
  await server.close();
  await studio.close();
  return 0;
}

function runElectron(electronBinary: string, root: string, options: LaunchOptions): Promise<number> {
  const env = { ...process.env };
  // Set, it would make Electron run our main script as plain Node, without a window.
  delete env.ELECTRON_RUN_AS_NODE;
  if (options.dataDir) env.GANVAS_DATA_DIR = options.dataDir;
  const child = spawn(electronBinary, [root], { cwd: root, stdio: 'inherit', env });
  return new Promise((done) => {
    child.on('error', (error) => {
      console.error(`Electron could not be started: ${error.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 130 : 0)));
  });
}

export async function launchStudio(argv: string[], root: string): Promise<number> {
  const options = parseLaunchArgs(argv);
  if (typeof options === 'string') {
    const isHelp = options === USAGE;
    (isHelp ? console.log : console.error)(options);
    return isHelp ? 0 : 2;
  }
  if (!options.browser) {
    console.log('Looking for the Electron binary (the first start downloads it)…');
    const electron = findElectronBinary(root);
    if (electron.path) {
      const native = ensureElectronNative(root, electron.path, (line) => console.log(line));
      if (native.ready) return runElectron(electron.path, root, options);
      console.log(`\nThe desktop app cannot open yet: ${native.message}\nStarting the studio for your browser instead (same studio, same data).\n`);
    } else {
      console.log(
        `\nNo Electron binary could be had on this machine${electron.detail ? ` (${electron.detail})` : ''},\n` +
          'so the studio starts for your browser instead (same studio, same data).\n',
      );
    }
  }
  return startBrowserStudio({ port: options.port, dataDir: options.dataDir });
}
