/**
 * What the desktop window may show, where it may go, and who may call the
 * API: the security decisions of the Electron shell as plain functions of
 * URLs, so they are tested under Node. main.ts wires them to Electron's
 * events and does nothing else with URLs.
 *
 * Every check parses the URL and compares scheme, host and port as values.
 * Prefix checks on strings are not enough: `…/index.html.x` starts with
 * `…/index.html`, and `http://localhost:5173.evil.tld` starts with
 * `http://localhost:5173`.
 */
import { MEDIA_SCHEME } from '../../shared/channels.js';
import { STUDIO_PAGE_URL } from './app-protocol.js';
import { isAllowedExternalLink } from './external-links.js';

/**
 * The page the window loads. `electron-vite dev` names its dev server in
 * ELECTRON_RENDERER_URL; a packaged app ignores that variable (anyone who can
 * set the environment could otherwise point the window, with its API bridge,
 * at a page of their own), and even in development only a loopback http
 * server is accepted.
 */
export function studioPage(options: { devServerUrl?: string | undefined; isPackaged: boolean }): URL {
  const dev = options.devServerUrl;
  if (!dev || options.isPackaged) return new URL(STUDIO_PAGE_URL);
  let url: URL;
  try {
    url = new URL(dev);
  } catch {
    throw new Error(`ELECTRON_RENDERER_URL is not a URL: ${dev}`);
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'http:' || !loopback || url.username || url.password) {
    throw new Error(`ELECTRON_RENDERER_URL must be an http:// URL on this machine (localhost), got ${dev}`);
  }
  return url;
}

function parse(url: string | undefined | null): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function samePath(a: string, b: string): boolean {
  const index = (path: string) => (path === '/' ? '/index.html' : path);
  return index(a) === index(b);
}

/**
 * True for the studio page itself, with any query or #route. Compared as
 * parsed values: the WHATWG URL `origin` of a custom scheme is the string
 * "null", so scheme, host and port are compared one by one instead.
 */
export function isStudioPage(url: string | undefined | null, page: URL): boolean {
  const candidate = parse(url);
  if (!candidate) return false;
  return (
    candidate.protocol === page.protocol &&
    // Lower-cased by hand: WHATWG URL keeps a custom scheme's host as written; Chromium lower-cases a standard scheme's.
    candidate.hostname.toLowerCase() === page.hostname.toLowerCase() &&
    candidate.port === page.port &&
    candidate.username === '' &&
    candidate.password === '' &&
    samePath(candidate.pathname, page.pathname)
  );
}

/** The IPC sender check: only the studio page in the window's top frame may call the API. */
export function isTrustedSender(frame: { url: string; isTopFrame: boolean } | null | undefined, page: URL): boolean {
  return !!frame && frame.isTopFrame && isStudioPage(frame.url, page);
}

/**
 * What to do when the page tries to go to `url` (a link, `location = …`,
 * `window.open`): `stay` lets the navigation happen (only to the studio page
 * itself); everything else is cancelled, and an `external` link the app
 * itself offers opens in the user's browser, a `download` (an image of the
 * gallery, whose `download` attribute Chromium ignores across origins) is
 * saved instead of shown.
 */
export type NavigationVerdict = 'stay' | 'external' | 'download' | 'block';

export function navigationVerdict(url: string, page: URL, externalLinks?: readonly string[]): NavigationVerdict {
  if (isStudioPage(url, page)) return 'stay';
  const parsed = parse(url);
  if (!parsed) return 'block';
  if (parsed.protocol === `${MEDIA_SCHEME}:` && /^\/[a-f0-9]{64}$/.test(parsed.pathname) && (parsed.host === 'image' || parsed.host === 'thumb')) {
    return 'download';
  }
  if (isAllowedExternalLink(url, externalLinks)) return 'external';
  return 'block';
}
