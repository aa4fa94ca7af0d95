/**
 * Interactive translation for the UI, on the main thread's side: requests go
 * to a long-lived inference worker (started on first use) one at a time, in
 * arrival order. A newer request on the same `options.channel` (the Doodle
 * sends 'doodle' on every stroke) replaces older ones still waiting: those
 * reject with code 'cancelled', so the latest stroke always wins and a burst
 * of strokes costs one translation, not one per stroke.
 *
 * No tfjs here: it loads only in the worker.
 */
import { Worker } from 'node:worker_threads';
import type { BackendReport } from '../backend/index.js';
import { UserFacingError } from '../errors.js';
import { typeScriptBootstrap, typeScriptLoaderUrl, type WorkerEntry } from '../jobs/worker-entry.js';
import type { EstimateReply, FromInferenceWorker, InferenceStats, InferenceWorkerSetup, ToInferenceWorker, TranslateReply } from './inference-protocol.js';

export type { InferenceStats } from './inference-protocol.js';

export interface TranslateResult {
  /** PNG bytes. */
  image: Buffer;
  width: number;
  height: number;
  /** Time in the network. */
  ms: number;
  /** Set when the input was resized to the model's size, saying so. */
  note: string | null;
}

export interface InferenceService {
  translate(modelId: string, image: Buffer, options?: Record<string, unknown>): Promise<TranslateResult>;
  /** Which tensor backend the worker runs (starts the worker). */
  backend(): Promise<BackendReport>;
  /** Times a training step of `family` at `config` (already validated) on this machine's backend. */
  estimateTrainingStep(family: string, config: Record<string, unknown>): Promise<EstimateReply>;
  /** Tensor counts and loaded models of the worker, for tests and diagnostics. */
  stats(): Promise<InferenceStats>;
  close(): Promise<void>;
}

export interface InferenceServiceOptions {
  dataDir: string;
  log?: (message: string) => void;
  /** Folder of bundled models (default `<install>/models`). */
  bundledDir?: string;
  /** Models kept loaded (default 3). */
  cacheSize?: number;
  backend?: InferenceWorkerSetup['backend'];
  /** Overrides where the worker script is. */
  worker?: WorkerEntry;
}

/** From source (tests, tsx) the worker is .ts and needs tsx; in the build it is `inference-worker.js` beside the bundle. */
export function inferenceWorkerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  const fromSource = /\.[cm]?ts$/.test(new URL(moduleUrl).pathname);
  if (!fromSource) return { entry: new URL('./inference-worker.js', moduleUrl) };
  return { entry: new URL('./inference-worker.ts', moduleUrl), typeScriptLoader: typeScriptLoaderUrl(moduleUrl) };
}

type Pending = {
  message: ToInferenceWorker;
  channel: string | null;
  resolve(value: unknown): void;
  reject(error: Error): void;
};

type Body<T> = T extends unknown ? Omit<T, 'requestId'> : never;

export function createInferenceService(options: InferenceServiceOptions): InferenceService {
  const log = options.log ?? (() => {});
  const setup: InferenceWorkerSetup = {
    dataDir: options.dataDir,
    cacheSize: options.cacheSize ?? 3,
    ...(options.bundledDir ? { bundledDir: options.bundledDir } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  };
  const waiting: Pending[] = [];
  let inFlight: Pending | null = null;
  let worker: Worker | null = null;
  let lastError: Error | null = null;
  let nextId = 1;
  let closed = false;

  function startWorker(): Worker {
    const entry = options.worker ?? inferenceWorkerEntry();
    const started = entry.typeScriptLoader
      ? new Worker(typeScriptBootstrap(entry.entry, entry.typeScriptLoader), { eval: true, workerData: setup })
      : new Worker(entry.entry, { workerData: setup });
    lastError = null;
    started.on('message', (message: FromInferenceWorker) => {
      const request = inFlight;
      if (!request || request.message.requestId !== message.requestId) return;
      inFlight = null;
      if (message.ok) request.resolve(message.value);
      else request.reject(message.error.userFacing || message.error.code !== 'failed' ? new UserFacingError(message.error.code, message.error.message) : new Error(message.error.message));
      pump();
    });
    started.on('error', (error) => {
      lastError = error;
    });
    started.on('exit', (code) => {
      if (worker !== started) return;
      worker = null;
      if (closed) return;
      const error = lastError as (Error & { code?: string }) | null;
      const why = error?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'it ran out of memory' : error ? `it crashed: ${error.message}` : `it stopped (exit code ${code})`;
      log(`inference worker: ${why}`);
      const request = inFlight;
      inFlight = null;
      // The next request starts a fresh worker; this one is not retried (it may be what crashed it).
      request?.reject(new UserFacingError('failed', `Translation failed because the inference worker stopped: ${why}. Try again; a new worker will start.`));
      pump();
    });
    return started;
  }

  function pump(): void {
    if (closed || inFlight) return;
    const next = waiting.shift();
    if (!next) return;
    inFlight = next;
    worker ??= startWorker();
    worker.postMessage(next.message);
  }

  function request<T>(body: Body<ToInferenceWorker>, channel: string | null = null): Promise<T> {
    if (closed) return Promise.reject(new UserFacingError('invalid_state', 'The inference service is closed'));
    if (channel !== null) {
      for (let i = waiting.length - 1; i >= 0; i--) {
        const older = waiting[i]!;
        if (older.channel !== channel) continue;
        waiting.splice(i, 1);
        older.reject(new UserFacingError('cancelled', `A newer '${channel}' request replaced this one`));
      }
    }
    return new Promise<T>((resolve, reject) => {
      const message = { ...body, requestId: nextId++ } as ToInferenceWorker;
      waiting.push({ message, channel, resolve: resolve as (value: unknown) => void, reject });
      pump();
    });
  }

  return {
    async translate(modelId, image, translateOptions = {}) {
      const channel = typeof translateOptions['channel'] === 'string' ? translateOptions['channel'] : null;
      // A copy: the caller's Buffer may be a slice of Node's shared pool.
      const bytes = new Uint8Array(image);
      const reply = await request<TranslateReply>({ type: 'translate', modelId, image: bytes, options: translateOptions }, channel);
      return {
        image: Buffer.from(reply.image.buffer, reply.image.byteOffset, reply.image.byteLength),
        width: reply.width,
        height: reply.height,
        ms: reply.ms,
        note: reply.resizedNote,
      };
    },
    backend: () => request<BackendReport>({ type: 'backend' }),
    // One channel: a newer estimate (the user changed a setting again) replaces a waiting one.
    estimateTrainingStep: (family, config) => request<EstimateReply>({ type: 'estimate', family, config }, 'train-estimate'),
    stats: () => request<InferenceStats>({ type: 'stats' }),
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new UserFacingError('cancelled', 'The studio is closing');
      for (const pending of waiting.splice(0)) pending.reject(stopped);
      inFlight?.reject(stopped);
      inFlight = null;
      const running = worker;
      worker = null;
      if (running) await running.terminate();
    },
  };
}
