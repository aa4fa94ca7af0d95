/**
 * SVGs from users are rendered in a separate process that reads nothing but
 * the SVG: a secret PNG on disk, referenced every way an SVG can reference a
 * file, never shows up in the pixels, and nothing opens it; a file that
 * crashes resvg (Noto's "package" emoji), eats memory or renders forever
 * fails only itself (in decodeImage, probeImage, the gallery intake and a
 * dataset), and the next SVG renders in a fresh renderer.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, decodeImage, probeImage, type RawImage } from '../../src/main/engine/image/index.js';
import { createSvgRenderer } from '../../src/main/engine/image/svg-renderer.js';
import { selfContainedSvg } from '../../src/main/engine/image/svg-self-contained.js';
import { prepareImage } from '../../src/main/engine/gallery/image-intake.js';
import { openHighResDataset } from '../../src/main/engine/data/index.js';

/** A colour no test SVG uses: any pixel near it came from the secret file. */
const SECRET = { r: 19, g: 240, b: 167 };
const SECRET_HEX = '#13f0a7';

let dir: string;
let secretPng: string;
let secretSvg: string;
let secretCss: string;
let tripwire: string;

function secretPixels(image: RawImage): number {
  let count = 0;
  for (let p = 0; p < image.width * image.height; p++) {
    const o = p * image.channels;
    const visible = image.channels === 3 || image.data[o + 3]! > 128;
    if (visible && Math.abs(image.data[o]! - SECRET.r) < 12 && Math.abs(image.data[o + 1]! - SECRET.g) < 12 && Math.abs(image.data[o + 2]! - SECRET.b) < 12) count++;
  }
  return count;
}

const svgDoc = (body: string, extra = '') =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64"${extra}>` +
  `<rect width="64" height="64" fill="#ffffff"/>${body}</svg>`;

/** Every way we know an SVG can point at a file, each on its own. */
function attacks(): Record<string, string> {
  const relative = '../'.repeat(16) + secretPng.slice(1); // resolves to the secret from any working folder
  const nestedImage = Buffer.from(svgDoc(`<image href="${secretPng}" width="64" height="64"/>`)).toString('base64');
  const nestedFeImage = Buffer.from(
    svgDoc(`<filter id="f"><feImage href="${secretPng}" width="64" height="64"/></filter><rect width="64" height="64" filter="url(#f)"/>`),
  ).toString('base64');
  const nestedSvgz = gzipSync(Buffer.from(svgDoc(`<image href="${secretPng}" width="64" height="64"/>`))).toString('base64');
  return {
    'href, absolute path': svgDoc(`<image href="${secretPng}" width="64" height="64"/>`),
    'xlink:href': svgDoc(`<image xlink:href="${secretPng}" width="64" height="64"/>`),
    'another prefix bound to the xlink namespace': svgDoc(`<image l:href="${secretPng}" width="64" height="64"/>`, ' xmlns:l="http://www.w3.org/1999/xlink"'),
    'file:// URL': svgDoc(`<image href="file://${secretPng}" width="64" height="64"/>`),
    'relative path': svgDoc(`<image href="${relative}" width="64" height="64"/>`),
    'padded with whitespace': svgDoc(`<image href="  ${secretPng}\n" width="64" height="64"/>`),
    'character references': svgDoc(`<image href="${[...secretPng].map((c) => `&#${c.charCodeAt(0)};`).join('')}" width="64" height="64"/>`),
    'an entity': `<!DOCTYPE svg [<!ENTITY secret "${secretPng}">]>` + svgDoc(`<image href="&secret;" width="64" height="64"/>`),
    'an entity holding the element': `<!DOCTYPE svg [<!ENTITY pic "<image href='${secretPng}' width='64' height='64'/>">]>` + svgDoc('&pic;'),
    'feImage in a filter': svgDoc(`<filter id="f" x="0" y="0" width="1" height="1"><feImage href="${secretPng}" width="64" height="64"/></filter><rect width="64" height="64" filter="url(#f)"/>`),
    'a nested external SVG': svgDoc(`<image href="${secretSvg}" width="64" height="64"/>`),
    '<use> of an external file': svgDoc(`<use href="${secretSvg}#paint"/><use xlink:href="file://${secretSvg}#paint"/>`),
    'CSS url() and @import': svgDoc(`<style>@import url("${secretCss}");</style><rect width="64" height="64" style="fill: url(${secretSvg}#gradient)"/>`),
    'a data: SVG that points at the file': svgDoc(`<image href="data:image/svg+xml;base64,${nestedImage}" width="64" height="64"/>`),
    'a data: SVG with feImage (usvg does not strip those)': svgDoc(`<image href="data:image/svg+xml;base64,${nestedFeImage}" width="64" height="64"/>`),
    'a gzipped data: SVG': svgDoc(`<image href="data:image/svg+xml;base64,${nestedSvgz}" width="64" height="64"/>`),
    'a tripwire (named pipe) by path': svgDoc(`<image href="${tripwire}" width="64" height="64"/><image href="file://${tripwire}" width="64" height="64"/>`),
  };
}

/** An emoji SVG as iconify ships it, wrapped in its viewBox; null when that @iconify-json set is not installed. */
function emojiSvg(set: 'noto' | 'twemoji' | 'fluent-emoji-flat', name: string): Buffer | null {
  let icons: { width?: number; height?: number; icons: Record<string, { body: string }> };
  try {
    icons = createRequire(import.meta.url)(`@iconify-json/${set}/icons.json`);
  } catch {
    return null;
  }
  const icon = icons.icons[name];
  if (!icon) throw new Error(`@iconify-json/${set} has no icon "${name}"`);
  const [width, height] = [icons.width ?? 16, icons.height ?? 16];
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 ${width} ${height}">${icon.body}</svg>`);
}

/** Noto's emoji wrapped the way the issue describes (`<svg viewBox="0 0 128 128">`). */
const notoSvg = (name: string) => emojiSvg('noto', name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-svg-secret-'));
  secretPng = join(dir, 'secret.png');
  await sharp({ create: { width: 64, height: 64, channels: 3, background: SECRET } }).png().toFile(secretPng);
  secretSvg = join(dir, 'secret.svg');
  writeFileSync(
    secretSvg,
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><defs><linearGradient id="gradient"><stop stop-color="${SECRET_HEX}"/></linearGradient></defs>` +
      `<rect id="paint" width="64" height="64" fill="${SECRET_HEX}"/></svg>`,
  );
  secretCss = join(dir, 'secret.css');
  writeFileSync(secretCss, `rect { fill: ${SECRET_HEX} !important; }`);
  tripwire = join(dir, 'tripwire.png');
  // A named pipe where there are named pipes (not on Windows); elsewhere a plain copy of the secret.
  if (process.platform === 'win32') writeFileSync(tripwire, readFileSync(secretPng));
  else execFileSync('mkfifo', [tripwire]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('an SVG reads nothing outside itself', () => {
  it('the check can fail: the same picture embedded as a data: URL does show', async () => {
    const embedded = `data:image/png;base64,${(await sharp(secretPng).png().toBuffer()).toString('base64')}`;
    const image = await decodeImage(Buffer.from(svgDoc(`<image href="${embedded}" width="64" height="64"/>`)), { name: 'control.svg', svgSize: 64 });
    expect(secretPixels(image)).toBeGreaterThan(3000);
  });

  it('no reference to the secret file, in any form, puts its pixels into the output, and nothing opens the tripwire', async () => {
    // Someone opening the named pipe for reading would let this open for writing complete.
    let tripped = false;
    let unblocking = false;
    const pipe = process.platform !== 'win32';
    const watch = pipe
      ? open(tripwire, 'w').then(async (handle) => {
          if (!unblocking) tripped = true;
          await handle.close();
        })
      : Promise.resolve();
    const leaks: string[] = [];
    for (const [way, svg] of Object.entries(attacks())) {
      try {
        const image = await decodeImage(Buffer.from(svg), { name: `${way}.svg`, svgSize: 64 });
        expect([image.width, image.height]).toEqual([64, 64]);
        if (secretPixels(image) > 0) leaks.push(way);
        // The gallery stores SVGs as PNG rendered at their own size: the same renderer, the same rules.
        const stored = await prepareImage(Buffer.from(svg));
        const { data, info } = await sharp(stored.data).raw().toBuffer({ resolveWithObject: true });
        if (secretPixels({ data, width: info.width, height: info.height, channels: info.channels as 3 | 4 }) > 0) leaks.push(`${way} (gallery)`);
        expect((await probeImage(Buffer.from(svg), `${way}.svg`)).format).toBe('svg');
      } catch (error) {
        leaks.push(`${way}: ${(error as Error).message}`);
      }
    }
    unblocking = true;
    if (pipe) {
      const reader = await open(tripwire, constants.O_RDONLY | constants.O_NONBLOCK);
      await watch;
      await reader.close();
    }
    expect(leaks).toEqual([]);
    expect(tripped).toBe(false);
  });

  it('drops hrefs that usvg would read as files, and keeps local ones and data: images', () => {
    const { svg, droppedReferences } = selfContainedSvg(
      svgDoc(
        '<rect id="r" width="1" height="1"/><use href="#r"/><image href="#r"/><image href="data:image/gif;base64,R0lGODlhAQABAAAAACw="/>' +
          '<filter id="f"><feImage href="#r"/><feImage href="#missing"/></filter><a href="https://example.com/"><text>x</text></a>',
      ),
    );
    expect(svg).toContain('<use href="#r"/>');
    expect(svg).toContain('<feImage href="#r"/>');
    expect(svg).toContain('href="data:image/gif;base64,');
    // `#r` on <image> and `#missing` on <feImage> would make usvg read a file of that name; a link is not needed to draw.
    expect(svg).toContain('<image/>');
    expect(svg).toContain('<feImage/>');
    expect(svg).toContain('<a><text>x</text></a>');
    expect(droppedReferences).toBe(3);
  });
});

describe('an SVG that breaks the renderer fails only itself', () => {
  const noto = notoSvg('package');

  it.skipIf(!noto)("Noto's package and rainbow-flag emoji (resvg 2.6.2 panics on them) fail with a reason; the SVGs around them render", async () => {
    const renderer = createSvgRenderer();
    try {
      // Twemoji's and Fluent's drawings of the same emoji render (when those sets are installed too).
      const others = [emojiSvg('twemoji', 'package'), emojiSvg('fluent-emoji-flat', 'rainbow-flag'), emojiSvg('twemoji', 'rocket')].filter((svg) => svg !== null);
      const files = [
        { name: 'grinning.svg', svg: notoSvg('grinning-face')! },
        { name: 'package.svg', svg: noto! },
        { name: 'rocket.svg', svg: notoSvg('rocket')! },
        { name: 'rainbow-flag.svg', svg: notoSvg('rainbow-flag')! },
        { name: 'red-heart.svg', svg: notoSvg('red-heart')! },
        ...others.map((svg, i) => ({ name: `other-${i}.svg`, svg })),
      ];
      const results = await Promise.all(files.map(({ name, svg }) => renderer.render(svg, name, 64).then((image) => image, (error: unknown) => error)));
      expect(results[1]).toBeInstanceOf(ImageDecodeError);
      expect((results[1] as Error).message).toBe('package.svg: the SVG renderer (resvg) crashed on this file; it cannot be rendered');
      expect((results[3] as Error).message).toBe('rainbow-flag.svg: the SVG renderer (resvg) crashed on this file; it cannot be rendered');
      for (const i of [0, 2, 4, ...others.map((_, k) => 5 + k)]) {
        expect(results[i]).toMatchObject({ width: 64, height: 64, channels: 4 });
        expect((results[i] as RawImage).data.some((v) => v !== 0)).toBe(true);
      }
      expect(renderer.starts).toBe(3); // one process, then a fresh one after each crash
    } finally {
      await renderer.close();
    }
  });

  it.skipIf(!noto)('decodeImage, probeImage and the gallery intake all survive the package emoji', async () => {
    await expect(decodeImage(noto!, { name: 'package.svg' })).rejects.toThrow('package.svg: the SVG renderer (resvg) crashed on this file');
    await expect(prepareImage(noto!)).rejects.toThrow('the SVG renderer (resvg) crashed on this file');
    // Reading the size parses without drawing, which resvg survives.
    expect(await probeImage(noto!, 'package.svg')).toEqual({ width: 128, height: 128, format: 'svg', scalable: true });
    const after = await decodeImage('node_modules/openmoji/color/svg/1F600.svg', { svgSize: 32 });
    expect([after.width, after.channels]).toEqual([32, 4]);
  });

  it.skipIf(!noto)('a dataset with the package emoji among its SVGs skips it with a warning and trains on the rest', async () => {
    const folder = join(dir, 'highres');
    mkdirSync(folder);
    copyFileSync('node_modules/openmoji/color/svg/1F600.svg', join(folder, 'face.svg'));
    copyFileSync('node_modules/openmoji/color/svg/1F680.svg', join(folder, 'rocket.svg'));
    writeFileSync(join(folder, 'package.svg'), noto!);
    const dataset = await openHighResDataset(folder, { scale: 2, patchSize: 32, seed: 1 });
    expect(dataset.size).toBe(3); // reading sizes parses without drawing: resvg survives that
    const batch = await dataset.batchAt(0, 3);
    expect(batch.hr.shape).toEqual([3, 32, 32, 3]);
    batch.hr.dispose();
    batch.lr.dispose();
    expect(dataset.warnings).toEqual(['package.svg: the SVG renderer (resvg) crashed on this file; it cannot be rendered; skipped for the rest of the run']);
  });

  it('stops a rendering that takes too long', async () => {
    const renderer = createSvgRenderer({ timeoutMs: () => 200 });
    try {
      // A large blur over many layers: seconds of work at this size.
      const slow = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><filter id="b"><feGaussianBlur stdDeviation="40"/></filter>` +
          `${'<g filter="url(#b)" opacity="0.9">'.repeat(40)}<rect width="100" height="100" fill="red"/>${'</g>'.repeat(40)}</svg>`,
      );
      await expect(renderer.render(slow, 'slow.svg', 2048)).rejects.toThrow('slow.svg: the SVG took longer than 0.2 s to render; it is too complex');
      const next = await renderer.render(Buffer.from(svgDoc('')), 'next.svg', 16);
      expect(next.width).toBe(16);
    } finally {
      await renderer.close();
    }
  });

  it('stops a rendering that outgrows its memory budget', async () => {
    const renderer = createSvgRenderer({ memoryBytes: () => 48 * 2 ** 20 });
    try {
      // Every group with opacity is a full-size layer: 300 of them at 1024² ask for over a gigabyte.
      const hungry = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">${'<g opacity="0.99">'.repeat(300)}<rect width="50" height="50"/>${'</g>'.repeat(300)}</svg>`,
      );
      await expect(renderer.render(hungry, 'hungry.svg', 1024)).rejects.toThrow('hungry.svg: the SVG needs more than 48 MB of memory to render; it is too complex');
      expect((await renderer.render(Buffer.from(svgDoc('')), 'next.svg', 16)).width).toBe(16);
    } finally {
      await renderer.close();
    }
  });
});

it('never keeps a command alive or leaves a folder behind: a process ends by itself with its renderer idle, and after closing it', () => {
  const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith('ganvas-svg-')).length;
  const before = leftovers();
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const renderer = pathToFileURL(join(process.cwd(), 'src/main/engine/image/svg-renderer.ts')).href;
  const svg = JSON.stringify(svgDoc('<circle cx="32" cy="32" r="20" fill="red"/>'));
  for (const close of [false, true]) {
    const script = `import { createSvgRenderer } from ${JSON.stringify(renderer)};
const r = createSvgRenderer();
const image = await r.render(Buffer.from(${svg}), 'a.svg', 16);
${close ? 'await r.close();' : ''}
console.log('rendered', image.width);`;
    const output = execFileSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(output.trim()).toBe('rendered 16');
  }
  expect(leftovers()).toBe(before);
});

describe('SVG bombs are refused with a reason, without the memory', () => {
  it('an SVGZ that inflates far beyond the limit', async () => {
    // 64 MB of comment inflating from about 64 KB.
    const bomb = gzipSync(Buffer.concat([Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><!--'), Buffer.alloc(64 * 2 ** 20, 0x20), Buffer.from('--></svg>')]), { level: 9 });
    expect(bomb.length).toBeLessThan(200_000);
    await expect(decodeImage(bomb, { name: 'bomb.svgz' })).rejects.toThrow('bomb.svgz: too large: the SVGZ inflates to more than 32 MB of SVG');
    // Sent without a name (the Doodle's translate.image, the gallery intake), gzip is still taken for SVGZ, not handed to libvips.
    await expect(decodeImage(bomb, { name: 'the image' })).rejects.toThrow('the image: too large: the SVGZ inflates to more than 32 MB of SVG');
    await expect(prepareImage(bomb)).rejects.toThrow(/^too large: the SVGZ inflates to more than 32 MB of SVG$/);
  });

  it('billion laughs, deep nesting, a huge declared size and a huge render request', async () => {
    let entities = '<!ENTITY lol "lol">';
    for (let i = 1; i <= 9; i++) entities += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
    const laughs = Buffer.from(`<?xml version="1.0"?><!DOCTYPE svg [${entities}]><svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text>&lol9;</text></svg>`);
    await expect(decodeImage(laughs, { name: 'laughs.svg' })).rejects.toThrow(/^laughs\.svg: too large: the SVG expands more than 100,000 entity references/);
    const deep = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">${'<g>'.repeat(5000)}${'</g>'.repeat(5000)}</svg>`);
    await expect(decodeImage(deep, { name: 'deep.svg' })).rejects.toThrow('deep.svg: too complex: the SVG nests elements more than 1024 deep');
    const huge = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="10" height="10"/></svg>');
    // At a requested size it renders (a drawing scales); at its own size it is too large.
    expect((await decodeImage(huge, { name: 'huge.svg', svgSize: 32 })).width).toBe(32);
    await expect(prepareImage(huge)).rejects.toThrow('too large: 100000×100000 (10000 MP); the limit is 300 MP, set with GANVAS_MAX_MEGAPIXELS');
    await expect(decodeImage(huge, { name: 'huge.svg', svgSize: 20_000 })).rejects.toThrow(
      'huge.svg: too large: 20000×20000 (400 MP); the limit is 300 MP, set with GANVAS_MAX_MEGAPIXELS',
    );
  });
});
