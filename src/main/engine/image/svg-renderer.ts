/**
 * Measures and renders SVGs in a separate, long-lived process
 * (svg-render-process.ts), so a file that crashes resvg, eats memory or
 * renders forever fails only itself: the CLI, the server and every job in it
 * carry on, and the next SVG gets a fresh process.
 *
 * Requests run one at a time, in order. Each has a time limit; the process
 * limits its own memory per rendering (see svg-render-process.ts). The
 * process is started on first use, kept while SVGs keep coming, let go after
 * a while idle, and never keeps a command from exiting.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ImageDecodeError } from './image-decode-error.js';
import { maxPixels } from './pixel-limit.js';
import { OUT_OF_MEMORY_EXIT, type SvgRendererReady, type SvgRenderReply, type SvgRenderRequest } from './svg-render-protocol.js';
import type { RawImage } from './types.js';

export interface SvgRendererOptions {
  /** Time a request may take, given the pixels it renders (0 when measuring). Default 20 s + 2 s per megapixel. */
  timeoutMs?: (pixels: number) => number;
  /** Growth of the renderer process allowed per rendering. Default 256 MB + 16 bytes per rendered pixel. */
  memoryBytes?: (pixels: number) => number;
  /** Idle time after which the process is let go (default 30 s). */
  idleMs?: number;
  /** Time the process may take to load (default 60 s). */
  startMs?: number;
}

export interface SvgRenderer {
  /** The intrinsic size (width/height, else the viewBox), as resvg reads it. */
  measure(svg: Uint8Array, name: string): Promise<{ width: number; height: number }>;
  /** RGBA with straight alpha, `longSide` pixels on the long side (default: the intrinsic size). */
  render(svg: Uint8Array, name: string, longSide?: number): Promise<RawImage>;
  /** Renderer processes started so far (a crash or a timeout costs one). */
  readonly starts: number;
  close(): Promise<void>;
}

interface Pending {
  request: SvgRenderRequest;
  name: string;
  timeoutMs: number;
  resolve(reply: Extract<SvgRenderReply, { ok: true }>): void;
  reject(error: Error): void;
}

const defaults: Required<SvgRendererOptions> = {
  timeoutMs: (pixels) => 20_000 + (pixels / 1e6) * 2_000,
  memoryBytes: (pixels) => 256 * 2 ** 20 + 16 * pixels,
  idleMs: 30_000,
  startMs: 60_000,
};

function seconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 1000)} s`;
}

/** From source (tests, tsx, the CLI) the renderer is a .ts file run through tsx; in the build, a .js entry beside the bundle. */
function rendererEntry(): { script: string; execArgv: string[] } {
  const here = import.meta.url;
  if (/\.[cm]?ts$/.test(new URL(here).pathname)) {
    const tsx = pathToFileURL(createRequire(here).resolve('tsx')).href;
    return { script: fileURLToPath(new URL('./svg-render-process.ts', here)), execArgv: ['--import', tsx] };
  }
  // The bundle may put this module in out/main/ or in out/main/chunks/.
  for (const candidate of ['./svg-render-process.js', '../svg-render-process.js']) {
    const script = fileURLToPath(new URL(candidate, here));
    if (existsSync(script)) return { script, execArgv: [] };
  }
  throw new Error('the SVG renderer (svg-render-process.js) is missing from this installation');
}

export function createSvgRenderer(options: SvgRendererOptions = {}): SvgRenderer {
  const settings = { ...defaults, ...options };
  const waiting: Pending[] = [];
  let child: ChildProcess | null = null;
  let inFlight: (Pending & { timer: NodeJS.Timeout | null; timedOut: boolean }) | null = null;
  let ready = false;
  let idleTimer: NodeJS.Timeout | null = null;
  let nextId = 1;
  let starts = 0;
  let closed = false;

  function start(): ChildProcess {
    const entry = rendererEntry();
    const started = fork(entry.script, [], {
      execArgv: entry.execArgv,
      serialization: 'advanced',
      // A panic's backtrace means nothing to a user; the exit says enough.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    starts++;
    ready = false;
    const startTimer = setTimeout(() => {
      if (child === started && !ready) started.kill('SIGKILL');
    }, settings.startMs);
    startTimer.unref();
    started.on('message', (message: SvgRenderReply | SvgRendererReady) => {
      if ('ready' in message) {
        if (child !== started) return;
        clearTimeout(startTimer);
        ready = true;
        if (inFlight) armTimer();
        return;
      }
      const reply = message;
      const request = inFlight;
      if (!request || reply.id !== request.request.id) return;
      settle();
      if (reply.retire) {
        // The next request gets a fresh process; this one ends when its channel closes.
        child = null;
        started.disconnect();
      }
      if (reply.ok) request.resolve(reply);
      else request.reject(new ImageDecodeError(request.name, reply.reason));
      pump();
    });
    started.on('error', (error) => {
      if (child !== started) return;
      child = null;
      const request = inFlight;
      settle();
      request?.reject(new ImageDecodeError(request.name, `the SVG renderer could not start (${error.message})`));
      pump();
    });
    started.on('exit', (code, signal) => {
      if (child !== started) return;
      child = null;
      const request = inFlight;
      settle();
      if (request) request.reject(new ImageDecodeError(request.name, exitReason(request, code, signal)));
      pump();
    });
    return started;
  }

  function exitReason(request: Pending & { timedOut: boolean }, code: number | null, signal: NodeJS.Signals | null): string {
    if (request.timedOut) return `the SVG took longer than ${seconds(request.timeoutMs)} to render; it is too complex`;
    if (code === OUT_OF_MEMORY_EXIT) {
      return `the SVG needs more than ${Math.round(request.request.memoryBytes / 2 ** 20)} MB of memory to render; it is too complex`;
    }
    if (signal === 'SIGABRT' || code === 134) return 'the SVG renderer (resvg) crashed on this file; it cannot be rendered';
    if (!ready) return 'the SVG renderer did not start';
    return `the SVG renderer stopped while rendering this file (${signal ?? `exit code ${code}`})`;
  }

  function settle(): void {
    if (inFlight?.timer) clearTimeout(inFlight.timer);
    inFlight = null;
  }

  /** The request's time limit runs once the process is loaded. */
  function armTimer(): void {
    const request = inFlight;
    const running = child;
    if (!request || !running || request.timer) return;
    request.timer = setTimeout(() => {
      if (inFlight !== request) return;
      request.timedOut = true;
      running.kill('SIGKILL');
    }, request.timeoutMs);
  }

  function pump(): void {
    if (closed || inFlight) return;
    const next = waiting.shift();
    if (!next) {
      // Idle: the process must not keep the command alive, and goes after a while.
      child?.unref();
      child?.channel?.unref();
      if (child && !idleTimer) {
        idleTimer = setTimeout(() => {
          idleTimer = null;
          if (!inFlight && waiting.length === 0 && child?.connected) child.disconnect();
        }, settings.idleMs);
        idleTimer.unref();
      }
      return;
    }
    if (idleTimer) {
      clearTimeout(idleTimer);
      idleTimer = null;
    }
    try {
      child ??= start();
    } catch (error) {
      next.reject(new ImageDecodeError(next.name, `the SVG renderer could not start (${(error as Error).message})`));
      pump();
      return;
    }
    child.ref();
    child.channel?.ref();
    const running = child;
    inFlight = { ...next, timer: null, timedOut: false };
    if (ready) armTimer();
    running.send(next.request, (error) => {
      if (error && inFlight?.request.id === next.request.id) running.kill('SIGKILL');
    });
  }

  function ask(op: 'measure' | 'render', svg: Uint8Array, name: string, longSide?: number): Promise<Extract<SvgRenderReply, { ok: true }>> {
    if (closed) return Promise.reject(new ImageDecodeError(name, 'the SVG renderer is closed'));
    let limit: number;
    try {
      limit = maxPixels();
    } catch (error) {
      return Promise.reject(error);
    }
    // Only an estimate for the time and memory budgets; the renderer checks the exact size.
    const pixels = op === 'render' && longSide !== undefined ? longSide * longSide : 0;
    const request: SvgRenderRequest = {
      id: nextId++,
      op,
      // A copy: the caller's buffer may be a slice of a larger one.
      svg: new Uint8Array(svg),
      maxPixels: limit,
      memoryBytes: settings.memoryBytes(pixels),
      ...(longSide !== undefined ? { longSide } : {}),
    };
    return new Promise((resolve, reject) => {
      waiting.push({ request, name, timeoutMs: settings.timeoutMs(pixels), resolve, reject });
      pump();
    });
  }

  return {
    async measure(svg, name) {
      const reply = await ask('measure', svg, name);
      return { width: reply.width, height: reply.height };
    },
    async render(svg, name, longSide) {
      if (longSide !== undefined && (!Number.isInteger(longSide) || longSide < 1)) {
        throw new RangeError(`an SVG is rendered at a whole number of pixels ≥ 1, got ${longSide}`);
      }
      const reply = await ask('render', svg, name, longSide);
      return { data: reply.pixels!, width: reply.width, height: reply.height, channels: 4 };
    },
    get starts() {
      return starts;
    },
    async close() {
      closed = true;
      for (const pending of waiting.splice(0)) pending.reject(new ImageDecodeError(pending.name, 'the SVG renderer is closed'));
      const running = child;
      child = null;
      const request = inFlight;
      settle();
      request?.reject(new ImageDecodeError(request.name, 'the SVG renderer is closed'));
      if (idleTimer) clearTimeout(idleTimer);
      if (running && running.exitCode === null && running.signalCode === null) {
        const exited = new Promise<void>((done) => running.once('exit', () => done()));
        running.ref(); // an idle renderer is unref'd; waiting for its exit must keep this process alive
        running.kill('SIGKILL');
        await exited;
      }
    },
  };
}

let shared: SvgRenderer | null = null;

/** The renderer this process (or worker thread) uses for every SVG it decodes. */
export function svgRenderer(): SvgRenderer {
  shared ??= createSvgRenderer();
  return shared;
}
