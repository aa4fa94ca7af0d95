/**
 * Does the UI stay responsive while a model trains? Times API round trips
 * from the main thread (as the Electron IPC handlers and the HTTP server run
 * them) with the studio idle, then again while a real pix2pix training job
 * runs in the job queue's worker thread.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { createJobQueue } from '../engine/jobs/index.js';
import { openGallery } from '../engine/gallery/index.js';
import { createDispatcher, type Handlers } from '../api/dispatch.js';
import { appHandlers } from '../api/app.js';
import { galleryHandlers } from '../api/gallery.js';
import type { Studio, StudioContext } from '../api/studio.js';
import { startServer } from '../server/index.js';
import { rendererDir } from '../engine/install-location.js';
import { percentile } from './timing.js';

export interface RoundTripStats {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface RoundTripPhase {
  'app.info': RoundTripStats;
  'gallery.list': RoundTripStats;
  /** POST /api/app.info through the real HTTP server with the token. */
  'http app.info': RoundTripStats;
}

export interface UiRoundTripReport {
  /** 'openStudio' or why a smaller composition of the same handlers was used. */
  studio: string;
  galleryItems: number;
  training: { kind: string; size: number; ngf: number; backend: string; stepsDuringMeasurement: number; msPerStep: number | null };
  idle: RoundTripPhase;
  duringTraining: RoundTripPhase;
}

export interface UiRoundTripOptions {
  dataDir: string;
  /** Calls per method and phase. */
  calls: number;
  /** Pause between calls, so they sample every part of a training step. */
  intervalMs: number;
  trainingSize: number;
  trainingNgf: number;
  backend: 'wasm' | 'cpu';
  log: (message: string) => void;
}

const TOKEN = 'bench-token-0123456789abcdef';

/**
 * The studio, or, while modules it composes are still being written, the
 * same app and gallery handlers with the same dispatcher.
 */
async function openBenchStudio(dataDir: string): Promise<{ studio: Studio; description: string }> {
  try {
    const { openStudio } = await import('../api/studio.js');
    return { studio: openStudio({ dataDir, transport: 'http', log: () => {} }), description: 'openStudio' };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const gallery = openGallery({ dataDir });
    const context = { dataDir, transport: 'http', gallery, emit: () => {} } as unknown as StudioContext;
    // Only app.info and gallery.list are called; the rest of the contract is not needed here.
    const handlers = { ...appHandlers(context), ...galleryHandlers(context) } as unknown as Handlers;
    const studio: Studio = {
      context,
      dispatch: createDispatcher(handlers),
      onEvent: () => () => {},
      close: async () => gallery.close(),
    };
    return { studio, description: `app + gallery handlers on the real dispatcher (openStudio could not load: ${reason})` };
  }
}

async function addGalleryImages(studio: Studio, count: number): Promise<void> {
  const files = [];
  for (let i = 0; i < count; i++) {
    const data = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: 128 } } }).png().toBuffer();
    files.push({ name: `swatch-${i}.png`, dataBase64: data.toString('base64') });
  }
  const outcome = await studio.dispatch('gallery.import', { files });
  if (!outcome.ok) throw new Error(`could not fill the bench gallery: ${outcome.error.message}`);
}

function stats(samples: number[]): RoundTripStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { calls: sorted.length, p50Ms: round(percentile(sorted, 0.5)), p99Ms: round(percentile(sorted, 0.99)), maxMs: round(sorted[sorted.length - 1]!) };
}

async function measurePhase(studio: Studio, url: string, options: UiRoundTripOptions): Promise<RoundTripPhase> {
  const samples: Record<keyof RoundTripPhase, number[]> = { 'app.info': [], 'gallery.list': [], 'http app.info': [] };
  const timeCall = async (name: keyof RoundTripPhase, call: () => Promise<boolean>) => {
    const start = performance.now();
    const ok = await call();
    samples[name].push(performance.now() - start);
    if (!ok) throw new Error(`${name} failed during the bench`);
  };
  for (let i = 0; i < options.calls; i++) {
    await timeCall('app.info', async () => (await studio.dispatch('app.info', {})).ok);
    await sleep(options.intervalMs);
    await timeCall('gallery.list', async () => (await studio.dispatch('gallery.list', { limit: 100 })).ok);
    await sleep(options.intervalMs);
    await timeCall('http app.info', async () => {
      const response = await fetch(`${url}api/app.info`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return response.ok && ((await response.json()) as { ok: boolean }).ok;
    });
    await sleep(options.intervalMs);
  }
  return { 'app.info': stats(samples['app.info']), 'gallery.list': stats(samples['gallery.list']), 'http app.info': stats(samples['http app.info']) };
}

export async function measureUiRoundTrips(options: UiRoundTripOptions): Promise<UiRoundTripReport> {
  const { studio, description } = await openBenchStudio(options.dataDir);
  const galleryItems = 40;
  // The bench runs from source (bin/ganvas.js loads the CLI through tsx), so the job module is the .ts file.
  const trainingModule = fileURLToPath(new URL('./training-load-job.ts', import.meta.url));
  // Its own folder: the studio owns options.dataDir, and one folder has one job queue (engine/owner-lock.ts).
  const queue = createJobQueue({ dataDir: join(options.dataDir, 'training-load'), workerModules: [trainingModule], log: options.log });
  const server = await startServer({ studio, rendererDir: rendererDir(), port: 0, token: TOKEN });
  const base = `http://127.0.0.1:${server.port}/`;
  try {
    await addGalleryImages(studio, galleryItems);
    options.log(`UI round trips: idle (${options.calls} calls per method)`);
    const idle = await measurePhase(studio, base, options);

    const job = queue.start('bench-training-load', { steps: 100_000, size: options.trainingSize, ngf: options.trainingNgf, backend: options.backend });
    const progressAt: { done: number; at: number }[] = [];
    const stopListening = queue.on('progress', (event) => {
      if (event.id === job.id) progressAt.push({ done: event.progress.done, at: performance.now() });
    });
    try {
      // Measure once training is in its steady state: the first step builds the networks and Adam's slots.
      while (progressAt.length === 0) {
        const info = queue.get(job.id);
        if (info && ['failed', 'cancelled', 'succeeded'].includes(info.status)) throw new Error(`the training job ended before the bench: ${info.error ?? info.status}`);
        await sleep(50);
      }
      options.log(`UI round trips: during training (${options.calls} calls per method)`);
      const firstSeen = progressAt.length;
      const duringTraining = await measurePhase(studio, base, options);
      const during = progressAt.slice(firstSeen - 1);
      const first = during[0]!;
      const last = during[during.length - 1]!;
      const steps = last.done - first.done;
      const info = queue.get(job.id);
      if (info && info.status !== 'running') throw new Error(`the training job stopped during the bench: ${info.error ?? info.status}`);
      return {
        studio: description,
        galleryItems,
        training: {
          kind: 'bench-training-load (pix2pix family trainStep in the job worker)',
          size: options.trainingSize,
          ngf: options.trainingNgf,
          backend: options.backend,
          stepsDuringMeasurement: steps,
          msPerStep: steps > 0 ? Math.round((last.at - first.at) / steps) : null,
        },
        idle,
        duringTraining,
      };
    } finally {
      stopListening();
      queue.cancel(job.id);
      await queue.waitFor(job.id);
    }
  } finally {
    await queue.close();
    await server.close();
    await studio.close();
  }
}
