// A small, seeded fuzz of every contract method through a real `ganvas serve`
// child process (and of the CLI commands that expose the same methods), under
// strace. Payloads come from the contract's own method list and request
// schemas, so a new method is fuzzed without touching this file: wrong types,
// missing and extra keys, huge strings, deep nesting, prototype keys, unicode
// oddities, traversal paths and links out of a temp folder, numbers out of
// range, Infinity through JSON's 1e999, broken bodies. The answer must always
// be readable (never a 500, never a dropped connection), the server must
// survive all of it, and no file outside the data folder and the folders the
// requests name may be read. The WebSocket and the upload endpoint get their
// share of garbage too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { errorCodes, methods, type MethodName } from '../../src/shared/contract.js';
import { opaquePng } from './fixtures/gallery-images.js';
import { mulberry32 } from '../../src/main/engine/data/seeded-random.js';
import { accessesOutside, readFileAccesses, straceAvailable, stracePrefix, systemFolders, type FileAccess } from './fixtures/file-access.js';
import { CHILD_TOKEN, repoRoot, startServeChild, type ServeChild } from './fixtures/serve-child.js';

const SEED = 0x9a17a5;
const PAYLOADS_PER_METHOD = 52;
const withStrace = straceAvailable();

let root: string;
let dataDir: string;
let named: { in: string; out: string; file: string };
let outside: string;
let server: ServeChild;
let tinyPng: string;
const serverTrace = () => join(root, 'serve.trace');

/** Every run sends the same payloads: the engine's own seeded generator. */
const seeded = mulberry32;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ganvas-fuzz-'));
  dataDir = join(root, 'data');
  outside = join(root, 'outside');
  named = { in: join(root, 'named', 'in'), out: join(root, 'named', 'out'), file: join(root, 'named', 'in', 'ok.png') };
  mkdirSync(outside, { recursive: true });
  mkdirSync(named.in, { recursive: true });
  mkdirSync(named.out, { recursive: true });
  const png = await opaquePng(8, 8, { r: 12, g: 200, b: 90 });
  tinyPng = png.toString('base64');
  writeFileSync(named.file, png);
  // What only a followed link or a traversal could reach.
  writeFileSync(join(outside, 'secret.png'), await opaquePng(8, 8, { r: 255, g: 0, b: 255 }));
  writeFileSync(join(outside, 'secret.txt'), 'SECRET');
  symlinkSync(join(outside, 'secret.png'), join(named.in, 'sneaky.png'));
  symlinkSync(outside, join(named.in, 'sneaky-folder'));
  server = await startServeChild({ dataDir, ...(withStrace ? { prefix: stracePrefix(serverTrace()) } : {}) });
});

afterAll(async () => {
  await server?.stop();
  if (!process.env.KEEP_FUZZ) rmSync(root, { recursive: true, force: true });
});

// ---------------------------------------------------------------- payloads from the contract

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The top-level fields of a request schema, looking through optional/default/pipe wrappers. */
function fieldsOf(schema: z.ZodType): string[] {
  const def = defOf(schema);
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.innerType) return fieldsOf(def.innerType);
  if (def.in) return fieldsOf(def.in);
  return [];
}

/** Raw JSON text spliced in where a value is this marker (Infinity and -0 have no JSON.stringify form). */
const raw = (text: string) => `\u0000RAW(${text})\u0000`;
function toJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000RAW\((.*?)\)\\u0000"/g, (_, text: string) => JSON.parse(`"${text}"`) as string);
}

/** A valid request for the methods we know, so mutations reach past validation; {} for any other (new) method. */
function baseRequest(method: string): Record<string, unknown> {
  const examples: Record<string, Record<string, unknown>> = {
    'gallery.list': { text: 'x', limit: 5 },
    'gallery.get': { id: 1 },
    'gallery.import': { files: [{ name: 'ok.png', dataBase64: tinyPng }] },
    'gallery.update': { id: 1, title: 'renamed', tags: ['fuzz'] },
    'gallery.delete': { ids: [987_654] },
    'gallery.restore': { ids: [987_654] },
    'gallery.add': { kind: 'sketch', output: tinyPng, settings: { canvas: 256 }, timings: { total: 3 } },
    'models.list': { family: 'pix2pix' },
    // An unknown model: the request gets through validation and fails in the handler, quickly.
    'translate.image': { modelId: 'bundled:no-such-model', image: tinyPng, options: { noise: true } },
    'jobs.get': { id: 'no-such-job' },
    'jobs.cancel': { id: 'no-such-job' },
    'jobs.pause': { id: 'no-such-job' },
    'jobs.resume': { id: 'no-such-job' },
    'jobs.retry': { id: 'no-such-job' },
    'train.history': { id: 'no-such-job', maxPoints: 50 },
    // CycleGAN does not train yet: the handler checks the folder, then refuses.
    'train.start': { family: 'cyclegan', dataDir: named.in, run: 'fuzz-run', config: { steps: 1 } },
    // Output inside the input: refused before anything is queued.
    'translate.folder': { modelId: 'bundled:no-such-model', inputDir: named.in, outputDir: join(named.in, 'inside'), saveToGallery: false },
    'upscale.images': { files: [{ name: 'ok.png', dataBase64: tinyPng }], scale: 2, modelId: 'npm:no-such-model' },
  };
  return structuredClone(examples[method] ?? {});
}

/** Fields that name folders or files on this machine: the folders requests may make the server read. */
const PATH_FIELD = /dir$/i;

function deepArray(depth: number): string {
  return raw(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

function weirdValues(): { label: string; value: unknown }[] {
  const traversal = ['../../etc/passwd', '..\\..\\..\\windows\\win.ini', '../../outside/secret.png', '../../../outside/secret.txt', `${outside}/secret.png`, `file://${outside}/secret.png`,
    'run:../../outside', 'bundled:../../../outside', 'user:..%2F..%2Foutside', 'npm:../../outside', '/proc/self/environ', '%2e%2e%2f%2e%2e%2fgallery.db', 'up-1-../../../gallery.db'];
  const unicode = ['\u0000', 'nul\u0000byte', '\ud800', '\udfff\ud800', '\u202egnp.exe', 'e\u0301\u0301\u0301', '😀'.repeat(300), '\ufeff', 'Ａ', '%E0%A4%A', '\u2028\u2029', 'ǅ'];
  return [
    { label: 'null', value: null },
    { label: 'true', value: true },
    { label: '0', value: 0 },
    { label: '-1', value: -1 },
    { label: '1.5', value: 1.5 },
    { label: '-0', value: raw('-0') },
    { label: '2^53+1', value: raw('9007199254740993') },
    { label: '1e308', value: 1e308 },
    { label: '-1e308', value: -1e308 },
    { label: '5e-324', value: 5e-324 },
    { label: 'Infinity via 1e999', value: raw('1e999') },
    { label: '-Infinity via -1e999', value: raw('-1e999') },
    { label: 'empty string', value: '' },
    { label: 'string', value: 'fuzz' },
    { label: '100k string', value: 'x'.repeat(100_000) },
    { label: '3 MB string', value: 'y'.repeat(3_000_000) },
    { label: 'empty list', value: [] },
    { label: 'list of nulls', value: [null, null] },
    { label: '100k-item list', value: Array.from({ length: 100_000 }, (_, i) => i) },
    { label: 'empty object', value: {} },
    { label: 'object', value: { a: 1, b: [1, 2], c: { d: 'e' } } },
    { label: '__proto__ object', value: raw('{"__proto__":{"polluted":true},"a":1}') },
    { label: 'constructor.prototype', value: { constructor: { prototype: { polluted: true } } } },
    { label: 'toString key', value: { toString: 'x', valueOf: 1, hasOwnProperty: null } },
    { label: '20,000-deep list', value: deepArray(20_000) },
    { label: '2,000-deep object', value: raw(`${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`) },
    { label: '30,000 keys', value: Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, i])) },
    ...traversal.map((value) => ({ label: `path ${value.slice(0, 40)}`, value })),
    ...unicode.map((value, i) => ({ label: `unicode #${i}`, value })),
    { label: 'named folder', value: named.in },
    { label: 'named file', value: named.file },
    { label: 'named output', value: named.out },
    { label: 'link to a secret in a named folder', value: join(named.in, 'sneaky.png') },
  ];
}

/** Every leaf of a request, as a path of keys, plus the schema's own top-level fields (set or not). */
function mutationPoints(method: MethodName, base: Record<string, unknown>): (string | number)[][] {
  const points: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (path.length) points.push(path);
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index]));
    else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(base, []);
  for (const field of fieldsOf(methods[method].request as z.ZodType)) if (!points.some((p) => p.length === 1 && p[0] === field)) points.push([field]);
  return points;
}

function withValue(base: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

function withoutKey(base: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = base;
  return rest;
}

interface Payload {
  method: string;
  label: string;
  body: Buffer;
  /** Absolute paths this request names in path fields: folders it may make the server read. */
  names: string[];
}

function namesIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return PATH_FIELD.test(key) && value.startsWith('/') ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => namesIn(item, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([name, item]) => namesIn(item, name));
  return [];
}

function payloadsFor(method: MethodName, random: () => number): Payload[] {
  const base = baseRequest(method);
  const out: Payload[] = [];
  const add = (label: string, value: unknown) => out.push({ method, label, body: Buffer.from(toJson(value)), names: namesIn(value) });
  const addRaw = (label: string, body: Buffer | string) => out.push({ method, label, body: Buffer.isBuffer(body) ? body : Buffer.from(body), names: [] });

  // The whole body wrong.
  for (const [label, body] of [
    ['null', 'null'], ['number', '42'], ['string', '"text"'], ['list', '[1,2]'], ['true', 'true'], ['truncated', '{"a":'], ['not JSON', "{'a': 1}"],
    ['BOM + JSON', '\ufeff{}'], ['NaN', '{"x": NaN}'], ['duplicate keys', '{"id": 1, "id": "x"}'], ['20,000-deep', `${'['.repeat(20_000)}${']'.repeat(20_000)}`],
  ] as const) addRaw(`body: ${label}`, body);
  addRaw('body: invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
  addRaw('body: lone surrogate escape', '{"name":"\\ud800"}');
  add('body: __proto__ at the top', JSON.parse('{"__proto__":{"admin":true}}'));
  add('valid example', base);
  for (const key of Object.keys(base)) add(`without ${key}`, withoutKey(base, key));
  add('extra key', { ...base, definitely_not_a_field: 1 });
  add('extra __proto__', JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(base).slice(1)}`.replace(/,}$/, '}')));
  add('extra constructor', { ...base, constructor: { prototype: { x: 1 } } });

  // One field (or nested leaf) at a time, sampled from every point × every weird value.
  const candidates = mutationPoints(method, base).flatMap((path) => weirdValues().map((weird) => ({ path, weird })));
  while (out.length < PAYLOADS_PER_METHOD && candidates.length) {
    const [{ path, weird }] = candidates.splice(Math.floor(random() * candidates.length), 1) as [{ path: (string | number)[]; weird: { label: string; value: unknown } }];
    add(`${path.join('.')} = ${weird.label}`, withValue(base, path, weird.value));
  }
  // Methods without fields: every weird value as an extra key instead.
  for (const weird of weirdValues()) {
    if (out.length >= PAYLOADS_PER_METHOD) break;
    add(`unknown key = ${weird.label}`, { ...base, surprise: weird.value });
  }
  return out;
}

// ---------------------------------------------------------------- sending

const agent = new Agent({ keepAlive: true, maxSockets: 6 });

interface Answer {
  status: number;
  body: string;
  /** A transport failure: reset, timeout… (what a client sees when a server dies). */
  failure?: string;
}

function send(path: string, body: Buffer | null, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, method, agent, headers: { Authorization: `Bearer ${CHILD_TOKEN}`, ...(body ? { 'Content-Length': String(body.length) } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => resolve({ status: 0, body: '', failure: error.message }));
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('no answer in 60 s')));
    req.on('error', (error) => resolve({ status: 0, body: '', failure: error.message }));
    req.end(body ?? undefined);
  });
}

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

interface Problem {
  what: string;
  detail: string;
}

function checkApiAnswer(payload: Payload, answer: Answer, problems: Problem[], codes: Map<string, number>): void {
  const what = `${payload.method} [${payload.label}]`;
  if (answer.failure) return void problems.push({ what, detail: `no answer: ${answer.failure}` });
  if (answer.status >= 500 && answer.status !== 503) return void problems.push({ what, detail: `HTTP ${answer.status}: ${answer.body.slice(0, 200)}` });
  if (![200, 400, 413, 503].includes(answer.status)) return void problems.push({ what, detail: `unexpected HTTP ${answer.status}: ${answer.body.slice(0, 200)}` });
  let outcome: { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    outcome = JSON.parse(answer.body);
  } catch {
    return void problems.push({ what, detail: `not JSON: ${answer.body.slice(0, 200)}` });
  }
  if (outcome.ok === true) {
    const checked = methods[payload.method as MethodName]?.response.safeParse(outcome.value);
    if (checked && !checked.success) problems.push({ what, detail: `answer does not match the contract: ${checked.error.message.slice(0, 200)}` });
    codes.set('ok', (codes.get('ok') ?? 0) + 1);
    return;
  }
  const code = String(outcome.error?.code);
  codes.set(code, (codes.get(code) ?? 0) + 1);
  if (!(errorCodes as readonly string[]).includes(code)) problems.push({ what, detail: `unknown error code ${code}` });
  if (typeof outcome.error?.message !== 'string' || outcome.error.message.length < 5) problems.push({ what, detail: 'an error without a readable message' });
  // 'failed' is what an unexpected exception in a handler becomes: a bug, not an answer to bad input.
  if (code === 'failed' && answer.status === 200) problems.push({ what, detail: `handler failed: ${String(outcome.error?.message).slice(0, 300)}` });
}

/** Sends bytes after a real WebSocket upgrade and waits for the server to close the socket (or 2 s). */
async function garbageOnEventSocket(bytes: Buffer): Promise<void> {
  const socket = connect(server.port, '127.0.0.1');
  // A server that is gone refuses or closes: that ends the wait (and the fuzz then reports it).
  const gone = new Promise<'gone'>((resolve) => {
    socket.once('error', () => resolve('gone'));
    socket.once('close', () => resolve('gone'));
  });
  if ((await Promise.race([new Promise((resolve) => socket.once('connect', resolve)), gone])) === 'gone') return;
  socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: http://127.0.0.1:${server.port}\r\nCookie: ganvas_token=${CHILD_TOKEN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  if ((await Promise.race([new Promise((resolve) => socket.once('data', resolve)), gone])) === 'gone') return;
  socket.write(bytes);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 2000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// ---------------------------------------------------------------- the run

let sentApi = 0;
const problems: Problem[] = [];
const codes = new Map<string, number>();
const namedByRequests = new Set<string>();

describe('a seeded fuzz of every contract method through ganvas serve', () => {
  it('answers every malformed request readably (never a 500 or a dropped connection) and survives all of it', async () => {
    const random = seeded(SEED);
    const payloads = (Object.keys(methods) as MethodName[]).flatMap((method) => payloadsFor(method, random));
    // Requests for methods the contract does not have, prototype names included.
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 'gallery.list.extra', 'x'.repeat(5000), '%E0%A4%A', '..%2F..%2Fetc%2Fpasswd']) {
      payloads.push({ method: name, label: 'unknown method', body: Buffer.from('{}'), names: [] });
    }
    for (const payload of payloads) for (const name of payload.names) namedByRequests.add(name);
    expect(payloads.filter((payload) => payload.label !== 'valid example').length).toBeGreaterThanOrEqual(1000);

    await inParallel(payloads, 4, async (payload) => {
      const path = `/api/${payload.method.startsWith('%') || payload.method.includes('%2F') ? payload.method : encodeURIComponent(payload.method)}`;
      const answer = await send(path, payload.body, { 'Content-Type': 'application/json' });
      sentApi++;
      checkApiAnswer(payload, answer, problems, codes);
    });

    // The transport around the methods: paths, cookies, headers, uploads, the event socket.
    const transport: [string, () => Promise<Answer>, (answer: Answer) => boolean][] = [
      ['broken escape in an API path', () => send('/api/%E0%A4%A', Buffer.from('{}'), { 'Content-Type': 'application/json' }), (a) => a.status === 400],
      ['broken escape in a page path', () => send('/%ff%fe', null, {}, 'GET'), (a) => a.status === 400],
      ['broken token cookie', () => send('/', null, { Authorization: '', Cookie: 'ganvas_token=%E0%A4%A' }, 'GET'), (a) => a.status === 400],
      ['dot segments to the database', () => send('/media/image/../../gallery.db', null, {}, 'GET'), (a) => a.status < 500 && !a.body.includes('SQLite')],
      ['encoded dot segments', () => send('/media/%2e%2e/%2e%2e/gallery.db', null, {}, 'GET'), (a) => a.status < 500 && !a.body.includes('SQLite')],
      ['raw traversal in the target', () => send('/../../../../etc/passwd', null, {}, 'GET'), (a) => a.status < 500 && !a.body.includes('root:')],
      ['an unknown image hash', () => send(`/media/image/${'f'.repeat(64)}`, null, {}, 'GET'), (a) => a.status === 404],
      ['long bearer token', () => send('/api/app.info', Buffer.from('{}'), { 'Content-Type': 'application/json', Authorization: `Bearer ${'t'.repeat(8_000)}` }), (a) => a.status === 401],
      ['headers over the limit', () => send('/api/app.info', Buffer.from('{}'), { 'Content-Type': 'application/json', Authorization: `Bearer ${'t'.repeat(20_000)}` }), (a) => a.status === 431],
      ['form post to the API', () => send('/api/app.info', Buffer.from('a=1'), { 'Content-Type': 'application/x-www-form-urlencoded' }), (a) => a.status === 415],
      ['DELETE on the API', () => send('/api/app.info', null, {}, 'DELETE'), (a) => a.status === 405],
      ['empty upload', () => send('/upload', Buffer.alloc(0), { 'Content-Type': 'application/octet-stream' }), (a) => a.status === 400],
      ['text posted as an upload', () => send('/upload', Buffer.from('x'), { 'Content-Type': 'text/plain' }), (a) => a.status === 415],
      ['an upload that is not an image', () => send('/upload', Buffer.from('not an image at all'), { 'Content-Type': 'application/octet-stream' }), (a) => a.status === 200],
      ['an upload over the cap, declared', () => send('/upload', null, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(2 ** 40), Expect: '100-continue' }), (a) => a.status === 413],
    ];
    for (const [what, run, fine] of transport) {
      const answer = await run();
      if (answer.failure || !fine(answer)) problems.push({ what, detail: answer.failure ?? `HTTP ${answer.status}: ${answer.body.slice(0, 200)}` });
    }

    // Seeded garbage frames on the event socket: the socket closes, the server stays.
    const frames = Array.from({ length: 12 }, () => Buffer.from(Array.from({ length: 2 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))));
    await Promise.all(frames.map((bytes) => garbageOnEventSocket(bytes)));

    // Real folder jobs on a named folder that holds links to files outside it: the links are not followed.
    const folderJob = await send('/api/translate.folder', Buffer.from(JSON.stringify({ modelId: 'bundled:pix2pix-openmoji-64', inputDir: named.in, outputDir: join(named.out, 'translated') })), { 'Content-Type': 'application/json' });
    if (folderJob.failure || !(JSON.parse(folderJob.body) as { ok: boolean }).ok) {
      problems.push({ what: 'translate.folder on a named folder', detail: folderJob.failure ?? folderJob.body.slice(0, 300) });
    }
    namedByRequests.add(named.in).add(join(named.out, 'translated'));

    // Whatever jobs the payloads queued finish (or fail) before the server is judged.
    const until = Date.now() + 30_000;
    while (server.alive() && Date.now() < until) {
      const listed = await send('/api/jobs.list', Buffer.from('{}'), { 'Content-Type': 'application/json' });
      const jobs = listed.failure ? [] : (JSON.parse(listed.body) as { value: { jobs: { status: string }[] } }).value.jobs;
      if (!jobs.some((job) => job.status === 'queued' || job.status === 'running')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const failures = problems.length;
    console.log(`fuzz: ${sentApi} API payloads over ${Object.keys(methods).length} methods; answers: ${JSON.stringify(Object.fromEntries(codes))}; problems: ${failures}`);
    expect(server.alive(), `${server.output().slice(-3000)}\nfirst problems: ${JSON.stringify(problems.slice(0, 20), null, 1)}`).toBe(true);
    const info = await send('/api/app.info', Buffer.from('{}'), { 'Content-Type': 'application/json' });
    expect(JSON.parse(info.body).value.name).toBe('GANvas');
    expect(problems).toEqual([]);
  });

  it.runIf(withStrace)('read nothing outside the data folder and the folders the requests named (strace)', async () => {
    expect(sentApi).toBeGreaterThan(0);
    // A clean shutdown after all of it, too.
    expect(await server.stop()).toBe(0);
    const accesses = readFileAccesses(serverTrace(), repoRoot);
    expect(accesses.length).toBeGreaterThan(100);
    // The trace really sees the data folder and the folder job's reads (so an empty list below means something).
    expect(accesses.some((access) => access.resolved.startsWith(dataDir))).toBe(true);
    expect(accesses.some((access) => access.syscall.startsWith('open') && access.path === named.file)).toBe(true);
    const outsideAccesses = accessesOutside(accesses, {
      allowed: [dataDir, ...namedByRequests, ...systemFolders(repoRoot)],
      forbidden: [outside],
    });
    const report = (list: FileAccess[]) => [...new Set(list.map((access) => `${access.syscall} ${access.path}${access.path !== access.resolved ? ` -> ${access.resolved}` : ''}`))];
    console.log(`fuzz: ${accesses.length} file system calls traced, ${outsideAccesses.length} outside the allowed folders`);
    expect(report(outsideAccesses)).toEqual([]);
  });

  it.skipIf(withStrace)('needs strace to watch file reads (apt-get install -y strace)', () => {
    expect.fail('strace is not installed, so the fuzz cannot check which files the server reads: apt-get install -y strace');
  });
});

// ---------------------------------------------------------------- the CLI

/** The CLI commands that expose contract methods, with seeded weird arguments. */
function cliCases(random: () => number, cliData: string): { method: string; args: string[] }[] {
  const weird = ['../../etc/passwd', '../../../outside/secret.png', 'NaN', '-1', '1e999', '99999999999999999999', '', '\u202egnp.exe', '😀'.repeat(50), 'x'.repeat(10_000), '--', '-h', 'run:../../outside', 'bundled:../../../outside', '%E0%A4%A'];
  const w = () => weird[Math.floor(random() * weird.length)]!;
  const data = ['--data-dir', cliData];
  return [
    { method: 'gallery.list', args: ['gallery', 'list', '--search', w(), '--limit', w(), ...data] },
    { method: 'gallery.list', args: ['gallery', 'list', '--limit', '1e999', '--json', ...data] },
    { method: 'gallery.import', args: ['gallery', 'add', named.in, '--tag', w(), ...data] },
    { method: 'gallery.import', args: ['gallery', 'add', w(), w(), ...data] },
    { method: 'gallery.import', args: ['gallery', 'add', named.file, '--tag', 'a,b', ...data] },
    { method: 'models.list', args: ['models', '--json', '--family', w(), ...data] },
    { method: 'engine.backend', args: ['backend', '--backend', w()] },
    { method: 'translate.image', args: ['translate', '--model', w(), '--input', named.file, '--output', join(named.out, 'x.png'), ...data] },
    { method: 'translate.folder', args: ['translate', '--model', 'bundled:no-such-model', '--input', named.in, '--output', named.in, ...data] },
    // A real run over a named folder holding links out of it: the links are not followed.
    { method: 'translate.folder', args: ['translate', '--model', 'bundled:pix2pix-openmoji-64', '--input', named.in, '--output', join(named.out, 'cli-translated'), ...data] },
    { method: 'upscale.images', args: ['upscale', '--scale', '2', '--input', named.in, '--output', join(named.out, 'cli-upscaled'), ...data] },
    { method: 'upscale.images', args: ['upscale', '--scale', w(), '--input', named.file, ...data] },
    { method: 'upscale.images', args: ['upscale', '--scale', '2', '--tile', w(), '--input', w(), ...data] },
    { method: 'train.start', args: ['train', w(), '--data', named.in, '--out', join(named.out, 'run'), '--steps', w(), ...data] },
  ];
}

describe('the same fuzz through the CLI, for the methods it exposes', () => {
  it('ends every command with a message and exit code 0, 1 or 2 (no crash, no stack trace), reading only what it was given', async () => {
    const random = seeded(SEED + 1);
    const cliData = join(root, 'cli-data');
    const cases = cliCases(random, cliData);
    const results: { method: string; args: string[]; code: number | null; signal: string | null; stderr: string; trace: string }[] = [];
    await inParallel(cases.map((entry, index) => ({ ...entry, index })), 2, async (entry) => {
      const trace = join(root, `cli-${entry.index}.trace`);
      const command = [...(withStrace ? stracePrefix(trace) : []), process.execPath, join(repoRoot, 'bin/ganvas.js'), ...entry.args];
      const result = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
        const child = spawn(command[0]!, command.slice(1), { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GANVAS_DATA_DIR: cliData } });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, stderr });
        });
      });
      results.push({ ...entry, ...result, trace });
    });
    const crashes = results.filter((result) => result.signal !== null || ![0, 1, 2].includes(result.code ?? -1) || /\n\s+at .+[(:]\d+|Unhandled|node:internal/.test(result.stderr));
    expect(crashes.map((crash) => `${crash.args.join(' ').slice(0, 200)} → ${crash.signal ?? crash.code}: ${crash.stderr.slice(0, 400)}`)).toEqual([]);
    if (!withStrace) return;
    // The real translate run read the named folder's image (and, below, nothing its links point to).
    const realRun = results.find((result) => result.args.includes(join(named.out, 'cli-translated')))!;
    expect(readFileAccesses(realRun.trace, repoRoot).some((access) => access.syscall.startsWith('open') && access.path === named.file), realRun.stderr).toBe(true);
    const outsideAccesses = results.flatMap((result) => {
      // What a command line names is the user's to read: every argument that could be a path.
      const namedHere = result.args.filter((arg) => arg.length > 0 && arg.length < 4096).map((arg) => (arg.startsWith('/') ? arg : join(repoRoot, arg)));
      return accessesOutside(readFileAccesses(result.trace, repoRoot), { allowed: [cliData, ...namedHere, ...systemFolders(repoRoot)], forbidden: [outside] }).map(
        (access) => `${result.args.slice(0, 2).join(' ')}: ${access.syscall} ${access.path}${access.path !== access.resolved ? ` -> ${access.resolved}` : ''}`,
      );
    });
    expect([...new Set(outsideAccesses)]).toEqual([]);
  });
});
