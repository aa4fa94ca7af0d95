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

/** A file sent from the renderer: base64 bytes, because both transports carry JSON. */
export const UploadedFile = z
  .object({
    name: z.string().min(1).max(255),
    dataBase64: z.string().max(70_000_000, 'a file is at most about 50 MB'),
  })
  .strict();
export type UploadedFile = z.infer<typeof UploadedFile>;

export const FileFailure = z.object({ name: z.string(), reason: z.string() });
export type FileFailure = z.infer<typeof FileFailure>;

// ---------------------------------------------------------------- methods

const Empty = z.object({}).strict();

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
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

// ---------------------------------------------------------------- results and errors

export const errorCodes = ['invalid_request', 'unknown_method', 'not_found', 'unsupported', 'failed', 'cancelled'] as const;
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
}

/** The raw bridge the preload exposes as `window.ganvas`. */
export interface PreloadBridge {
  call(method: string, request: unknown): Promise<Outcome<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

export { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, MEDIA_SCHEME } from './channels.js';
