// The Electron shell's security decisions, under plain Node: no Electron
// binary exists here, so main.ts keeps every decision in a function of its
// own and these tests hold those functions to the attacks they exist for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_SCHEME, STUDIO_PAGE_URL, appFileFor, appResponse, privilegedSchemes } from '../../src/main/app/app-protocol.js';
import { EXTERNAL_LINKS, isAllowedExternalLink } from '../../src/main/app/external-links.js';
import { menuTemplate, VIEWS } from '../../src/main/app/menu.js';
import { isStudioPage, isTrustedSender, navigationVerdict, studioPage } from '../../src/main/app/navigation-rules.js';
import { startupFailureMessage, studioWindowOptions, withContentSecurityPolicy } from '../../src/main/app/studio-window.js';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/security.js';

const packaged = studioPage({ isPackaged: true });
const dev = studioPage({ devServerUrl: 'http://localhost:5173/', isPackaged: false });
const hash = 'a'.repeat(64);

describe('the studio page', () => {
  it('is served from the ganvas-app scheme, not file://', () => {
    expect(packaged.href).toBe('ganvas-app://studio/index.html');
    expect(studioPage({ isPackaged: false }).href).toBe(STUDIO_PAGE_URL);
  });

  it('comes from the dev server only when unpackaged, and only from a loopback http server', () => {
    expect(dev.href).toBe('http://localhost:5173/');
    // A packaged app ignores the variable: whoever sets the environment must not choose the page that holds the API bridge.
    expect(studioPage({ devServerUrl: 'https://evil.example/', isPackaged: true }).href).toBe(STUDIO_PAGE_URL);
    expect(() => studioPage({ devServerUrl: 'https://evil.example/', isPackaged: false })).toThrow(/localhost/);
    expect(() => studioPage({ devServerUrl: 'http://localhost.evil.tld:5173/', isPackaged: false })).toThrow(/localhost/);
    expect(() => studioPage({ devServerUrl: 'http://user@localhost:5173/', isPackaged: false })).toThrow(/localhost/);
    expect(() => studioPage({ devServerUrl: 'not a url', isPackaged: false })).toThrow(/not a URL/);
  });
});

describe('isStudioPage compares parsed URLs, not prefixes', () => {
  it('accepts the page itself with any #route or query', () => {
    expect(isStudioPage('ganvas-app://studio/index.html', packaged)).toBe(true);
    expect(isStudioPage('ganvas-app://studio/index.html#/gallery?item=3', packaged)).toBe(true);
    expect(isStudioPage('ganvas-app://studio/', packaged)).toBe(true);
    expect(isStudioPage('GANVAS-APP://STUDIO/index.html', packaged)).toBe(true);
    expect(isStudioPage('http://localhost:5173/#/doodle', dev)).toBe(true);
    expect(isStudioPage('http://localhost:5173/index.html', dev)).toBe(true);
  });

  it('refuses look-alikes that a startsWith check let through', () => {
    // Each of these starts with the string the old check compared against.
    expect(isStudioPage('ganvas-app://studio/index.html.x', packaged)).toBe(false);
    expect(isStudioPage('http://localhost:5173.evil.tld/', dev)).toBe(false);
    expect(isStudioPage('http://localhost:5173@evil.tld/', dev)).toBe(false);
    expect(isStudioPage('http://localhost:51730/', dev)).toBe(false);
    expect(isStudioPage('file:///tmp/out/renderer/index.html', packaged)).toBe(false);
    expect(isStudioPage('ganvas-app://studio.evil/index.html', packaged)).toBe(false);
    expect(isStudioPage('ganvas-app://studio/assets/index.js', packaged)).toBe(false);
    expect(isStudioPage('https://localhost:5173/', dev)).toBe(false);
    expect(isStudioPage('', packaged)).toBe(false);
    expect(isStudioPage(null, packaged)).toBe(false);
    expect(isStudioPage('::not a url::', packaged)).toBe(false);
  });

  it('only trusts IPC from the studio page in a top frame', () => {
    expect(isTrustedSender({ url: 'ganvas-app://studio/index.html#/train', isTopFrame: true }, packaged)).toBe(true);
    expect(isTrustedSender({ url: 'ganvas-app://studio/index.html', isTopFrame: false }, packaged)).toBe(false);
    expect(isTrustedSender({ url: 'ganvas-app://studio/index.html.x', isTopFrame: true }, packaged)).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173.evil.tld/', isTopFrame: true }, dev)).toBe(false);
    expect(isTrustedSender(null, packaged)).toBe(false);
  });
});

describe('navigation verdicts', () => {
  it('stays only on the studio page, blocks the rest', () => {
    expect(navigationVerdict('ganvas-app://studio/index.html#/models', packaged)).toBe('stay');
    expect(navigationVerdict('https://evil.example/', packaged)).toBe('block');
    expect(navigationVerdict('file:///etc/passwd', packaged)).toBe('block');
    expect(navigationVerdict('javascript:alert(1)', packaged)).toBe('block');
    expect(navigationVerdict('ganvas-app://studio/index.html.x', packaged)).toBe('block');
  });

  it('saves gallery images instead of navigating to them', () => {
    expect(navigationVerdict(`ganvas-media://image/${hash}`, packaged)).toBe('download');
    expect(navigationVerdict(`ganvas-media://thumb/${hash}`, packaged)).toBe('download');
    expect(navigationVerdict('ganvas-media://image/../../etc/passwd', packaged)).toBe('block');
    expect(navigationVerdict(`ganvas-media://other/${hash}`, packaged)).toBe('block');
  });

  it('sends only the links the app offers to the browser', () => {
    const links = ['https://openmoji.org/library/'];
    expect(navigationVerdict('https://openmoji.org/library/', packaged, links)).toBe('external');
    expect(navigationVerdict('https://openmoji.org/library/#top', packaged, links)).toBe('external');
    expect(navigationVerdict('https://openmoji.org/library/x', packaged, links)).toBe('block');
    expect(navigationVerdict('https://openmoji.org.evil.tld/library/', packaged, links)).toBe('block');
  });
});

describe('external links', () => {
  const allowed = ['https://example.org/docs?page=1'];

  it('match exactly after normalisation, https only', () => {
    expect(isAllowedExternalLink('https://EXAMPLE.org/docs?page=1', allowed)).toBe(true);
    expect(isAllowedExternalLink('https://example.org/docs?page=1#intro', allowed)).toBe(true);
    expect(isAllowedExternalLink('https://example.org/docs?page=2', allowed)).toBe(false);
    expect(isAllowedExternalLink('https://example.org/docs', allowed)).toBe(false);
    expect(isAllowedExternalLink('http://example.org/docs?page=1', allowed)).toBe(false);
    expect(isAllowedExternalLink('https://user:pw@example.org/docs?page=1', allowed)).toBe(false);
    expect(isAllowedExternalLink('https://example.org.evil.tld/docs?page=1', allowed)).toBe(false);
    expect(isAllowedExternalLink('not a url', allowed)).toBe(false);
  });

  it('refuses any https URL the app does not link to (the old handler opened them all)', () => {
    expect(isAllowedExternalLink('https://evil.example/')).toBe(false);
    expect(navigationVerdict('https://evil.example/', packaged)).toBe('block');
  });

  it('lists exactly the https links in the renderer sources', () => {
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(svelte|ts|html)$/.test(name)) {
          for (const match of readFileSync(path, 'utf8').matchAll(/(?:href=|window\.open\()\s*["'`{]?(https:\/\/[^"'`}\s)]+)/g)) found.add(match[1]!);
        }
      }
    };
    walk(join(import.meta.dirname, '../../src/renderer'));
    expect([...found].sort()).toEqual([...EXTERNAL_LINKS].sort());
  });
});

describe('the ganvas-app protocol', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ganvas-app-protocol-'));
    mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>GANvas</title>');
    writeFileSync(join(root, 'renderer', 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'not for the page');
    writeFileSync(join(root, 'renderer-evil.html'), 'sibling folder with a shared prefix');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is registered as a standard, secure scheme without bypassing CSP', () => {
    const app = privilegedSchemes().find((scheme) => scheme.scheme === APP_SCHEME);
    expect(app?.privileges).toMatchObject({ standard: true, secure: true });
    for (const scheme of privilegedSchemes()) expect(scheme.privileges?.bypassCSP).toBeFalsy();
  });

  it('serves the built renderer with the CSP header', async () => {
    const renderer = join(root, 'renderer');
    const page = await appResponse({ url: 'ganvas-app://studio/', method: 'GET' }, renderer);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>GANvas</title>');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const script = await appResponse({ url: 'ganvas-app://studio/assets/index-abc.js', method: 'GET' }, renderer);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await appResponse({ url: 'ganvas-app://studio/missing.js', method: 'GET' }, renderer)).status).toBe(404);
    expect((await appResponse({ url: 'ganvas-app://studio/assets', method: 'GET' }, renderer)).status).toBe(404);
    expect((await appResponse({ url: 'ganvas-app://studio/', method: 'POST' }, renderer)).status).toBe(405);
  });

  it('never reaches a file outside the renderer folder', async () => {
    const renderer = join(root, 'renderer');
    const attempts = [
      'ganvas-app://studio/../secret.txt',
      'ganvas-app://studio/%2e%2e/secret.txt',
      'ganvas-app://studio/assets%2F..%2F..%2Fsecret.txt',
      'ganvas-app://studio/..%5Csecret.txt',
      'ganvas-app://studio/%2e%2e%2frenderer-evil.html',
      `ganvas-app://studio/${encodeURIComponent(join(root, 'secret.txt'))}`,
      'ganvas-app://studio/%00index.html',
      'ganvas-app://studio/%E0%A4%A',
      'ganvas-app://other/index.html',
      'file:///etc/passwd',
    ];
    for (const url of attempts) {
      const found = appFileFor(url, renderer);
      if ('file' in found) expect(found.file.startsWith(join(renderer, '/'))).toBe(true);
      const response = await appResponse({ url, method: 'GET' }, renderer);
      const body = await response.text();
      expect(body, url).not.toContain('not for the page');
      expect(body, url).not.toContain('shared prefix');
    }
    expect('status' in appFileFor('ganvas-app://studio/%2e%2e/secret.txt', renderer)).toBe(true);
  });
});

describe('the window and its session', () => {
  it('isolates the page: context isolation, sandbox, no Node, web security', () => {
    const options = studioWindowOptions({ preload: '/app/preload.cjs', icon: '/app/icon.png', developerTools: false });
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('puts our CSP on every response, replacing one the server sent', () => {
    const headers = withContentSecurityPolicy({ 'content-security-policy': ["script-src 'unsafe-eval' *"], 'Content-Type': ['text/html'] });
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['Content-Type']).toEqual(['text/html']);
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('tells a user what to do when the SQLite module is built for another ABI', () => {
    const message = startupFailureMessage(new Error('The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 150.'));
    expect(message).toMatch(/npm start/);
    expect(message).toMatch(/ganvas serve/);
    expect(startupFailureMessage(new Error('disk full'))).toMatch(/disk full/);
  });
});

describe('the menu', () => {
  const roles = (template: ReturnType<typeof menuTemplate>): string[] =>
    template.flatMap((item) => [item.role ?? '', ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]).filter(Boolean);

  it('has no developer tools when packaged', () => {
    const shown: string[] = [];
    const template = menuTemplate({ platform: 'linux', developerTools: false, showView: (view) => shown.push(view) });
    expect(roles(template)).not.toContain('toggleDevTools');
    expect(roles(template)).not.toContain('forceReload');
    expect(roles(menuTemplate({ platform: 'linux', developerTools: true, showView: () => {} }))).toContain('toggleDevTools');
  });

  it('switches views with Ctrl/Cmd+1…6, like the renderer', () => {
    const shown: string[] = [];
    const template = menuTemplate({ platform: 'darwin', developerTools: false, showView: (view) => shown.push(view) });
    expect(template[0]?.role).toBe('appMenu');
    const view = template.find((item) => item.label === 'View');
    const items = (view?.submenu as { label?: string; accelerator?: string; click?: () => void }[]).filter((item) => item.accelerator);
    expect(items.map((item) => item.accelerator)).toEqual(VIEWS.map((_, index) => `CmdOrCtrl+${index + 1}`));
    items[4]?.click?.();
    expect(shown).toEqual(['Gallery']);
  });
});
