/**
 * Reading the parts of a request a client fully controls (the target URL,
 * percent-escapes in it, cookies) without throwing: `decodeURIComponent`
 * throws on `%E0%A4%A`, and a throw there used to be an HTTP 500. Each reader
 * returns null for input it cannot read, and the server answers 400.
 */

/** The request target as a URL on this server, or null when it is not one (e.g. `http://[`). */
export function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** Percent-decoding that answers null instead of throwing on a broken escape or invalid UTF-8. */
export function decodePercent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

export type CookieRead = { found: false } | { found: true; value: string | null };

/**
 * One cookie by name. `value` is null when it is there but its escapes are
 * broken, so the caller can say so rather than treat it as absent.
 */
export function readCookie(header: string | undefined, name: string): CookieRead {
  if (!header) return { found: false };
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() !== name) continue;
    return { found: true, value: decodePercent(part.slice(equals + 1).trim()) };
  }
  return { found: false };
}
