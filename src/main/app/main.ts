/**
 * The Electron shell: one window, the IPC transport of the contract, the
 * media protocol, menus. Everything else lives in the engine and the API,
 * which run and are tested without Electron.
 */
import { app, BrowserWindow, ipcMain, Menu, net, protocol, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, MEDIA_SCHEME } from '../../shared/contract.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/security.js';
import { openStudio, type Studio } from '../api/studio.js';
import { mediaFile } from '../api/media.js';
import { resolveDataDir } from '../engine/data-dir.js';
import { packageRoot } from '../engine/install-location.js';
import { buildMenu } from './menu.js';

// Must happen before `ready`: the media scheme is privileged like https (no CORS surprises, fetchable).
protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

const rendererUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`
const rendererFile = join(import.meta.dirname, '../renderer/index.html');

function isOurPage(url: string): boolean {
  if (rendererUrl) return url.startsWith(rendererUrl);
  return url.startsWith(pathToFileURL(rendererFile).href);
}

function createWindow(studio: Studio): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'GANvas',
    backgroundColor: '#16181d',
    icon: join(packageRoot(), 'resources', 'icon.png'),
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());

  // No navigation away from the studio and no new windows; external links open in the browser.
  window.webContents.on('will-navigate', (event, url) => {
    if (!isOurPage(url)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });

  const unsubscribe = studio.onEvent((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  });
  window.on('closed', unsubscribe);

  if (rendererUrl) void window.loadURL(rendererUrl);
  else void window.loadFile(rendererFile);
  return window;
}

function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // The studio needs no camera, microphone, geolocation or notifications.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession();
  const studio = openStudio({ dataDir: resolveDataDir(undefined), transport: 'electron' });

  // Only our own page may call the API; the payload is validated by dispatch like any other.
  ipcMain.handle(IPC_CALL_CHANNEL, (event: IpcMainInvokeEvent, method: unknown, payload: unknown) => {
    if (!event.senderFrame || !isOurPage(event.senderFrame.url)) {
      return { ok: false, error: { code: 'invalid_request', message: 'calls are accepted from the studio window only' } };
    }
    return studio.dispatch(method, payload);
  });

  protocol.handle(MEDIA_SCHEME, (request) => {
    const url = new URL(request.url);
    const file = mediaFile(studio.context.gallery, `${url.hostname}${url.pathname}`);
    if (!file) return new Response('no such image', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });

  Menu.setApplicationMenu(buildMenu());
  createWindow(studio);

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(studio);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void studio.close();
  });
}

// Defence in depth: even if something creates another webContents, it gets the same restrictions.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

if (!app.requestSingleInstanceLock()) app.quit();
else void start();
