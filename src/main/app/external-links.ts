/**
 * The web pages the studio itself links to, the only URLs the desktop app
 * hands to the system browser (`shell.openExternal`). Opening whatever
 * https:// URL a page asks for would let any content that reaches the page
 * launch the browser at a site of its choosing.
 *
 * Today the studio links to no outside page (all its links are #routes), so
 * the list is empty and every external open is refused. Adding an https link
 * to the renderer means adding its exact URL here; a unit test reads the
 * renderer's sources and fails until the two agree.
 */
export const EXTERNAL_LINKS: readonly string[] = [];

/**
 * Exact match after URL normalisation (so `HTTPS://Example.org` equals
 * `https://example.org/`), https only, no user:password part. The fragment
 * is ignored; the query is not (it can change what a page does).
 */
export function isAllowedExternalLink(url: string, allowed: readonly string[] = EXTERNAL_LINKS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password) return false;
  parsed.hash = '';
  return allowed.some((entry) => {
    const known = new URL(entry);
    known.hash = '';
    return known.href === parsed.href;
  });
}
