/**
 * What the studio and the workers agree on over Redis: queue names, our own
 * keys, and the data each kind of queued job carries. tfjs-free.
 *
 * Three queues: `ganvas-images` (one job per image of a folder job),
 * `ganvas-folders` (the parent of a folder job's images: BullMQ flows) and
 * `ganvas-train` (a training run, one worker at a time).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const IMAGE_QUEUE = 'ganvas-images';
export const FOLDER_QUEUE = 'ganvas-folders';
export const TRAIN_QUEUE = 'ganvas-train';

/** Each live worker keeps `ganvas:workers:<name>` alive; it expires this long after the worker last wrote it. */
export const WORKER_TTL_MS = 10_000;
export const workerKey = (name: string): string => `ganvas:workers:${name}`;
export const WORKER_KEY_PATTERN = 'ganvas:workers:*';
/** The workers that ran images or steps of a studio job. */
export const jobWorkersKey = (studioJobId: string): string => `ganvas:job-workers:${studioJobId}`;
/** Set by the studio to ask the worker running a training job to checkpoint and stop. */
export const cancelKey = (queueJobId: string): string => `ganvas:cancel:${queueJobId}`;

const TranslateImageData = z.object({
  op: z.literal('translate'),
  /** The studio job (folder) this image was first queued for; workers record themselves under it. */
  owner: z.string(),
  /** A catalogue id (resolved in the worker's data folder) or a model folder every worker can read. */
  modelId: z.string().min(1),
  options: z.record(z.string(), z.unknown()),
  inputPath: z.string().min(1),
  outputPath: z.string().min(1),
  format: z.enum(['png', 'jpeg', 'webp']),
  file: z.string().min(1),
});

const UpscaleImageData = z.object({
  op: z.literal('upscale'),
  owner: z.string(),
  /** The ESRGAN's engine id, e.g. 'esrgan-slim-x2' (every install has the npm models). */
  model: z.string().min(1),
  scale: z.union([z.literal(2), z.literal(3), z.literal(4)]),
  tile: z.number().int().positive().optional(),
  inputPath: z.string().min(1),
  outputPath: z.string().min(1),
  format: z.enum(['png', 'jpeg', 'webp']),
  file: z.string().min(1),
});

/** One image of a folder job: translated by a model, or upscaled by an ESRGAN. */
export const ImageJobData = z.discriminatedUnion('op', [TranslateImageData, UpscaleImageData]);
export type ImageJobData = z.infer<typeof ImageJobData>;

export interface ImageJobResult {
  file: string;
  outputPath: string;
  /** Set when the image itself cannot be translated (unreadable, not an image); such a job is not retried. */
  failed?: string;
  ms?: number;
  resized?: boolean;
  /** Size of an upscaled output. */
  width?: number;
  height?: number;
  worker: string;
}

export interface WorkerAnnouncement {
  name: string;
  host: string;
  pid: number;
  /** The tensor backend the worker runs on, e.g. 'wasm' or 'tensorflow-gpu'. */
  backend: string;
  gpu: boolean;
  concurrency: number;
  /** What it takes: 'images', 'train'. */
  takes: string[];
  running: number;
  /** tf.memory().numTensors in the worker at its last heartbeat: flat from job to job when nothing leaks. */
  tensors: number;
  startedAt: number;
}

/**
 * The id of one image's job: a hash of the model (id and version), the
 * translate settings, where the result goes and the input's bytes. The same
 * image with the same model and settings into the same place is the same
 * job, so re-adding a folder finds the finished ones instead of redoing them;
 * a changed image, model version or setting is a new job.
 */
export function imageJobId(parts: { model: string; modelVersion: string; options: Record<string, unknown>; outputPath: string; input: Buffer }): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([parts.model, parts.modelVersion, canonical(parts.options), parts.outputPath]));
  hash.update('\0');
  hash.update(parts.input);
  return `img-${hash.digest('hex').slice(0, 40)}`;
}

/** Keys sorted at every level, so {a, b} and {b, a} hash alike. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as object).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}
