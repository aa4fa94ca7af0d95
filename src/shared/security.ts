/**
 * The renderer's Content Security Policy, used by the Electron session, the
 * HTTP server and the <meta> tag in index.html (kept equal by a test).
 * Scripts only from our own bundle; images also from the media protocol and
 * blob:/data: (canvas snapshots); no remote content of any kind.
 * 'unsafe-inline' styles: Svelte and Konva set inline style attributes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: ganvas-media:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The same policy for index.html's <meta> tag: browsers ignore frame-ancestors there and log an error. */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", '');
