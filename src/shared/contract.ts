/**
 * The one API contract between the renderer and the main process.
 *
 * Every request, response and event is a zod schema here, so the same
 * definition gives TypeScript types to main, preload and renderer and
 * validates payloads at runtime on both transports (Electron IPC and the
 * HTTP/WebSocket bridge of `ganvas serve`).
 *
 * Adding a method: add an entry to `methods`, write its handler in
 * src/main/api/<area>.ts, and the client picks it up by type.
 */
import { z } from 'zod';
import { JobIdRequest, JobInfo, JobProgressEvent, JobLogEvent, WorkerStats } from './jobs.js';
import { UpscaleTile } from './upscale-tiles.js';
import { boundedJsonObject } from './bounded-json.js';

export { JobInfo, JobProgressEvent, JobLogEvent, WorkerStats, JobIdRequest } from './jobs.js';

// ---------------------------------------------------------------- shared shapes

export const itemKinds = ['sketch', 'translate', 'upscale', 'imported'] as const;
export const ItemKind = z.enum(itemKinds);
export type ItemKind = z.infer<typeof ItemKind>;

export const imageFormats = ['png', 'jpeg', 'webp'] as const;
export const ImageFormat = z.enum(imageFormats);
export type ImageFormat = z.infer<typeof ImageFormat>;

/** Content hash (sha256, hex) of a stored image file. */
export const Hash = z.string().regex(/^[a-f0-9]{64}$/, 'expected a sha256 hex digest');

export const ImageRef = z.object({
  hash: Hash,
  format: ImageFormat,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  hasAlpha: z.boolean(),
});
export type ImageRef = z.infer<typeof ImageRef>;

export const Tag = z
  .string()
  .trim()
  .min(1, 'a tag cannot be empty')
  .max(64, 'a tag is at most 64 characters')
  .regex(/^[^,\n\r\t]+$/, 'a tag cannot contain commas, tabs or line breaks');

const ItemId = z.number().int().positive();
const JsonRecord = z.record(z.string(), z.unknown());
/** What a client may send as a free-form JSON object: bounded in bytes, keys and depth (see bounded-json.ts). */
const RequestJsonObject = boundedJsonObject();
/** Named durations in ms a client sends with a gallery item. */
const RequestTimings = z.record(z.string(), z.number().nonnegative()).superRefine((timings, ctx) => {
  const names = Object.keys(timings);
  if (names.length > 32) ctx.addIssue({ code: 'custom', message: 'at most 32 timings' });
  for (const name of names) if (name.length > 64) ctx.addIssue({ code: 'custom', message: 'a timing name is at most 64 characters' });
});

export const GalleryItem = z.object({
  id: ItemId,
  kind: ItemKind,
  title: z.string(),
  input: ImageRef.nullable(),
  output: ImageRef,
  modelId: z.string().nullable(),
  settings: JsonRecord,
  /** Named durations in milliseconds, e.g. { inference: 812, total: 930 }. */
  timings: z.record(z.string(), z.number()),
  createdAt: z.number().int(),
  favourite: z.boolean(),
  tags: z.array(z.string()),
});
export type GalleryItem = z.infer<typeof GalleryItem>;

export const GalleryQuery = z
  .object({
    text: z.string().max(200).optional(),
    kinds: z.array(ItemKind).max(itemKinds.length).optional(),
    modelId: z.string().max(200).optional(),
    favourite: z.boolean().optional(),
    tag: Tag.optional(),
    /** Inclusive bounds on createdAt, ms since epoch. */
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    sort: z.enum(['newest', 'oldest']).default('newest'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type GalleryQuery = z.input<typeof GalleryQuery>;

/** The id `POST /upload` of `ganvas serve` answers for a file streamed to it; requests then name the id instead of carrying the bytes. */
export const UploadId = z.string().regex(/^up-\d{1,10}-[a-f0-9]{32}$/, 'an upload id is what POST /upload answered (up-…)');
export const UploadReceipt = z.object({ uploadId: UploadId, bytes: z.number().int().positive() });
export type UploadReceipt = z.infer<typeof UploadReceipt>;

/**
 * A file sent from the renderer: inline base64 bytes (both transports carry
 * JSON; Electron always, the browser for small files), or the id of a file
 * streamed to `POST /upload` first (the browser, for large files).
 */
export const UploadedFile = z
  .object({
    name: z.string().min(1).max(255),
    dataBase64: z.string().max(70_000_000, 'a file is at most about 50 MB').optional(),
    uploadId: UploadId.optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    if ((file.dataBase64 === undefined) === (file.uploadId === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a file carries either dataBase64 or uploadId (one of them, not both)' });
    }
  })
  .transform((file): { name: string; dataBase64: string } | { name: string; uploadId: string } =>
    file.uploadId !== undefined ? { name: file.name, uploadId: file.uploadId } : { name: file.name, dataBase64: file.dataBase64 ?? '' },
  );
/** What a client sends for one file. */
export type UploadedFile = z.input<typeof UploadedFile>;

export const FileFailure = z.object({ name: z.string(), reason: z.string() });
export type FileFailure = z.infer<typeof FileFailure>;

/** A PNG/JPEG/WebP image carried inline (both transports carry JSON). */
export const InlineImage = z.string().max(70_000_000, 'an image is at most about 50 MB').describe('base64 bytes of a PNG, JPEG or WebP file');

/** One point of a loss curve: the value at a training step (or the mean of a run of steps ending there). */
export const LossPoint = z.object({ step: z.number().int().nonnegative(), value: z.number() });
export type LossPoint = z.infer<typeof LossPoint>;

/**
 * A family id as stored in checkpoints and model files (pix2pix, srgan…).
 * Open on purpose: the families are whatever the engine's registry holds
 * (`train.families` lists them), so a new family changes nothing here.
 * 'esrgan' names the pretrained upscalers from npm, which have no family.
 */
export const FamilyId = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a family id is lower-case letters, digits and dashes');
export type FamilyId = z.infer<typeof FamilyId>;

/** What a model is for: the views that offer it. */
export const modelUses = ['doodle', 'translate', 'upscale'] as const;
export const ModelUse = z.enum(modelUses);
export type ModelUse = z.infer<typeof ModelUse>;

/** A JSON Schema (draft 2020-12) object, as zod's toJSONSchema writes it; forms are generated from these. */
export const JsonSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof JsonSchema>;

/** A GAN family as the Train form and the Translate options see it (its descriptor, as data). */
export const FamilyInfo = z.object({
  id: FamilyId,
  title: z.string(),
  description: z.string(),
  /** The folder layout it trains on: 'paired', 'unpaired', 'domains' or 'high-res'. */
  dataset: z.string(),
  /** What the training folder must hold, in the user's words. */
  datasetHelp: z.string(),
  uses: z.array(ModelUse),
  /** 'training-size': images are resized to the model's size; 'any': taken as they are. */
  inferenceSize: z.enum(['training-size', 'any']),
  /** Every training setting with its default, title, help and bounds. */
  configSchema: JsonSchema,
  /** The options its models' translate takes. */
  translateOptionsSchema: JsonSchema,
  /** Settings that decide the networks' shapes: fixed once a run has started. */
  architectureKeys: z.array(z.string()),
  /** Where a new run in the Train form starts, by kind of machine. */
  presets: z.object({ cpu: z.record(z.string(), z.unknown()), gpu: z.record(z.string(), z.unknown()) }),
});
export type FamilyInfo = z.infer<typeof FamilyInfo>;

/** A model the studio can run: bundled in models/, shipped by an npm package, or trained by the user. */
export const ModelInfo = z.object({
  /** Stable id: 'bundled:pix2pix-openmoji-64', 'npm:esrgan-slim-x4', 'run:<run folder name>'. */
  id: z.string().min(1).max(200),
  family: FamilyId,
  title: z.string(),
  description: z.string(),
  /** bundled: in models/; package: an npm weights package; trained: a run here; imported: a model folder the user added. */
  source: z.enum(['bundled', 'package', 'trained', 'imported']),
  /** Input size the model was trained at (pix2pix canvas side), if fixed. */
  size: z.number().int().positive().nullable(),
  /** Upscaling factor for super-resolution models. */
  scale: z.number().int().positive().nullable(),
  /** Target domains for StarGAN-like models. */
  domains: z.array(z.string()),
  /** The views that offer it (from its family). */
  uses: z.array(ModelUse),
  /** 'training-size': images are resized to `size` and back; 'any': taken at their own size. */
  inferenceSize: z.enum(['training-size', 'any']),
  /** The options translating with it takes, for this very model (e.g. its own domain names). */
  translateOptionsSchema: JsonSchema,
  /** Training steps done (trained models). */
  step: z.number().int().nonnegative().nullable(),
  createdAt: z.number().int().nullable(),
  licence: z.string().nullable(),
  /** Bytes of its weights on disk, when known (exported and package models). */
  sizeBytes: z.number().int().nonnegative().optional(),
  /** The model picked for its use when none is named: the Upscale default for its scale (a bundled SRGAN marked so, else ESRGAN slim). */
  isDefault: z.boolean().optional(),
  /** The model card's other fields, for the views to show (what it was trained on, its limits, measured speed). */
  card: z.object({ trainedOn: z.string().optional(), limitations: z.string().optional(), speed: z.string().optional() }).optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const BackendInfo = z.object({
  active: z.string(),
  tried: z.array(z.object({ name: z.string(), ok: z.boolean(), reason: z.string().optional() })),
  threads: z.number().int(),
  simd: z.boolean(),
  tfjsVersion: z.string(),
  kernelsRegistered: z.array(z.string()),
  /** The GPU adapter when the backend is webgpu; software means a CPU implementation such as SwiftShader. */
  adapter: z
    .object({ vendor: z.string(), architecture: z.string(), device: z.string(), description: z.string(), software: z.boolean() })
    .optional(),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

const RunName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'a run name is letters, digits, dots, dashes and underscores (at most 80)');

// ---------------------------------------------------------------- methods

const Empty = z.object({}).strict();

/** A `ganvas worker` that announced itself to the Redis queue within the last few seconds. */
export const QueueWorker = z.object({
  name: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** Its tensor backend, e.g. 'wasm' or 'tensorflow-gpu'. */
  backend: z.string(),
  gpu: z.boolean(),
  concurrency: z.number().int().positive(),
  takes: z.array(z.string()),
  running: z.number().int().nonnegative(),
  /** Tensors alive in the worker at its last heartbeat. */
  tensors: z.number().int().nonnegative(),
  startedAt: z.number().int(),
});
export type QueueWorker = z.infer<typeof QueueWorker>;

export const QueueStatus = z.discriminatedUnion('backend', [
  z.object({ backend: z.literal('in-process') }),
  z.object({
    backend: z.literal('redis'),
    /** Without its password. */
    url: z.string(),
    workers: z.array(QueueWorker),
    /** Set when Redis cannot be asked right now. */
    error: z.string().optional(),
  }),
]);
export type QueueStatus = z.infer<typeof QueueStatus>;

export const methods = {
  'app.info': {
    request: Empty,
    response: z.object({
      name: z.literal('GANvas'),
      version: z.string(),
      dataDir: z.string(),
      transport: z.enum(['electron', 'http']),
      platform: z.string(),
    }),
  },
  'gallery.list': {
    request: GalleryQuery,
    response: z.object({ total: z.number().int(), items: z.array(GalleryItem) }),
  },
  'gallery.get': {
    request: z.object({ id: ItemId }).strict(),
    response: GalleryItem,
  },
  'gallery.facets': {
    request: Empty,
    response: z.object({
      models: z.array(z.string()),
      tags: z.array(z.string()),
      kinds: z.record(z.string(), z.number().int()),
      total: z.number().int(),
    }),
  },
  'gallery.import': {
    request: z.object({ files: z.array(UploadedFile).min(1).max(200) }).strict(),
    response: z.object({ added: z.array(GalleryItem), failed: z.array(FileFailure) }),
  },
  'gallery.update': {
    request: z
      .object({
        id: ItemId,
        favourite: z.boolean().optional(),
        tags: z.array(Tag).max(50).optional(),
        title: z.string().max(200).optional(),
      })
      .strict(),
    response: GalleryItem,
  },
  /** Moves items to the trash; `gallery.restore` undoes it. The trash is emptied on the next start. */
  'gallery.delete': {
    request: z.object({ ids: z.array(ItemId).min(1).max(10_000) }).strict(),
    response: z.object({ deleted: z.array(ItemId) }),
  },
  'gallery.restore': {
    request: z.object({ ids: z.array(ItemId).min(1).max(10_000) }).strict(),
    response: z.object({ restored: z.array(ItemId) }),
  },
  /** Stores a result (e.g. a doodle and its translation) with its model, settings and timings. */
  'gallery.add': {
    request: z
      .object({
        kind: ItemKind,
        title: z.string().max(200).optional(),
        input: InlineImage.optional(),
        output: InlineImage,
        modelId: z.string().max(200).optional(),
        settings: RequestJsonObject.optional(),
        timings: RequestTimings.optional(),
        tags: z.array(Tag).max(50).optional(),
      })
      .strict(),
    response: GalleryItem,
  },

  // ---- the engine
  'engine.backend': {
    request: Empty,
    response: BackendInfo,
  },
  /** Where folder and training jobs run: this process, or the Redis queue (`--redis`) and the workers connected to it. */
  'queue.status': {
    request: Empty,
    response: QueueStatus,
  },
  'models.list': {
    request: z.object({ family: FamilyId.optional(), use: ModelUse.optional() }).strict(),
    response: z.object({ models: z.array(ModelInfo) }),
  },
  /**
   * Moves a trained run (`run:NAME`, with every finished job that trained it)
   * or a user model (`user:NAME`) to the trash; `models.restore` undoes it
   * until the studio starts next. Bundled and npm models are refused with the
   * reason; so is a run a job is still training.
   */
  'models.delete': {
    request: z.object({ id: ModelInfo.shape.id }).strict(),
    response: z.object({ deleted: z.string(), jobs: z.array(JobIdRequest.shape.id) }),
  },
  'models.restore': {
    request: z.object({ id: ModelInfo.shape.id }).strict(),
    response: z.object({ restored: z.string(), jobs: z.array(JobIdRequest.shape.id) }),
  },
  /**
   * Translates one image with a model, at interactive speed (the Doodle
   * view calls it while the user draws). Runs beside training jobs, not
   * behind them.
   */
  'translate.image': {
    request: z
      .object({
        modelId: z.string().min(1).max(200),
        image: InlineImage,
        /** Family options, e.g. { noise: true } for pix2pix, { domain: 'google' } for StarGAN. */
        options: RequestJsonObject.optional(),
      })
      .strict(),
    /** `note` says what was adapted, e.g. that the image was resized to the model's size and back. */
    response: z.object({ image: InlineImage, width: z.number().int(), height: z.number().int(), modelId: z.string(), ms: z.number(), note: z.string().nullable() }),
  },

  // ---- jobs (training, folders, upscaling): long work off the UI thread
  'jobs.list': {
    request: Empty,
    response: z.object({
      jobs: z.array(JobInfo),
      /** Who holds the worker (running or paused) and who waits, first to run first; so a view can say what a queued job waits for. */
      order: z.object({ current: JobIdRequest.shape.id.nullable(), waiting: z.array(JobIdRequest.shape.id) }),
    }),
  },
  /** The newest lines a job logged (kept in `<data dir>/jobs/<id>.log.jsonl`, bounded), oldest first; `total` counts every line kept. */
  'jobs.log': {
    request: z.object({ id: JobIdRequest.shape.id, limit: z.number().int().min(1).max(2000).default(200) }).strict(),
    response: z.object({ lines: z.array(JobLogEvent.omit({ id: true })), total: z.number().int().nonnegative() }),
  },
  /**
   * Moves a finished job to the trash; for a training job that is its whole
   * run: the run folder and every job that trained it (`removed` lists them).
   * `jobs.restore` undoes it until the studio starts next.
   */
  'jobs.remove': {
    request: JobIdRequest,
    response: z.object({ removed: z.array(JobIdRequest.shape.id), run: z.string().nullable() }),
  },
  'jobs.restore': {
    request: z.object({ ids: z.array(JobIdRequest.shape.id).min(1).max(500) }).strict(),
    response: z.object({ restored: z.array(JobIdRequest.shape.id) }),
  },
  'jobs.get': { request: JobIdRequest, response: JobInfo },
  'jobs.cancel': { request: JobIdRequest, response: JobInfo },
  'jobs.pause': { request: JobIdRequest, response: JobInfo },
  'jobs.resume': { request: JobIdRequest, response: JobInfo },
  /** Starts a failed/cancelled/interrupted resumable job again from where it stopped. */
  'jobs.retry': { request: JobIdRequest, response: JobInfo },
  'jobs.stats': { request: Empty, response: WorkerStats },
  /** The families this studio can train, with the JSON Schema of their settings and translate options. */
  'train.families': {
    request: Empty,
    response: z.object({ families: z.array(FamilyInfo) }),
  },
  /**
   * How long training with these settings takes on this machine: one step is
   * timed for real (after a warm-up step) on a batch of the right shape.
   */
  'train.estimate': {
    request: z.object({ family: FamilyId, config: RequestJsonObject.default({}) }).strict(),
    response: z.object({
      secondsPerStep: z.number().nonnegative(),
      steps: z.number().int().positive(),
      totalSeconds: z.number().nonnegative(),
      /** The tensor backend it was measured on. */
      backend: z.string(),
      /** A job was running while it was measured, so alone it would be faster. */
      busy: z.boolean(),
    }),
  },
  /** Trains a model on a folder on this machine; resumes the run if `run` exists and `resume` is set. */
  'train.start': {
    request: z
      .object({
        family: FamilyId,
        /** Folder with the training data (layout depends on the family). */
        dataDir: z.string().min(1).max(4096),
        /** Run folder name under <data dir>/runs. */
        run: RunName,
        resume: z.boolean().default(false),
        /** Every hyperparameter; missing ones get the family's defaults. */
        config: RequestJsonObject.default({}),
      })
      .strict(),
    response: JobInfo,
  },
  /**
   * The losses a training job has written so far (its run's losses.jsonl), one
   * curve per loss with at most `maxPoints` points (runs of steps averaged), so
   * the Train view can draw the whole curve after a reload or for a past run.
   */
  'train.history': {
    request: z
      .object({
        id: JobIdRequest.shape.id,
        maxPoints: z.number().int().min(10).max(10_000).default(1000),
      })
      .strict(),
    response: z.object({
      /** The last step written to the history (0 before the first step). */
      lastStep: z.number().int().nonnegative(),
      losses: z.record(z.string(), z.array(LossPoint)),
    }),
  },
  /** The sample grids a training job's run has on disk (`samples/step-*.png`), oldest first, at most `limit` of the newest. */
  'train.samples': {
    request: z.object({ id: JobIdRequest.shape.id, limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    response: z.object({ samples: z.array(z.object({ step: z.number().int().nonnegative() })) }),
  },
  /** One sample grid of a training job's run, as PNG bytes. */
  'train.sample': {
    request: z.object({ id: JobIdRequest.shape.id, step: z.number().int().nonnegative() }).strict(),
    response: z.object({ step: z.number().int().nonnegative(), image: InlineImage }),
  },
  /** Translates or upscales every image of a folder into another folder (never into the input folder). */
  'translate.folder': {
    request: z
      .object({
        modelId: z.string().min(1).max(200),
        inputDir: z.string().min(1).max(4096),
        outputDir: z.string().min(1).max(4096),
        options: RequestJsonObject.optional(),
        saveToGallery: z.boolean().default(false),
      })
      .strict(),
    response: JobInfo,
  },
  /** Upscales images sent from the UI; each result is saved to the gallery (kind 'upscale'). */
  'upscale.images': {
    request: z
      .object({
        files: z.array(UploadedFile).min(1).max(200),
        scale: z.union([z.literal(2), z.literal(3), z.literal(4)]),
        modelId: z.string().min(1).max(200).optional(),
        /** The `upscale` job's own bounds; the job also checks the tile against the chosen model. */
        tile: UpscaleTile.optional(),
      })
      .strict(),
    response: JobInfo,
  },
  /**
   * The "before" side of an upscale result: its original upscaled by exact
   * bicubic (the engine's, as `ganvas eval-sr` scores against), PNG, up to 16
   * megapixels; the Upscale view shows it under the model's result.
   */
  'upscale.bicubic': {
    request: z.object({ itemId: z.number().int().positive(), scale: z.union([z.literal(2), z.literal(3), z.literal(4)]) }).strict(),
    response: z.object({ width: z.number().int().positive(), height: z.number().int().positive(), pngBase64: z.string() }),
  },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Request<M extends MethodName> = z.input<Methods[M]['request']>;
export type ParsedRequest<M extends MethodName> = z.output<Methods[M]['request']>;
export type Response<M extends MethodName> = z.output<Methods[M]['response']>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

// ---------------------------------------------------------------- events (main -> renderer)

export const events = {
  'gallery.changed': z.object({
    reason: z.enum(['added', 'updated', 'deleted', 'restored']),
    ids: z.array(ItemId),
  }),
  /** Progress and status changes of a job (throttled; the final state always arrives). */
  'job.progress': JobProgressEvent,
  'job.log': JobLogEvent,
  /** A new sample grid of a training job, as a gallery-independent image. */
  'job.sample': z.object({ id: z.string(), step: z.number().int(), image: InlineImage }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

// ---------------------------------------------------------------- results and errors

export const errorCodes = ['invalid_request', 'invalid_state', 'unknown_method', 'not_found', 'unsupported', 'failed', 'cancelled'] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** Field-level problems for `invalid_request`: path and message. */
  issues?: { path: string; message: string }[];
}

/** What travels over either transport: never a thrown exception. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** The error a client throws when an Outcome is not ok. */
export class GanvasError extends Error {
  readonly code: ErrorCode;
  readonly issues: { path: string; message: string }[] | undefined;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'GanvasError';
    this.code = error.code;
    this.issues = error.issues;
  }
}

/** The client both transports implement; the renderer only ever sees this. */
export interface GanvasClient {
  readonly transport: 'electron' | 'http';
  call<M extends MethodName>(method: M, request: Request<M>): Promise<Response<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** A URL the renderer can put in <img src> for a stored image. */
  mediaUrl(hash: string, variant: 'image' | 'thumb'): string;
  /**
   * Streams a file to the studio and answers its upload id, for requests that
   * take files (`gallery.import`, `upscale.images`). Only `ganvas serve` has
   * it: Electron IPC carries large files inline without the cost of HTTP bodies.
   */
  upload?(file: Blob): Promise<UploadReceipt>;
}

/** The raw bridge the preload exposes as `window.ganvas`. */
export interface PreloadBridge {
  call(method: string, request: unknown): Promise<Outcome<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

export { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, MEDIA_SCHEME } from './channels.js';
