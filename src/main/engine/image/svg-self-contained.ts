/**
 * Rewrites an SVG so that rendering it reads nothing but the SVG itself.
 *
 * Why: resvg-js 2.6.2 builds usvg 0.34 with `resources_dir: None` and the
 * default image resolver, which treats any `<image>` or `<feImage>` href that
 * is not a `data:` URL as a file path, absolute or relative to the working
 * folder, and reads it (usvg-parser src/image.rs, `default_string_resolver`;
 * resvg-js src/options.rs, `tweak_usvg_options`). So `<image
 * href="/home/me/secret.png">` puts that file into the picture, and
 * `href="/dev/zero"` reads forever. resvg-js offers no way to replace the
 * resolver from JavaScript (`imagesToResolve()` only lists http(s) links,
 * after the files were already read), so resvg must never see such an href.
 *
 * How: this is a small XML reader of our own. It expands the document's
 * internal entities (with limits, so a "billion laughs" file is refused),
 * drops the DOCTYPE, comments and processing instructions, and writes the
 * elements back out with every attribute escaped. An attribute whose local
 * name is `href` survives only as a `#fragment` (not on `<image>`, where usvg
 * would read a file of that name) or, on `<image>`/`<feImage>`, as a `data:`
 * URL we re-encode ourselves: PNG, JPEG and GIF data by their magic bytes,
 * and SVG data after this same rewrite. Because resvg only ever parses the
 * text written here, what it resolves is exactly what this module let
 * through, whatever tricks the original used (entities, character
 * references, namespace prefixes, whitespace, nested data: SVGs).
 */
import { gunzipSync } from 'node:zlib';

/** An SVG we will not render; the message is for the user. */
export class SvgRefusedError extends Error {
  override readonly name = 'SvgRefusedError';
}

export interface SelfContainedLimits {
  /** Characters of SVG text, after inflating and expanding entities, nested data: SVGs included. */
  maxChars: number;
  maxElements: number;
  /** Element nesting (usvg refuses deeper than 1024 too). */
  maxDepth: number;
  /** Entity references expanded in the whole document. */
  maxEntityExpansions: number;
}

export const defaultSelfContainedLimits: SelfContainedLimits = {
  maxChars: 32 * 1024 * 1024,
  maxElements: 1_000_000,
  maxDepth: 1024,
  maxEntityExpansions: 100_000,
};

export interface SelfContainedSvg {
  svg: string;
  /** hrefs that pointed outside the file (or were unusable) and were left out. */
  droppedReferences: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?$/;
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
const MAX_ENTITY_DEPTH = 16;
/** A data: SVG inside a data: SVG inside the file is as deep as we go. */
const MAX_NESTED_SVG = 2;

interface Budget {
  chars: number;
  elements: number;
  expansions: number;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"\t\n\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : `&#${c.charCodeAt(0)};`,
  );
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Decodes an SVG file's bytes: UTF-8 (the default), UTF-16 with a BOM, or the encoding its XML declaration names. */
export function svgText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeOrRefuse('utf-8', bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeOrRefuse('utf-16le', bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeOrRefuse('utf-16be', bytes.subarray(2));
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  return decodeOrRefuse(declared && !/^utf-?8$/i.test(declared) ? declared : 'utf-8', bytes);
}

function decodeOrRefuse(encoding: string, bytes: Uint8Array): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new SvgRefusedError(`the SVG uses the text encoding "${encoding}", which GANvas cannot read; save it as UTF-8`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new SvgRefusedError(`the SVG is not valid ${encoding.toUpperCase()} text`);
  }
}

/**
 * The SVG, rewritten to refer to nothing outside itself (see the top of this
 * file). Throws SvgRefusedError for malformed XML or anything over a limit.
 */
export function selfContainedSvg(text: string, limits: SelfContainedLimits = defaultSelfContainedLimits): SelfContainedSvg {
  const budget: Budget = { chars: 0, elements: 0, expansions: 0 };
  return rewrite(text, limits, budget, 0);
}

function rewrite(text: string, limits: SelfContainedLimits, budget: Budget, nesting: number): SelfContainedSvg {
  if (text.length > limits.maxChars) throw tooLarge(limits);
  if (FORBIDDEN_CHARS.test(text)) throw new SvgRefusedError('not a valid SVG (it contains control characters that XML does not allow)');
  const writer = new SvgWriter(text, limits, budget, nesting);
  writer.document();
  return { svg: writer.result(), droppedReferences: writer.dropped };
}

function tooLarge(limits: SelfContainedLimits): SvgRefusedError {
  return new SvgRefusedError(`too large: the SVG is more than ${Math.round(limits.maxChars / 2 ** 20)} MB of text once inflated and its entities expanded`);
}

interface Entity {
  value: string | null; // null: an external entity, which we never load
}

class SvgWriter {
  private readonly out: string[] = [];
  private readonly stack: string[] = [];
  private readonly entities = new Map<string, Entity>();
  private readonly ids = new Set<string>();
  /** feImage `#id` hrefs, kept only if the id exists (else usvg reads a file of that name). */
  private readonly fragmentChecks: { index: number; id: string }[] = [];
  private readonly expanding = new Set<string>();
  private rootSeen = false;
  private rootClosed = false;
  dropped = 0;

  constructor(
    private readonly source: string,
    private readonly limits: SelfContainedLimits,
    private readonly budget: Budget,
    private readonly nesting: number,
  ) {}

  private fail(reason: string, text: string, at: number): never {
    const where = text === this.source ? ` at line ${lineAt(text, at)}` : ' (inside an entity)';
    throw new SvgRefusedError(`not a valid SVG (${reason}${where})`);
  }

  private emit(chunk: string): void {
    this.budget.chars += chunk.length;
    if (this.budget.chars > this.limits.maxChars) throw tooLarge(this.limits);
    this.out.push(chunk);
  }

  result(): string {
    if (!this.rootSeen) throw new SvgRefusedError('not an SVG (there is no <svg> element)');
    if (this.stack.length > 0) throw new SvgRefusedError(`not a valid SVG (<${this.stack.at(-1)}> is never closed; the file may be truncated)`);
    for (const { index, id } of this.fragmentChecks) {
      if (!this.ids.has(id)) {
        this.out[index] = '';
        this.dropped++;
      }
    }
    return this.out.join('');
  }

  document(): void {
    this.content(this.source, 0);
  }

  /** Markup and text; `depth` counts entity expansions we are inside. */
  private content(text: string, depth: number): void {
    const n = text.length;
    // The next "<" and "&" are found once each and kept until passed, so a long file is read in one sweep.
    let lt = -1;
    let amp = -1;
    let i = 0;
    while (i < n) {
      if (lt < i) lt = nextIndex(text, '<', i);
      if (amp < i) amp = nextIndex(text, '&', i);
      const next = Math.min(lt, amp);
      if (next > i) this.text(text.slice(i, next), text, i);
      if (next >= n) break;
      i = next === amp ? this.reference(text, amp, depth) : this.markup(text, lt, depth);
    }
  }

  private text(chunk: string, source: string, at: number): void {
    if (this.stack.length === 0) {
      if (chunk.trim() !== '') this.fail('text outside the <svg> element', source, at);
      return;
    }
    this.emit(escapeText(chunk));
  }

  /** `&…;` in content: a character, a predefined or an internal entity (whose text may hold markup). */
  private reference(text: string, at: number, depth: number): number {
    const end = text.indexOf(';', at);
    if (end < 0 || end - at > 64) this.fail('a "&" that starts no entity; write &amp;', text, at);
    const name = text.slice(at + 1, end);
    if (name.startsWith('#')) {
      this.text(characterReference(name, () => this.fail(`the character reference &${name}; is invalid`, text, at)), text, at);
      return end + 1;
    }
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) {
      this.text(predefined, text, at);
      return end + 1;
    }
    this.expand(name, text, at, depth, (replacement) => this.content(replacement, depth + 1));
    return end + 1;
  }

  /** Runs `use` on an internal entity's replacement text, refusing undefined, outside and runaway entities. */
  private expand<T>(name: string, text: string, at: number, depth: number, use: (replacement: string) => T): T {
    const entity = this.entities.get(name);
    if (!entity) this.fail(`the entity &${name}; is not defined`, text, at);
    if (entity.value === null) this.fail(`the entity &${name}; refers to an outside file, which GANvas does not load`, text, at);
    if (this.expanding.has(name)) this.fail(`the entity &${name}; refers to itself`, text, at);
    if (depth >= MAX_ENTITY_DEPTH) this.fail(`entities nest more than ${MAX_ENTITY_DEPTH} deep`, text, at);
    if (++this.budget.expansions > this.limits.maxEntityExpansions) {
      throw new SvgRefusedError(`too large: the SVG expands more than ${this.limits.maxEntityExpansions.toLocaleString('en')} entity references (an "entity expansion" bomb?)`);
    }
    this.budget.chars += entity.value.length;
    if (this.budget.chars > this.limits.maxChars) throw tooLarge(this.limits);
    this.expanding.add(name);
    try {
      return use(entity.value);
    } finally {
      this.expanding.delete(name);
    }
  }

  private markup(text: string, at: number, depth: number): number {
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end < 0) this.fail('a comment is never closed', text, at);
      return end + 3;
    }
    if (text.startsWith('<![CDATA[', at)) {
      const end = text.indexOf(']]>', at + 9);
      if (end < 0) this.fail('a CDATA section is never closed', text, at);
      this.text(text.slice(at + 9, end), text, at);
      return end + 3;
    }
    if (text.startsWith('<?', at)) {
      const end = text.indexOf('?>', at + 2);
      if (end < 0) this.fail('a processing instruction is never closed', text, at);
      return end + 2;
    }
    if (text.startsWith('<!DOCTYPE', at)) {
      if (this.rootSeen || depth > 0) this.fail('a DOCTYPE after the start of the document', text, at);
      return this.doctype(text, at + 9);
    }
    if (text.startsWith('</', at)) return this.endTag(text, at);
    return this.startTag(text, at, depth);
  }

  private endTag(text: string, at: number): number {
    const end = text.indexOf('>', at);
    if (end < 0) this.fail('a closing tag is never finished', text, at);
    const name = text.slice(at + 2, end).trim();
    const open = this.stack.pop();
    if (open !== name) this.fail(open ? `</${name}> closes <${open}>` : `</${name}> closes nothing`, text, at);
    this.emit(`</${name}>`);
    if (this.stack.length === 0) this.rootClosed = true;
    return end + 1;
  }

  private startTag(text: string, at: number, depth: number): number {
    const nameMatch = /[^\s/>]+/y;
    nameMatch.lastIndex = at + 1;
    const name = nameMatch.exec(text)?.[0] ?? '';
    if (!NAME.test(name)) this.fail(name ? `the element name "${name.slice(0, 40)}" is not one XML allows` : 'a "<" that starts no element; write &lt;', text, at);
    if (this.rootClosed) this.fail('a second root element', text, at);
    if (!this.rootSeen) {
      if (localName(name) !== 'svg') throw new SvgRefusedError(`not an SVG (the document is <${name}>, not <svg>)`);
      this.rootSeen = true;
    }
    if (++this.budget.elements > this.limits.maxElements) {
      throw new SvgRefusedError(`too large: the SVG has more than ${this.limits.maxElements.toLocaleString('en')} elements`);
    }
    if (this.stack.length >= this.limits.maxDepth) {
      throw new SvgRefusedError(`too complex: the SVG nests elements more than ${this.limits.maxDepth} deep`);
    }
    let i = nameMatch.lastIndex;
    const attributes: [string, string][] = [];
    const seen = new Set<string>();
    for (;;) {
      const ws = /\s*/y;
      ws.lastIndex = i;
      ws.exec(text);
      const spaced = ws.lastIndex > i;
      i = ws.lastIndex;
      if (i >= text.length) this.fail(`<${name}> is never finished; the file may be truncated`, text, at);
      if (text.startsWith('/>', i) || text[i] === '>') break;
      if (!spaced) this.fail(`attributes of <${name}> need spaces between them`, text, i);
      const attr = /([^\s=/>]+)\s*=\s*(["'])/y;
      attr.lastIndex = i;
      const found = attr.exec(text);
      if (!found) this.fail(`an attribute of <${name}> has no quoted value`, text, i);
      const attrName = found[1]!;
      if (!NAME.test(attrName)) this.fail(`the attribute name "${attrName.slice(0, 40)}" is not one XML allows`, text, i);
      if (seen.has(attrName)) this.fail(`<${name}> has the attribute ${attrName} twice`, text, i);
      seen.add(attrName);
      const quote = found[2]!;
      const valueStart = attr.lastIndex;
      const valueEnd = text.indexOf(quote, valueStart);
      if (valueEnd < 0) this.fail(`the value of ${attrName} is never closed`, text, i);
      const raw = text.slice(valueStart, valueEnd);
      if (raw.includes('<')) this.fail(`the value of ${attrName} contains "<"`, text, i);
      attributes.push([attrName, this.attributeValue(raw, text, valueStart, depth)]);
      i = valueEnd + 1;
    }
    const selfClosing = text.startsWith('/>', i);
    this.emit(`<${name}`);
    const element = localName(name);
    for (const [attrName, value] of attributes) this.attribute(element, attrName, value);
    if (selfClosing) {
      this.emit('/>');
      if (this.stack.length === 0) this.rootClosed = true;
      return i + 2;
    }
    this.emit('>');
    this.stack.push(name);
    return i + 1;
  }

  private attribute(element: string, name: string, value: string): void {
    if (localName(name) === 'id') this.ids.add(value);
    if (localName(name).toLowerCase() !== 'href' || name.startsWith('xmlns:')) {
      this.emit(` ${name}="${escapeAttribute(value)}"`);
      return;
    }
    const target = value.trim();
    if (target.startsWith('#') && element !== 'image') {
      if (element === 'feImage') this.fragmentChecks.push({ index: this.out.length, id: target.slice(1) });
      this.emit(` ${name}="${escapeAttribute(target)}"`);
      return;
    }
    const data = element === 'image' || element === 'feImage' ? this.dataUrl(target) : null;
    if (data === null) {
      this.dropped++;
      return;
    }
    this.emit(` ${name}="${data}"`);
  }

  /** A data: URL re-encoded by us, or null when it is not one, or not an image usvg reads. */
  private dataUrl(value: string): string | null {
    const parsed = parseDataUrl(value);
    if (!parsed) return null;
    const bytes = parsed;
    const kind = rasterKind(bytes);
    if (kind) return `data:image/${kind};base64,${bytes.toString('base64')}`;
    if (this.nesting >= MAX_NESTED_SVG) return null;
    let svg: Buffer = bytes;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        svg = gunzipSync(bytes, { maxOutputLength: Math.max(1, this.limits.maxChars - this.budget.chars) });
      } catch {
        return null;
      }
    }
    try {
      const nested = rewrite(svgText(svg), this.limits, this.budget, this.nesting + 1);
      this.dropped += nested.droppedReferences;
      return `data:image/svg+xml;base64,${Buffer.from(nested.svg, 'utf8').toString('base64')}`;
    } catch (error) {
      if (error instanceof SvgRefusedError && error.message.startsWith('too large')) throw error;
      return null;
    }
  }

  private attributeValue(raw: string, text: string, at: number, depth: number): string {
    const normalised = raw.replace(/[\t\n\r]/g, ' ');
    if (!normalised.includes('&')) return normalised;
    return normalised.replace(/&([^;&]{0,64});/g, (_, name: string) => {
      if (name.startsWith('#')) return characterReference(name, () => this.fail(`the character reference &${name}; is invalid`, text, at));
      const predefined = PREDEFINED[name];
      if (predefined !== undefined) return predefined;
      return this.expand(name, text, at, depth, (replacement) => {
        if (replacement.includes('<')) this.fail(`the entity &${name}; puts "<" into an attribute`, text, at);
        return this.attributeValue(replacement, text, at, depth + 1);
      });
    });
  }

  /** Reads `<!DOCTYPE …>`, keeping only internal general entities. Returns the index after it. */
  private doctype(text: string, from: number): number {
    let i = from;
    const n = text.length;
    const skipQuoted = (j: number): number => {
      const end = text.indexOf(text[j]!, j + 1);
      if (end < 0) this.fail('a quoted string in the DOCTYPE is never closed', text, j);
      return end + 1;
    };
    while (i < n && text[i] !== '[' && text[i] !== '>') i = text[i] === '"' || text[i] === "'" ? skipQuoted(i) : i + 1;
    if (text[i] === '[') {
      i++;
      for (;;) {
        while (i < n && /\s/.test(text[i]!)) i++;
        if (i >= n) this.fail('the DOCTYPE is never closed', text, from);
        if (text[i] === ']') {
          i++;
          break;
        }
        if (text.startsWith('<!--', i)) {
          const end = text.indexOf('-->', i + 4);
          if (end < 0) this.fail('a comment is never closed', text, i);
          i = end + 3;
        } else if (text.startsWith('<?', i)) {
          const end = text.indexOf('?>', i + 2);
          if (end < 0) this.fail('a processing instruction is never closed', text, i);
          i = end + 2;
        } else if (text.startsWith('<!ENTITY', i)) {
          i = this.entityDeclaration(text, i + 8);
        } else if (text.startsWith('<!', i)) {
          i += 2;
          while (i < n && text[i] !== '>') i = text[i] === '"' || text[i] === "'" ? skipQuoted(i) : i + 1;
          i++;
        } else if (text[i] === '%') {
          const end = text.indexOf(';', i);
          if (end < 0) this.fail('a parameter entity reference is never closed', text, i);
          i = end + 1; // parameter entities are not expanded: nothing outside the file is read
        } else {
          this.fail('unexpected text in the DOCTYPE', text, i);
        }
      }
    }
    while (i < n && /\s/.test(text[i]!)) i++;
    if (text[i] !== '>') this.fail('the DOCTYPE is never closed', text, from);
    return i + 1;
  }

  private entityDeclaration(text: string, from: number): number {
    const head = /\s+(%\s+)?([^\s"'>]+)\s+/y;
    head.lastIndex = from;
    const found = head.exec(text);
    if (!found) this.fail('an ENTITY declaration without a name', text, from);
    const parameter = found[1] !== undefined;
    const name = found[2]!;
    let i = head.lastIndex;
    let value: string | null = null;
    if (text[i] === '"' || text[i] === "'") {
      const end = text.indexOf(text[i]!, i + 1);
      if (end < 0) this.fail(`the value of the entity ${name} is never closed`, text, i);
      value = text.slice(i + 1, end).replace(/&(#[^;]{1,10});/g, (_, ref: string) =>
        characterReference(ref, () => this.fail(`the character reference &${ref}; is invalid`, text, i)),
      );
      i = end + 1;
    }
    // SYSTEM/PUBLIC: an external entity; its reference fails later with a clear message, nothing is loaded.
    while (i < text.length && text[i] !== '>') {
      if (text[i] === '"' || text[i] === "'") {
        const end = text.indexOf(text[i]!, i + 1);
        if (end < 0) this.fail(`the ENTITY declaration of ${name} is never closed`, text, i);
        i = end + 1;
      } else i++;
    }
    if (i >= text.length) this.fail(`the ENTITY declaration of ${name} is never closed`, text, from);
    if (!parameter && !this.entities.has(name) && PREDEFINED[name] === undefined) this.entities.set(name, { value });
    return i + 1;
  }
}

/** Where `char` next occurs at or after `from`; the text's length if nowhere. */
function nextIndex(text: string, char: string, from: number): number {
  const found = text.indexOf(char, from);
  return found < 0 ? text.length : found;
}

function characterReference(ref: string, fail: () => never): string {
  const code = /^#x[0-9a-f]+$/i.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
  if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) fail();
  const char = String.fromCodePoint(code);
  if (FORBIDDEN_CHARS.test(char)) fail();
  return char;
}

/** PNG, JPEG and GIF by their first bytes: the raster kinds usvg embeds. */
function rasterKind(bytes: Buffer): 'png' | 'jpeg' | 'gif' | null {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return 'gif';
  return null;
}

/** The bytes of a `data:` URL (RFC 2397), or null if it is not one we can read. */
export function parseDataUrl(value: string): Buffer | null {
  const url = value.replace(/[\t\n\r]/g, '').trim();
  if (!/^data:/i.test(url)) return null;
  const comma = url.indexOf(',');
  if (comma < 0) return null;
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  const base64 = /;\s*base64\s*$/i.test(meta);
  const decoded = percentDecoded(body);
  const bytes = base64 ? Buffer.from(decoded.toString('latin1').replace(/\s+/g, ''), 'base64') : decoded;
  return bytes.length > 0 ? bytes : null;
}

/** `%XX` escapes to bytes; other characters as UTF-8 (data: URLs carry bytes, not text). */
function percentDecoded(text: string): Buffer {
  if (!text.includes('%')) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = text.indexOf('%'); i >= 0; i = text.indexOf('%', i + 1)) {
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9a-f]{2}$/i.test(hex)) continue;
    parts.push(Buffer.from(text.slice(from, i), 'utf8'), Buffer.from([parseInt(hex, 16)]));
    from = i + 3;
    i += 2;
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}
