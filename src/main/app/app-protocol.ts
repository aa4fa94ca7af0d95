/**
 * The studio's own URL scheme, `ganvas-app://studio/…`, which the desktop app
 * loads its UI from instead of `file://`. A page on `file://` shares its
 * origin with every file on the disk; on a standard, secure scheme of its own
 * the page has one origin that CSP's 'self', the navigation guard and the IPC
 * sender check can name exactly, and nothing outside the built renderer
 * folder can be requested through it.
 *
 * Plain Node (no `electron` import), so the URL-to-file rules and the response
 * headers are tested without an Electron binary; main.ts only registers it.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';
import { MEDIA_SCHEME } from '../../shared/channels.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/security.js';

export const APP_SCHEME = 'ganvas-app';
export const APP_HOST = 'studio';
/** Where the desktop window opens (routes are hash fragments of this page). */
export const STUDIO_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Both our schemes, for `protocol.registerSchemesAsPrivileged` (before `ready`).
 * standard: real origins and relative URLs; secure: a secure context like https;
 * corsEnabled: Chromium fetches the bundle's `<script type="module">` in CORS
 * mode, which a custom scheme only supports when it is CORS-enabled. Neither
 * scheme gets bypassCSP: the policy applies to them like to any page.
 */
export function privilegedSchemes(): CustomScheme[] {
  return [
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ];
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export type AppFile = { file: string; contentType: string } | { status: 400 | 404; reason: string };

/**
 * Maps a `ganvas-app:` URL to a file under `rendererRoot`, or says why not.
 * The path is checked after percent-decoding, segment by segment, so neither
 * `..` nor `%2e%2e%2f` nor a backslash can climb out of the folder, and the
 * resolved file must still lie inside it.
 */
export function appFileFor(url: string, rendererRoot: string): AppFile {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { status: 400, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host.toLowerCase() !== APP_HOST) return { status: 404, reason: 'not a studio URL' };
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { status: 400, reason: 'malformed percent-encoding' };
  }
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.' || /[\\\0:]/.test(segment))) {
    return { status: 400, reason: 'path leaves the studio folder' };
  }
  const root = resolve(rendererRoot);
  const file = resolve(root, ...(segments.length ? segments : ['index.html']));
  if (!file.startsWith(root + sep)) return { status: 400, reason: 'path leaves the studio folder' };
  const contentType = contentTypes[extname(file).toLowerCase()];
  if (!contentType) return { status: 404, reason: 'not a file type the studio serves' };
  return { file, contentType };
}

/** Headers of every studio response: the same CSP as the session and `ganvas serve`. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}

/**
 * The whole `ganvas-app:` handler. Reads with fs (which Electron patches to
 * read inside app.asar), so it works unpacked and packaged alike.
 */
export async function appResponse(request: { url: string; method: string }, rendererRoot: string): Promise<Response> {
  const plain = (status: number, text: string) =>
    new Response(text, { status, headers: appResponseHeaders('text/plain; charset=utf-8') });
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'the studio only serves GET');
  const found = appFileFor(request.url, rendererRoot);
  if ('status' in found) return plain(found.status, found.reason);
  let body: Buffer;
  try {
    body = await readFile(found.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return plain(404, 'no such file in the studio');
    throw error;
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: appResponseHeaders(found.contentType),
  });
}
