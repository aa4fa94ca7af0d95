/**
 * Queue throughput: images per second of a folder translation on the Redis
 * queue with 1 and 2 `ganvas worker` processes, end to end as a user gets
 * it (the studio plans the flow, workers translate, the studio collects the
 * results), with the bundled 64 px Pix2Pix on real emoji images. A warm-up
 * folder first loads the model in every worker, so the timed run measures
 * steady work, not start-up; worker start-up is reported on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openStudio, type Studio } from '../api/studio.js';
import { loadRedisQueue } from '../engine/redis-queue/loader.js';
import { redisUnavailable, startPrivateRedis } from './private-redis.js';

export interface QueueThroughputOptions {
  /** Images in the timed folder (default 60; quick 20). */
  images: number;
  workerCounts: number[];
  log?: (message: string) => void;
}

export interface QueueThroughputLine {
  workers: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  /** Seconds from spawning the workers until all had announced themselves. */
  workerStartSeconds: number;
}

export type QueueThroughputReport = { model: string; lines: QueueThroughputLine[] } | { skipped: string };

const MODEL = 'bundled:pix2pix-openmoji-64';
const GANVAS_BIN = fileURLToPath(new URL('../../../bin/ganvas.js', import.meta.url));

async function emojiFolder(dir: string, names: string[], source: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(names.map((name) => copyFile(path.join(source, name), path.join(dir, name))));
}

function spawnWorker(redisUrl: string, dataDir: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [GANVAS_BIN, 'worker', '--redis', redisUrl, '--data-dir', dataDir, '--takes', 'images'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GANVAS_BACKEND: 'wasm' },
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/GANvas worker .* backend/.test(output)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`a worker ended (code ${code}) before it was ready: ${output.slice(-500)}`)));
  });
  return { child, ready };
}

async function translateFolder(studio: Studio, inputDir: string, outputDir: string): Promise<void> {
  const started = await studio.dispatch('translate.folder', { modelId: MODEL, inputDir, outputDir });
  if (!started.ok) throw new Error(`translate.folder refused: ${JSON.stringify(started)}`);
  const finished = await studio.context.jobs.waitFor((started.value as { id: string }).id);
  if (finished.status !== 'succeeded') throw new Error(`the folder job ${finished.status}: ${finished.error ?? ''}`);
}

export async function measureQueueThroughput(options: QueueThroughputOptions): Promise<QueueThroughputReport> {
  const log = options.log ?? (() => {});
  const unavailable = redisUnavailable();
  if (unavailable) return { skipped: unavailable };
  const require = createRequire(import.meta.url);
  const source = path.join(path.dirname(require.resolve('emoji-datasource-twitter/package.json')), 'img', 'twitter', '64');
  const all = (await readdir(source)).filter((n) => n.endsWith('.png')).sort();
  const redis = await startPrivateRedis();
  const root = await mkdtemp(path.join(os.tmpdir(), 'ganvas-bench-queue-'));
  const lines: QueueThroughputLine[] = [];
  try {
    let offset = 0;
    for (const count of options.workerCounts) {
      const dataDir = path.join(root, `studio-${count}`);
      await loadRedisQueue();
      const studio = openStudio({ dataDir, transport: 'http', redisUrl: redis.url, log: () => {} });
      const workers: ChildProcess[] = [];
      try {
        const spawnedAt = performance.now();
        const spawned = Array.from({ length: count }, () => spawnWorker(redis.url, dataDir));
        workers.push(...spawned.map((w) => w.child));
        await Promise.all(spawned.map((w) => w.ready));
        const workerStartSeconds = (performance.now() - spawnedAt) / 1000;
        // Warm-up: enough images that every worker loads the model; distinct images, so nothing is found done.
        const warm = all.slice(offset, offset + 4 * count);
        offset += warm.length;
        await emojiFolder(path.join(root, `warm-${count}`), warm, source);
        await translateFolder(studio, path.join(root, `warm-${count}`), path.join(root, `warm-${count}-out`));
        const timed = all.slice(offset, offset + options.images);
        offset += timed.length;
        await emojiFolder(path.join(root, `in-${count}`), timed, source);
        const t0 = performance.now();
        await translateFolder(studio, path.join(root, `in-${count}`), path.join(root, `out-${count}`));
        const seconds = (performance.now() - t0) / 1000;
        const line = {
          workers: count,
          images: timed.length,
          seconds: Math.round(seconds * 100) / 100,
          imagesPerSecond: Math.round((timed.length / seconds) * 100) / 100,
          workerStartSeconds: Math.round(workerStartSeconds * 10) / 10,
        };
        log(`  ${count} worker${count === 1 ? '' : 's'}: ${line.images} images in ${line.seconds} s, ${line.imagesPerSecond} images/s (workers started in ${line.workerStartSeconds} s)`);
        lines.push(line);
      } finally {
        await studio.close();
        await Promise.all(
          workers.map(
            (child) =>
              new Promise<void>((resolve) => {
                if (child.exitCode !== null || child.signalCode !== null) return resolve();
                child.once('exit', () => resolve());
                child.kill('SIGTERM');
              }),
          ),
        );
      }
    }
    return { model: MODEL, lines };
  } finally {
    await redis.stop();
    await rm(root, { recursive: true, force: true });
  }
}
