/**
 * `ganvas`: the command line on the same engine as the studio.
 * Each command is a small function below; argument errors exit with code 2,
 * partial failures (some files failed) with code 1. When whoever reads the
 * output goes away (`ganvas models | head -3`), any command ends quietly
 * with code 0, as Unix tools do when the pipe closes.
 */
// First: ONNX Runtime's telemetry is off before anything can load it (see the module).
import './engine/onnx/no-telemetry.js';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { backendLadder, type BackendChoice } from '../shared/backend.js';
import { resolveDataDir } from './engine/data-dir.js';
import { appVersion, rendererDir } from './engine/install-location.js';

// Commands import the engine lazily, so `ganvas --help` starts instantly.
const loadGallery = () => import('./engine/gallery/index.js');
import { parseCommandLine, UsageError } from './cli/usage.js';

const HELP = `GANvas ${appVersion()}: image-to-image translation with GANs

Usage:
  ganvas serve [--port N] [--data-dir DIR] [--redis URL]
                                                start the studio for a browser on this machine
                                                (--redis: folder and training jobs go to BullMQ on Redis, for ganvas workers)
  ganvas gallery list [--search TEXT] [--limit N] [--json]
  ganvas gallery add FILE... [--tag TAG]        import images into the gallery
  ganvas gallery export ID OUT_DIR              copy an item's images to a folder
  ganvas train <family> --data DIR --out RUN_DIR [--size 64] [--steps N] [--batch B] [--config FILE.yaml] [--resume]
                                                train a model on your folder (see \`ganvas train --help\`)
  ganvas eval --model RUN_DIR --data DIR [--baselines] [--json]
                                                L1, PSNR and SSIM of a paired model on held-out pairs
  ganvas dataset openmoji --out DIR [--size 64] make a real sketch → colour dataset from OpenMoji
  ganvas translate --model ID_OR_DIR --input FILE_OR_DIR --output FILE_OR_DIR
                                                translate an image or a folder with a model
  ganvas models [--json]                        list the models this studio can run
  ganvas export-model RUN_DIR OUT_DIR [--float16]
                                                turn a training run into a shareable model folder
  ganvas upscale [--scale 2|3|4] [--model M] [--tile N] [--format F] --input FILE_OR_DIR [--output FILE_OR_DIR]
                                                upscale photos with a pretrained ESRGAN (any size, no seams)
  ganvas eval-sr --data DIR [--scale 4] [--json]
                                                PSNR/SSIM on Y of each upscaler against bicubic
  ganvas worker --redis URL [--concurrency N] [--data-dir DIR]
                                                run queued folder images and training runs of a studio started with --redis
  ganvas backend [--backend NAME]              show which tensor backend runs, as JSON
  ganvas bench [--quick] [--backends wasm,cpu] [--out FILE]
                                                measure speed (ms, FLOPs, GFLOP/s), leaks and UI latency; JSON out
  ganvas --version | --help

Options common to all commands:
  --data-dir DIR   where the gallery, models and checkpoints live
                   (default: $GANVAS_DATA_DIR, else the per-user data folder)

Environment:
  GANVAS_DATA_DIR  data folder (same as --data-dir)
  GANVAS_BACKEND   force a tensor backend: tensorflow-gpu, webgpu, tensorflow, wasm or cpu
  GANVAS_WEBGPU_ADAPTER  hardware (default), any, or swiftshader (the CPU Vulkan, for tests)
  GANVAS_INFERENCE  translate/Doodle/upscale runtime: auto (ONNX Runtime on every core when
                   tfjs runs on wasm/cpu and the model exports), onnx, or tfjs
  GANVAS_ONNX_THREADS  ONNX Runtime threads (default: every core)
  GANVAS_THREADS   threads of the wasm backend, for training and tfjs inference: a number
                   up to 8 or "all" (default 1; more starts tfjs's threaded wasm build)
  GANVAS_TOKEN     fixed access token for \`serve\` (default: a new random one each start)
  GANVAS_MAX_MEGAPIXELS  largest image decoded, in megapixels (default 300)
  GANVAS_REDIS_URL the studio's Redis queue (same as \`serve --redis\`; the desktop app reads it too)
`;


type Options = ParseArgsConfig['options'];

type Parsed = { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };

function parse(args: string[], options: Options): Parsed {
  return parseCommandLine(args, { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...options });
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, got "${value}"`);
  return n;
}

function portInUse(port: number): string {
  return `port ${port} on 127.0.0.1 is already in use (another \`ganvas serve\`?). Choose another with --port, or leave --port out to get a free one.`;
}

/** Binds and closes `port` at once: EADDRINUSE here means some other program has it. */
async function requireFreePort(port: number): Promise<void> {
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new Error(portInUse(port)) : error));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, redis: { type: 'string' } });
  if (values.help) return print(HELP);
  const redisUrl = (values.redis as string | undefined) ?? (process.env.GANVAS_REDIS_URL || undefined);
  if (redisUrl !== undefined) {
    // Checked before the studio opens, so a wrong URL changes nothing in the data folder.
    const { checkRedis, checkRedisUrl } = await import('./engine/redis-queue/connection.js');
    try {
      checkRedisUrl(redisUrl);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    await checkRedis(redisUrl);
  }
  const port = positiveInt(values.port as string | undefined, '--port', 0);
  if (port > 65535) throw new UsageError('--port must be at most 65535');
  // A taken port is found before the studio opens, so a failed start changes nothing in any data folder.
  if (port !== 0) await requireFreePort(port);
  const dataDir = resolveDataDir(values['data-dir'] as string | undefined);
  const { openStudio } = await import('./api/studio.js');
  const { startServer } = await import('./server/index.js');
  // Another live studio on this folder: FolderInUseError names it, before anything is touched.
  if (redisUrl !== undefined) await (await import('./engine/redis-queue/loader.js')).loadRedisQueue();
  const studio = openStudio({ dataDir, transport: 'http', ...(redisUrl !== undefined ? { redisUrl } : {}) });
  let server;
  try {
    server = await startServer({ studio, rendererDir: rendererDir(), port, token: process.env.GANVAS_TOKEN || undefined });
  } catch (error) {
    await studio.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(portInUse(port));
    throw error;
  }
  // The handler is in place before the URL is printed (whoever reads it may press Ctrl+C at once, and a
  // signal with no handler ends the process), and stays until the studio is closed.
  let stop = () => {};
  const stopped = new Promise<void>((done) => (stop = done));
  const onSignal = () => stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  console.log(`GANvas is running. Open this URL in a browser on this machine:\n\n    ${server.url}\n\nData folder: ${dataDir}\n${studio.context.queue.backend === 'redis' ? `Folder and training jobs go to the queue at ${studio.context.queue.url}: start \`ganvas worker --redis URL\` on the machines that run them.\n` : ''}Press Ctrl+C to stop.`);
  try {
    await stopped;
    await server.close();
    await studio.close();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

/** "notes.txt: not an image …", whether or not the reason already starts with the file's name. */
function namedOnce(name: string, reason: string): string {
  return reason.startsWith(`${name}: `) ? reason : `${name}: ${reason}`;
}

async function gallery(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { openGallery } = await loadGallery();
  switch (sub) {
    case 'list': {
      const { values } = parse(rest, { search: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
      const store = openGallery({ dataDir: resolveDataDir(values['data-dir'] as string | undefined) });
      try {
        const limit = Math.min(500, positiveInt(values.limit as string | undefined, '--limit', 50) || 50);
        const text = values.search as string | undefined;
        const page = store.list({ sort: 'newest', offset: 0, limit, ...(text ? { text } : {}) });
        if (values.json) return print(JSON.stringify(page, null, 2));
        for (const item of page.items) {
          const tags = item.tags.length ? `  [${item.tags.join(', ')}]` : '';
          const star = item.favourite ? '★ ' : '';
          console.log(`${String(item.id).padStart(6)}  ${new Date(item.createdAt).toISOString().slice(0, 16).replace('T', ' ')}  ${item.kind.padEnd(9)} ${star}${item.title} (${item.output.width}×${item.output.height})${tags}`);
        }
        console.log(`${page.items.length} of ${page.total} item${page.total === 1 ? '' : 's'}`);
        return 0;
      } finally {
        store.close();
      }
    }
    case 'add': {
      const { values, positionals } = parse(rest, { tag: { type: 'string', multiple: true } });
      if (!positionals.length) throw new UsageError('gallery add needs at least one image file');
      const store = openGallery({ dataDir: resolveDataDir(values['data-dir'] as string | undefined) });
      try {
        const files: { name: string; data: Buffer }[] = [];
        const failed: { name: string; reason: string }[] = [];
        for (const path of positionals) {
          try {
            files.push({ name: basename(path), data: await readFile(resolve(path)) });
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            failed.push({ name: path, reason: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an image file' : String((error as Error).message) });
          }
        }
        const result = files.length ? await store.importFiles(files) : { added: [], failed: [] };
        const tags = (values.tag as string[] | undefined) ?? [];
        for (const item of result.added) {
          if (tags.length) store.update(item.id, { tags: [...new Set([...item.tags, ...tags])] });
          console.log(`added ${item.id}: ${item.title} (${item.output.width}×${item.output.height} ${item.output.format})`);
        }
        for (const failure of [...failed, ...result.failed]) console.error(`failed: ${namedOnce(failure.name, failure.reason)}`);
        const failures = failed.length + result.failed.length;
        console.log(`${result.added.length} added, ${failures} failed`);
        return failures ? 1 : 0;
      } finally {
        store.close();
      }
    }
    case 'export': {
      const { values, positionals } = parse(rest, {});
      const [id, out] = positionals;
      if (!id || !out || positionals.length !== 2) throw new UsageError('usage: ganvas gallery export ID OUT_DIR');
      const store = openGallery({ dataDir: resolveDataDir(values['data-dir'] as string | undefined) });
      try {
        const written = await store.exportItem(positiveInt(id, 'ID', 0), resolve(out));
        for (const file of written) console.log(file);
        return 0;
      } finally {
        store.close();
      }
    }
    default:
      throw new UsageError(sub ? `unknown gallery command "${sub}" (list, add, export)` : 'gallery needs a command: list, add or export');
  }
}


async function backend(args: string[]): Promise<number> {
  const { values } = parse(args, { backend: { type: 'string' } });
  if (values.help) return print(HELP);
  const prefer = values.backend as string | undefined;
  if (prefer !== undefined && !(backendLadder as readonly string[]).includes(prefer)) {
    throw new UsageError(`--backend must be one of ${backendLadder.join(', ')}`);
  }
  const { initBackend } = await import('./engine/backend/index.js');
  const report = await initBackend(prefer ? { prefer: prefer as BackendChoice } : {});
  // Inference (translate, Doodle, upscale) may run on ONNX Runtime instead: src/main/engine/onnx/inference-path.ts.
  const { onnxStatus } = await import('./engine/onnx/index.js');
  return print(JSON.stringify({ ...report, inference: onnxStatus() }, null, 2));
}

function print(text: string): number {
  console.log(text);
  return 0;
}

const commands: Record<string, (args: string[]) => Promise<number>> = {
  serve,
  gallery,
  backend,
  train: async (args) => (await import('./cli/train.js')).trainCommand(args),
  eval: async (args) => (await import('./cli/eval.js')).evalCommand(args),
  dataset: async (args) => (await import('./cli/dataset.js')).datasetCommand(args),
  translate: async (args) => (await import('./cli/translate.js')).translateCommand(args),
  models: async (args) => (await import('./cli/models.js')).modelsCommand(args),
  'export-model': async (args) => (await import('./cli/export-model.js')).exportModelCommand(args),
  bench: async (args) => (await import('./cli/bench.js')).benchCommand(args),
  upscale: async (args) => (await import('./cli/upscale.js')).upscaleCommand(args),
  'eval-sr': async (args) => (await import('./cli/eval-sr.js')).evalSrCommand(args),
  worker: async (args) => (await import('./cli/worker.js')).workerCommand(args),
};

let pipeWatched = false;

/**
 * A closed stdout makes every later write fail with EPIPE, an 'error' event
 * that would end the command with a stack trace. Other tools die silently of
 * SIGPIPE there; Node ignores that signal, so end the same way by hand (owner
 * locks are released on exit). A closed stderr leaves nowhere to say anything.
 */
function endQuietlyWhenOutputCloses(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyWhenOutputCloses();
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return print(HELP);
  if (command === '--version' || command === '-v') return print(appVersion());
  const run = commands[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`ganvas: ${error.message}\nRun \`ganvas --help\` for usage.`);
      return 2;
    }
    console.error(`ganvas: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
