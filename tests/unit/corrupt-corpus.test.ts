/**
 * A corpus of broken, hostile and merely odd image files, generated here,
 * through the real CLI (`ganvas translate`, `ganvas upscale`, `ganvas gallery
 * add`) and the real server (`gallery.import`, `upscale.images`,
 * `translate.image`), each a real child process. It must come out with:
 *
 * - 0 crashes: every command exits with its own code (1: some file failed),
 *   never a signal or 134; the server answers to the end and stops cleanly;
 * - 0 HTTP 500s and no internal ('failed') errors for a bad image;
 * - 0 reads outside the data folder and the folders a request names: a named
 *   pipe the SVGs point at is never opened, a secret PNG they point at never
 *   shows in any stored or written image, and (where strace exists) no
 *   process so much as looks at the secret folder;
 * - a bad file fails alone, with one clear reason naming it, while the good
 *   files of the same batch succeed.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createGzip } from 'node:zlib';
import { constants, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';

const SECRET = { r: 19, g: 240, b: 167 };
const TOKEN = 'corpus-test-token-0123456789abcdef';
// Only file syscalls stop the traced process (--seccomp-bpf), so tracing costs little.
const STRACE = ['-f', '--seccomp-bpf', '-qq', '-e', 'trace=%file'];
const strace = spawnSync('strace', [...STRACE, '-o', '/dev/null', 'true']).status === 0;

let root: string;
let corpus: string;
let secretDir: string;
let secretPng: string;
let tripwire: string;
const traces: string[] = [];
/** Processes started here and not yet ended: killed after the tests if a test gave up on them. */
const running = new Set<ChildProcess>();

function track<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** The process doing the work: under strace, strace's child. */
function workerPid(child: ChildProcess): number {
  if (!strace) return child.pid!;
  return Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0]);
}

/** 'either': allowed to work or to fail (with a clear reason): e.g. a drawing too large to store at its own size, fine to render smaller. */
type Expectation = 'ok' | 'fail' | 'either';
interface Entry {
  name: string;
  expect: Expectation;
  /** Also sent to the server's upscale.images (each SVG costs a 512 px upscale, so only a few are). */
  upscale: boolean;
}
const entries: Entry[] = [];

/** A reason we wrote, for a file we refused: one sentence, no stack, no libvips prefix. */
const CLEAR_REASON =
  /^(the file is empty|not an image|unsupported image format( \([A-Za-z0-9 ]+\); convert it to PNG or JPEG)?|the file is damaged or truncated( \(.+\))?|too large: .+|too complex: .+|not a valid SVG \(.+\)|not an SVG \(.+\)|the SVGZ file is damaged or truncated \(.+\)|the SVG renderer \(resvg\) crashed on this file; it cannot be rendered|the SVG needs more than \d+ MB of memory to render; it is too complex|the SVG took longer than \d+ s to render; it is too complex)$/;

function add(name: string, bytes: Buffer | string, expectation: Expectation, upscale = true): void {
  writeFileSync(join(corpus, name), bytes);
  entries.push({ name, expect: expectation, upscale });
}

function withCrc(png: Buffer, at: number, length: number): Buffer {
  png.writeUInt32BE(zlib.crc32(png.subarray(at + 4, at + 8 + length)), at + 8 + length);
  return png;
}

function notoSvg(icon: string): string | null {
  try {
    const body = (createRequire(import.meta.url)('@iconify-json/noto/icons.json') as { icons: Record<string, { body: string }> }).icons[icon]!.body;
    return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 128 128">${body}</svg>`;
  } catch {
    return null;
  }
}

const svg = (body: string, size = 64, prolog = '') =>
  `${prolog}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="#ffffff"/>${body}</svg>`;

async function buildCorpus(): Promise<void> {
  const raw = (width: number, height: number, seed: number) => {
    const data = Buffer.alloc(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 17 + ((i / 3) | 0) % width) & 255;
    return sharp(data, { raw: { width, height, channels: 3 } });
  };
  const png = await raw(48, 40, 1).png().toBuffer();
  const jpeg = await raw(40, 32, 2).jpeg({ quality: 90 }).toBuffer();
  const webp = await raw(36, 36, 3).webp().toBuffer();
  const gif = await raw(32, 24, 4).gif().toBuffer();
  const tiff = await raw(32, 24, 5).tiff().toBuffer();
  const deep = await raw(32, 24, 6).toColourspace('rgb16').png().toBuffer();

  // Good files: every batch they are in must still succeed.
  add('good.png', png, 'ok');
  add('good.jpg', jpeg, 'ok');
  add('good.webp', webp, 'ok');
  add('anim.gif', gif, 'ok');
  add('face.svg', readFileSync('node_modules/openmoji/color/svg/1F600.svg'), 'ok', false);
  add('jpeg-named.png', jpeg, 'ok'); // wrong extension, right bytes
  add('png-named.webp', png, 'ok');
  add('trailing-bytes.png', Buffer.concat([png, Buffer.from('garbage after IEND')]), 'ok');

  // Not images at all.
  add('empty.png', Buffer.alloc(0), 'fail');
  add('notes.png', 'shopping list: eggs, milk, flour\n', 'fail');
  add('notes.jpg', 'not a photo either\n', 'fail');
  add('page.webp', '<html><body>hello</body></html>\n', 'fail');
  add('zeros.jpg', Buffer.alloc(4096), 'fail');
  let seed = 7;
  add('random.png', Buffer.from(Array.from({ length: 5000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24)), 'fail');
  add('gzip.png', zlib.gzipSync('just text, gzipped'), 'fail');
  add('photo.heic.jpg', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(64)]), 'fail');
  add('bitmap.png', Buffer.concat([Buffer.from('BM'), Buffer.alloc(200, 1)]), 'fail');
  add('document.png', '%PDF-1.4\n%âãÏÓ\n1 0 obj\n', 'fail');

  // Damaged images.
  add('truncated.png', png.subarray(0, png.length >> 1), 'fail');
  add('truncated.jpg', jpeg.subarray(0, jpeg.length >> 1), 'fail');
  add('truncated.webp', webp.subarray(0, webp.length >> 1), 'fail');
  add('truncated.gif', gif.subarray(0, 40), 'fail');
  add('truncated.tiff', tiff.subarray(0, 30), 'fail');
  add('truncated-16bit.png', deep.subarray(0, deep.length - 30), 'fail');
  add('header-only.png', png.subarray(0, 33), 'fail');
  const badHeaderCrc = Buffer.from(png);
  badHeaderCrc.writeUInt8(badHeaderCrc.readUInt8(29) ^ 0xff, 29);
  add('bad-header-crc.png', badHeaderCrc, 'fail');
  add('zero-size.png', withCrc((() => { const b = Buffer.from(png); b.writeUInt32BE(0, 16); b.writeUInt32BE(0, 20); return b; })(), 8, 13), 'fail');

  // Huge declared sizes (decompression bombs by header).
  add('huge.png', withCrc((() => { const b = Buffer.from(png); b.writeUInt32BE(100_000, 16); b.writeUInt32BE(100_000, 20); return b; })(), 8, 13), 'fail');
  const hugeJpeg = Buffer.from(jpeg);
  const sof = hugeJpeg.indexOf(Buffer.from([0xff, 0xc0]));
  hugeJpeg.writeUInt16BE(65_000, sof + 5);
  hugeJpeg.writeUInt16BE(65_000, sof + 7);
  add('huge.jpg', hugeJpeg, 'fail');
  const hugeGif = Buffer.from(gif);
  hugeGif.writeUInt16LE(65_535, 6);
  hugeGif.writeUInt16LE(65_535, 8);
  add('huge-screen.gif', hugeGif, 'either'); // a small frame on a 65535² logical screen

  // SVG tricks: each must render without the secret (or fail with a reason), and never read it.
  const relative = '../'.repeat(16) + secretPng.slice(1);
  const image = (href: string, attr = 'href') => `<image ${attr}="${href}" width="64" height="64"/>`;
  add('secret-href.svg', svg(image(secretPng)), 'ok', false);
  add('secret-xlink.svg', svg(image(secretPng, 'xlink:href')), 'ok', false);
  add('secret-relative.svg', svg(image(relative)), 'ok', false);
  add('secret-file-url.svg', svg(image(`file://${secretPng}`)), 'ok', false);
  add('secret-entity.svg', svg('<image href="&s;" width="64" height="64"/>', 64, `<!DOCTYPE svg [<!ENTITY s "${secretPng}">]>`), 'ok', false);
  add('secret-feimage.svg', svg(`<filter id="f"><feImage href="${secretPng}"/></filter><rect width="64" height="64" filter="url(#f)"/>`), 'ok', false);
  add('secret-nested.svg', svg(image(`data:image/svg+xml;base64,${Buffer.from(svg(image(secretPng))).toString('base64')}`)), 'ok', false);
  add('secret-use.svg', svg(`<use href="${secretDir}/other.svg#r"/><style>@import url("${secretDir}/style.css");</style>`), 'ok', false);
  add('tripwire.svg', svg(image(tripwire) + image(`file://${tripwire}`)), 'ok', false);
  add('dev-zero.svg', svg(image('/dev/zero') + image('/dev/stdin')), 'ok', false);
  add('disguised-svg.png', svg(image(secretPng)), 'ok'); // SVG bytes under a raster name
  add('external-entity.svg', svg('<text y="20">&x;</text>', 64, `<!DOCTYPE svg [<!ENTITY x SYSTEM "file://${secretPng}">]>`), 'fail', false);
  let laughs = '<!ENTITY l0 "ha">';
  for (let i = 1; i <= 9; i++) laughs += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`;
  add('billion-laughs.svg', svg('<text y="20">&l9;</text>', 64, `<?xml version="1.0"?><!DOCTYPE svg [${laughs}]>`), 'fail', false);
  add('deep-nesting.svg', svg(`${'<g>'.repeat(5000)}<rect width="9" height="9"/>${'</g>'.repeat(5000)}`), 'fail', false);
  // Each group with opacity is a canvas-sized layer: 400 of them at 1024² want 1.6 GB.
  add('layer-bomb.svg', svg(`${'<g opacity="0.99">'.repeat(400)}<rect width="1024" height="1024"/>${'</g>'.repeat(400)}`, 1024), 'fail');
  add('not-xml.svg', 'this is not an svg at all <<<', 'fail', false);
  add('cut-short.svg', svg('<circle cx="32" cy="32" r="20" fill="red"/>').slice(0, 120), 'fail', false);
  add('html.svg', '<html><body><svg></svg></body></html>', 'fail', false);
  add('script.svg', svg('<script>alert(1)</script><circle cx="32" cy="32" r="9" onload="alert(2)"/>'), 'ok', false);
  // Renders at a requested size; the gallery, which stores it at its own size, refuses it as too large.
  add('huge-canvas.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="200000" height="200000"><rect width="9" height="9"/></svg>', 'either', false);

  // A 64 MB SVG in a file of about 64 KB.
  const bombFile = join(corpus, 'bomb.svgz');
  await pipeline(
    Readable.from((function* () {
      yield Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><!--');
      for (let i = 0; i < 64; i++) yield Buffer.alloc(2 ** 20, 0x20);
      yield Buffer.from('--></svg>');
    })()),
    createGzip({ level: 9 }),
    createWriteStream(bombFile),
  );
  entries.push({ name: 'bomb.svgz', expect: 'fail', upscale: true });

  // Real SVGs that abort resvg 2.6.2 (when @iconify-json/noto is installed).
  const pkg = notoSvg('package');
  const flag = notoSvg('rainbow-flag');
  if (pkg) add('noto-package.svg', pkg, 'fail');
  if (flag) add('noto-rainbow-flag.png', flag, 'fail'); // disguised as a raster too
}

/** Runs a command of the real CLI in its own process (under strace where available) and returns how it ended. */
function ganvas(args: string[], dataDir: string | null, label: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const command = [process.execPath, 'bin/ganvas.js', ...args, ...(dataDir ? ['--data-dir', dataDir] : [])];
  const trace = join(root, `strace-${label}.log`);
  if (strace) traces.push(trace);
  const [file, ...rest] = strace ? ['strace', ...STRACE, '-o', trace, ...command] : command;
  return new Promise((resolve, reject) => {
    const child = track(spawn(file!, rest, { env: { ...process.env, GANVAS_BACKEND: 'wasm' } }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The reason printed after "failed: NAME: " on a line of its own, once. */
function reasonIn(output: string, name: string): string[] {
  const prefix = `failed: ${name}: `;
  return output
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length).replace(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), ''));
}

function expectClean(result: { code: number | null; signal: string | null; stderr: string }): void {
  expect(result.signal).toBeNull();
  expect(result.code, result.stderr.slice(-3000)).toBe(1); // some files failed; not 134 (abort), not 2 (usage)
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
  expect(result.stderr).not.toMatch(/panicked|fatal runtime error/);
}

function secretPixelsIn(files: string[]): Promise<string[]> {
  return Promise.all(
    files.map(async (file) => {
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      for (let p = 0; p < info.width * info.height; p++) {
        const o = p * info.channels;
        if (Math.abs(data[o]! - SECRET.r) < 12 && Math.abs(data[o + 1]! - SECRET.g) < 12 && Math.abs(data[o + 2]! - SECRET.b) < 12) return file;
      }
      return null;
    }),
  ).then((found) => found.filter((file): file is string => file !== null));
}

function imagesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(png|jpg|webp)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

let tripped = false;
let unblocking = false;
let watch: Promise<void>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ganvas-corpus-'));
  secretDir = mkdtempSync(join(tmpdir(), 'ganvas-corpus-secret-'));
  corpus = join(root, 'corpus');
  mkdirSync(corpus);
  secretPng = join(secretDir, 'secret.png');
  await sharp({ create: { width: 64, height: 64, channels: 3, background: SECRET } }).png().toFile(secretPng);
  writeFileSync(join(secretDir, 'other.svg'), `<svg xmlns="http://www.w3.org/2000/svg"><rect id="r" width="64" height="64" fill="#13f0a7"/></svg>`);
  writeFileSync(join(secretDir, 'style.css'), 'rect { fill: #13f0a7 !important }');
  tripwire = join(secretDir, 'tripwire.png');
  if (process.platform === 'win32') {
    // No named pipes: the tripwire is a copy of the secret, caught by the pixel checks.
    writeFileSync(tripwire, readFileSync(secretPng));
    watch = Promise.resolve();
  } else {
    execFileSync('mkfifo', [tripwire]);
    // Anyone opening the pipe for reading completes this open for writing.
    watch = open(tripwire, 'w').then(async (handle) => {
      if (!unblocking) tripped = true;
      await handle.close();
    });
  }
  await buildCorpus();
});

afterAll(async () => {
  for (const child of running) {
    try {
      process.kill(workerPid(child), 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  unblocking = true;
  if (process.platform !== 'win32') {
    const reader = await open(tripwire, constants.O_RDONLY | constants.O_NONBLOCK);
    await watch;
    await reader.close();
  }
  rmSync(root, { recursive: true, force: true });
  rmSync(secretDir, { recursive: true, force: true });
});

it('has at least 40 files, bombs and SVG tricks among them', () => {
  expect(entries.length).toBeGreaterThanOrEqual(40);
  expect(entries.filter((e) => e.expect === 'fail').length).toBeGreaterThan(20);
});

it('ganvas translate, ganvas upscale and ganvas gallery add: each bad file fails alone with a clear reason', { timeout: 300_000 }, async () => {
  const dataDir = join(root, 'cli-data');
  const translated = join(root, 'translated');
  const upscaled = join(root, 'upscaled');
  const [translate, upscale, gallery] = await Promise.all([
    ganvas(['translate', '--model', 'bundled:pix2pix-openmoji-64', '--input', corpus, '--output', translated], dataDir, 'translate'),
    ganvas(['upscale', '--scale', '2', '--model', 'slim', '--input', corpus, '--output', upscaled], null, 'upscale'),
    ganvas(['gallery', 'add', ...entries.map((e) => join(corpus, e.name))], join(root, 'cli-data-gallery'), 'gallery'),
  ]);
  for (const result of [translate, upscale, gallery]) expectClean(result);

  const translatable = /\.(png|jpe?g|webp|gif|tiff?|avif|svg)$/i;
  const upscalable = /\.(png|jpe?g|webp|gif|tiff?|avif)$/i;
  const problems: string[] = [];
  for (const entry of entries) {
    const checks: [string, string, boolean, RegExp][] = [
      ['translate', translate.stderr, translatable.test(entry.name), translatable],
      ['upscale', upscale.stderr, upscalable.test(entry.name), upscalable],
      ['gallery add', gallery.stderr, true, /./],
    ];
    for (const [command, output, applies] of checks) {
      if (!applies) continue;
      const reasons = reasonIn(output, entry.name);
      if (entry.expect === 'ok' && reasons.length) problems.push(`${command} ${entry.name}: failed (${reasons[0]})`);
      if (entry.expect === 'fail' && reasons.length !== 1) problems.push(`${command} ${entry.name}: ${reasons.length} failure lines`);
      if (entry.expect !== 'ok' && reasons.length > 1) problems.push(`${command} ${entry.name}: ${reasons.length} failure lines`);
      if (reasons[0] !== undefined && !CLEAR_REASON.test(reasons[0])) problems.push(`${command} ${entry.name}: unclear reason "${reasons[0]}"`);
    }
  }
  const refused = (output: string) => output.split('\n').filter((line) => line.startsWith('failed: ')).length;
  console.log(`corpus via the CLI: ${entries.length} files; refused: translate ${refused(translate.stderr)}, upscale ${refused(upscale.stderr)}, gallery add ${refused(gallery.stderr)}; exit codes ${translate.code}/${upscale.code}/${gallery.code}`);
  expect(problems).toEqual([]);
  // The good files of the same batches were written and stored.
  expect(readdirSync(translated)).toEqual(expect.arrayContaining(['good.png', 'good.jpg', 'good.webp', 'anim.png', 'face.png', 'tripwire.png', 'disguised-svg.png']));
  expect(readdirSync(upscaled)).toEqual(expect.arrayContaining(['good.png', 'good.jpg', 'good.webp', 'anim.png', 'jpeg-named.png', 'disguised-svg.png']));
  const added = gallery.stdout.split('\n').filter((line) => line.startsWith('added ')).length;
  expect(added).toBeGreaterThanOrEqual(entries.filter((e) => e.expect === 'ok').length);
  expect(added).toBeLessThanOrEqual(entries.filter((e) => e.expect !== 'fail').length);
  expect(await secretPixelsIn([...imagesUnder(join(root, 'cli-data-gallery')), ...imagesUnder(upscaled)])).toEqual([]);
});

it('ganvas serve: gallery.import, upscale.images and translate.image answer every bad file with a reason, and the server lives on', { timeout: 400_000 }, async () => {
  const dataDir = join(root, 'server-data');
  const command = [process.execPath, 'bin/ganvas.js', 'serve', '--port', '0', '--data-dir', dataDir];
  const trace = join(root, 'strace-serve.log');
  if (strace) traces.push(trace);
  const [file, ...rest] = strace ? ['strace', ...STRACE, '-o', trace, ...command] : command;
  const server = track(spawn(file!, rest, { env: { ...process.env, GANVAS_TOKEN: TOKEN, GANVAS_BACKEND: 'wasm' } }));
  let output = '';
  server.stdout.on('data', (c: Buffer) => (output += c.toString()));
  server.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  let alive = true;
  void exited.then(() => (alive = false));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${output}`)), 60_000);
    const poll = setInterval(() => {
      const found = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (found) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(Number(found[1]));
      }
    }, 50);
  });
  const statuses: number[] = [];
  const api = (method: string, payload: unknown) =>
    new Promise<{ ok: boolean; value?: any; error?: { code: string; message: string } }>((resolve, reject) => {
      const body = JSON.stringify(payload);
      const req = request(
        { host: '127.0.0.1', port, path: `/api/${method}`, method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            statuses.push(res.statusCode ?? 0);
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(new Error(`${method}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const upload = (entry: Entry) => ({ name: entry.name, dataBase64: readFileSync(join(corpus, entry.name)).toString('base64') });
  const problems: string[] = [];
  try {
    // gallery.import: the whole corpus in one batch.
    const imported = await api('gallery.import', { files: entries.map(upload) });
    expect(imported.ok).toBe(true);
    const failed = new Map<string, string>(imported.value.failed.map((f: { name: string; reason: string }) => [f.name, f.reason]));
    for (const entry of entries) {
      const reason = failed.get(entry.name);
      if (entry.expect === 'ok' && reason) problems.push(`gallery.import ${entry.name}: failed (${reason})`);
      if (entry.expect === 'fail' && !reason) problems.push(`gallery.import ${entry.name}: was added`);
      if (reason && (!reason.startsWith(`${entry.name}: `) || !CLEAR_REASON.test(reason.slice(entry.name.length + 2)))) problems.push(`gallery.import ${entry.name}: unclear reason "${reason}"`);
    }

    // translate.image: one request per file, as the Doodle sends them.
    for (const entry of entries) {
      const outcome = await api('translate.image', { modelId: 'bundled:pix2pix-openmoji-64', image: upload(entry).dataBase64 });
      if (entry.expect === 'ok' && !outcome.ok) problems.push(`translate.image ${entry.name}: ${outcome.error?.message}`);
      if (entry.expect === 'fail' && outcome.ok) problems.push(`translate.image ${entry.name}: translated`);
      if (!outcome.ok && (outcome.error!.code !== 'invalid_request' || !CLEAR_REASON.test(outcome.error!.message.replace(/^the image: /, '')))) {
        problems.push(`translate.image ${entry.name}: ${outcome.error!.code}: ${outcome.error!.message}`);
      }
    }

    // upscale.images: one job for the rasters and a few SVGs; the job fails the bad files and finishes the rest.
    const batch = entries.filter((e) => e.upscale);
    const started = await api('upscale.images', { files: batch.map(upload), scale: 2, modelId: 'npm:esrgan-slim-x2' });
    expect(started.ok).toBe(true);
    let job = started.value;
    while (!['succeeded', 'failed', 'cancelled'].includes(job.status)) {
      await new Promise((r) => setTimeout(r, 250));
      job = (await api('jobs.get', { id: job.id })).value;
    }
    expect(job.status).toBe('succeeded');
    const upscaleFailed = new Map<string, string>(job.result.failed.map((f: { name: string; reason: string }) => [f.name, f.reason]));
    for (const entry of batch) {
      const reason = upscaleFailed.get(entry.name);
      if (entry.expect === 'ok' && reason) problems.push(`upscale.images ${entry.name}: failed (${reason})`);
      if (entry.expect === 'fail' && !reason) problems.push(`upscale.images ${entry.name}: was upscaled`);
      if (reason && (!reason.startsWith(`${entry.name}: `) || !CLEAR_REASON.test(reason.slice(entry.name.length + 2)))) problems.push(`upscale.images ${entry.name}: unclear reason "${reason}"`);
    }
    expect(job.result.done.length).toBeGreaterThanOrEqual(batch.filter((e) => e.expect === 'ok').length);
    expect((await api('app.info', {})).ok).toBe(true);
  } finally {
    // Under strace the server is strace's child, and SIGTERM must reach the server itself.
    if (alive) process.kill(workerPid(server), 'SIGTERM');
  }
  const end = await exited;
  console.log(`corpus via the server: ${statuses.length} requests, ${statuses.filter((s) => s >= 500).length} HTTP 500s; server exit ${JSON.stringify(end)}`);
  expect(problems).toEqual([]);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  expect(end).toEqual({ code: 0, signal: null }); // it was still running, and stopped cleanly
  expect(output).not.toMatch(/panicked|fatal runtime error|Unhandled/);
  expect(await secretPixelsIn(imagesUnder(dataDir))).toEqual([]);
});

it('nothing read outside the folders it was given: the named pipe was never opened, nothing touched the secret folder', () => {
  expect(tripped).toBe(false);
  const secretName = secretDir.split('/').pop()!;
  for (const trace of traces) {
    const touching = readFileSync(trace, 'utf8').split('\n').filter((line) => line.includes(secretName));
    expect(touching, trace).toEqual([]);
  }
  if (strace) expect(traces.length).toBe(4);
  console.log(`reads outside: tripwire opened ${tripped}; ${strace ? `${traces.length} strace logs checked` : 'strace not installed: only the tripwire and the pixels were checked'}`);
});
