/**
 * The Electron shell: one window, the IPC transport of the contract, the
 * studio and media protocols, menus. Everything else lives in the engine and
 * the API, which run and are tested without Electron; every security
 * decision made here (which page, which navigation, which sender, which link,
 * which file) is a plain function in this folder with its own tests, and this
 * file only wires them to Electron's events.
 */
// First: ONNX Runtime's telemetry is off before anything can load it (see the module).
import '../engine/onnx/no-telemetry.js';
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, MEDIA_SCHEME } from '../../shared/contract.js';
import { openStudio, type Studio } from '../api/studio.js';
import { mediaFile } from '../api/media.js';
import { resolveDataDir } from '../engine/data-dir.js';
import { SQLITE_ADDON_ENV } from '../engine/gallery/database.js';
import { packageRoot, rendererDir } from '../engine/install-location.js';
import { APP_SCHEME, appResponse, privilegedSchemes } from './app-protocol.js';
import { electronSqliteAddon } from './electron-native.js';
import { menuTemplate } from './menu.js';
import { isStudioPage, isTrustedSender, navigationVerdict, studioPage } from './navigation-rules.js';
import { startupFailureMessage, studioWindowOptions, withContentSecurityPolicy } from './studio-window.js';

// Must happen before `ready`.
protocol.registerSchemesAsPrivileged(privilegedSchemes());
// Every renderer sandboxed, including any a future change forgets to configure.
app.enableSandbox();

const developerTools = !app.isPackaged;
const page = studioPage({ devServerUrl: process.env.ELECTRON_RENDERER_URL, isPackaged: app.isPackaged });

/**
 * Unpackaged, the gallery loads the Electron build of better-sqlite3 that
 * `npm start` put in native/ (node_modules keeps the Node build for the CLI
 * and tests). Packaged, electron-builder has rebuilt node_modules for
 * Electron, and a GANVAS_SQLITE_ADDON from outside is never honoured.
 */
function chooseSqliteAddon(): void {
  delete process.env[SQLITE_ADDON_ENV];
  if (app.isPackaged) return;
  const addon = electronSqliteAddon(packageRoot(), { abi: process.versions.modules, platform: process.platform, arch: process.arch });
  if (existsSync(addon)) process.env[SQLITE_ADDON_ENV] = addon;
}

/** Applied to every webContents the app ever creates, not only the studio window. */
function guard(contents: WebContents): void {
  const act = (url: string) => {
    const verdict = navigationVerdict(url, page);
    if (verdict === 'external') void shell.openExternal(url);
    else if (verdict === 'download') contents.downloadURL(url);
    return verdict;
  };
  contents.on('will-navigate', (event) => {
    if (act(event.url) !== 'stay') event.preventDefault();
  });
  // Main-frame navigations were handled by will-navigate; no frame of the studio may leave it either.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && !isStudioPage(event.url, page)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isStudioPage(event.url, page)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    act(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function createWindow(studio: Studio): BrowserWindow {
  const window = new BrowserWindow(
    studioWindowOptions({
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      icon: join(packageRoot(), 'resources', 'icon.png'),
      developerTools,
    }),
  );
  window.once('ready-to-show', () => window.show());
  const unsubscribe = studio.onEvent((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  });
  window.on('closed', unsubscribe);
  void window.loadURL(page.href);
  return window;
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
  // The studio needs no camera, microphone, geolocation, notifications, USB, HID or serial devices.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

function showView(view: string): void {
  const window = BrowserWindow.getFocusedWindow();
  // A hash change inside our own page; the string is a literal from the menu, never from outside.
  void window?.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#/${view.toLowerCase()}`)}`);
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession();
  chooseSqliteAddon();
  let studio: Studio;
  try {
    // GANVAS_REDIS_URL sends folder and training jobs to BullMQ for `ganvas worker`s, as `ganvas serve --redis` does.
    const redisUrl = process.env.GANVAS_REDIS_URL || undefined;
    if (redisUrl !== undefined) {
      await (await import('../engine/redis-queue/connection.js')).checkRedis(redisUrl);
      await (await import('../engine/redis-queue/loader.js')).loadRedisQueue();
    }
    studio = openStudio({ dataDir: resolveDataDir(undefined), transport: 'electron', ...(redisUrl !== undefined ? { redisUrl } : {}) });
  } catch (error) {
    dialog.showErrorBox('GANvas could not start', startupFailureMessage(error));
    app.exit(1);
    return;
  }

  // Only the studio page in a top frame may call the API; dispatch validates every payload against the contract.
  ipcMain.handle(IPC_CALL_CHANNEL, (event: IpcMainInvokeEvent, method: unknown, payload: unknown) => {
    const frame = event.senderFrame;
    if (!isTrustedSender(frame ? { url: frame.url, isTopFrame: frame.parent === null } : null, page)) {
      return { ok: false, error: { code: 'invalid_request', message: 'calls are accepted from the studio window only' } };
    }
    return studio.dispatch(method, payload);
  });

  const renderer = rendererDir();
  protocol.handle(APP_SCHEME, (request) => appResponse(request, renderer));
  protocol.handle(MEDIA_SCHEME, (request) => {
    const url = new URL(request.url);
    const file = mediaFile(studio.context.gallery, `${url.hostname}${url.pathname}`);
    if (!file) return new Response('no such image', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });

  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ platform: process.platform, developerTools, showView })));
  createWindow(studio);

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(studio);
  });
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void studio.close();
  });
}

app.on('web-contents-created', (_event, contents) => guard(contents));

if (!app.requestSingleInstanceLock()) app.quit();
else void start();
