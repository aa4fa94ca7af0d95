/**
 * The SVG renderer's own process: every SVG from a user is measured and
 * rendered here, never in a process that holds anything else.
 *
 * resvg is Rust behind N-API, and a Rust panic there is an abort no
 * try/catch stops (resvg 2.6.2 panics on real files, e.g. Noto's "package"
 * emoji). In this process an abort, a runaway allocation or an endless
 * render costs only the file being rendered: the parent (svg-renderer.ts)
 * sees the exit, fails that file with a reason, and starts a new process.
 *
 * Each request: inflate SVGZ with a byte cap, rewrite the SVG so it refers
 * to nothing outside itself (svg-self-contained.ts), read its size, refuse
 * renderings over the pixel limit, then render on libuv's thread pool while
 * this thread watches the process's memory and exits when the rendering
 * outgrows its budget (resvg allocates a full layer per group with opacity
 * or a filter, so a few kilobytes of nested groups can ask for gigabytes).
 *
 * Built as its own entry (`out/main/svg-render-process.js`).
 */
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Resvg, renderAsync } from '@resvg/resvg-js';
import { tooLargeReason } from './pixel-limit.js';
import { OUT_OF_MEMORY_EXIT, type SvgRenderReply, type SvgRenderRequest } from './svg-render-protocol.js';
import { defaultSelfContainedLimits, selfContainedSvg, svgText, SvgRefusedError } from './svg-self-contained.js';

const maxSvgBytes = defaultSelfContainedLimits.maxChars;
/** A process left this large by a request is retired (allocators rarely give memory back). */
const recycleAboveBytes = 768 * 2 ** 20;

class Refused extends Error {}

function inflated(bytes: Buffer): Buffer {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxSvgBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Refused(`too large: the SVGZ inflates to more than ${maxSvgBytes / 2 ** 20} MB of SVG`);
    }
    throw new Refused(`the SVGZ file is damaged or truncated (${(error as Error).message})`);
  }
}

/** resvg's messages read "SVG data parsing failed cause …"; the cause is what a user can act on. */
function resvgReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = message.replace(/^SVG data parsing failed cause /i, '').split('\n')[0]!.trim();
  return `not a valid SVG (${cause || 'resvg could not read it'})`;
}

/** The output size resvg will make for a long side (usvg's FitTo: scale to width or height, round up). */
function renderSize(width: number, height: number, longSide: number | undefined): { width: number; height: number } {
  if (longSide === undefined) return { width: Math.ceil(width), height: Math.ceil(height) };
  return width >= height
    ? { width: longSide, height: Math.ceil((longSide * height) / width) }
    : { width: Math.ceil((longSide * width) / height), height: longSide };
}

/** resvg hands back premultiplied RGBA; everything else in GANvas is straight alpha. */
function unpremultiplied(pixels: Buffer): Uint8Array {
  const data = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length);
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3]!;
    if (alpha === 0 || alpha === 255) continue;
    for (let c = 0; c < 3; c++) data[i + c] = Math.min(255, Math.round((data[i + c]! * 255) / alpha));
  }
  return data;
}

async function handle(request: SvgRenderRequest): Promise<SvgRenderReply> {
  const bytes = inflated(Buffer.from(request.svg.buffer, request.svg.byteOffset, request.svg.byteLength));
  if (bytes.length > maxSvgBytes) throw new Refused(`too large: the SVG is ${Math.round(bytes.length / 2 ** 20)} MB of text; the limit is ${maxSvgBytes / 2 ** 20} MB`);
  const svg = selfContainedSvg(svgText(bytes)).svg;
  // Fonts cost several milliseconds to load; only SVGs with text need them.
  const font = { loadSystemFonts: svg.includes('<text') || svg.includes(':text') };
  let intrinsic: { width: number; height: number };
  try {
    const parsed = new Resvg(svg, { font, logLevel: 'off' });
    intrinsic = { width: parsed.width, height: parsed.height };
  } catch (error) {
    throw new Refused(resvgReason(error));
  }
  if (!(intrinsic.width > 0 && intrinsic.height > 0)) throw new Refused('not a valid SVG (it has no size)');
  if (request.op === 'measure') return { id: request.id, ok: true, ...intrinsic };

  const size = renderSize(intrinsic.width, intrinsic.height, request.longSide);
  if (size.width * size.height > request.maxPixels) throw new Refused(tooLargeReason(size.width, size.height, request.maxPixels));
  const fitTo =
    request.longSide === undefined
      ? ({ mode: 'original' } as const)
      : intrinsic.width >= intrinsic.height
        ? ({ mode: 'width', value: request.longSide } as const)
        : ({ mode: 'height', value: request.longSide } as const);
  const ceiling = process.memoryUsage.rss() + request.memoryBytes;
  const watchdog = setInterval(() => {
    if (process.memoryUsage.rss() > ceiling) process.exit(OUT_OF_MEMORY_EXIT);
  }, 5);
  try {
    const rendered = await renderAsync(svg, { font, fitTo, logLevel: 'off' });
    return { id: request.id, ok: true, width: rendered.width, height: rendered.height, pixels: unpremultiplied(rendered.pixels) };
  } catch (error) {
    throw new Refused(resvgReason(error));
  } finally {
    clearInterval(watchdog);
  }
}

function reasonFor(error: unknown): string {
  if (error instanceof Refused || error instanceof SvgRefusedError) return error.message;
  return `the SVG could not be rendered (${error instanceof Error ? error.message : String(error)})`;
}

/**
 * Runs in a folder that holds nothing, so even a relative href that got past
 * svg-self-contained.ts would find nothing. Where a process may delete its
 * own working folder (not Windows) it does: lookups in a deleted folder,
 * `..` included, fail.
 */
function workInAnEmptyFolder(): void {
  const folder = mkdtempSync(join(tmpdir(), 'ganvas-svg-'));
  process.chdir(folder);
  if (process.platform !== 'win32') {
    rmdirSync(folder);
    return;
  }
  process.once('exit', () => {
    process.chdir(tmpdir());
    rmdirSync(folder);
  });
}

if (process.send) {
  workInAnEmptyFolder();
  // One request at a time: the parent sends the next only after this one's reply.
  process.on('message', (request: SvgRenderRequest) => {
    void handle(request)
      .catch((error: unknown): SvgRenderReply => ({ id: request.id, ok: false, reason: reasonFor(error) }))
      .then((reply) => {
        process.send!(process.memoryUsage.rss() > recycleAboveBytes ? { ...reply, retire: true } : reply);
      });
  });
  // The parent went away (or let this process go when idle).
  process.on('disconnect', () => process.exit(0));
  // Loaded: time limits start now, not while the module loads.
  process.send({ ready: true });
}
