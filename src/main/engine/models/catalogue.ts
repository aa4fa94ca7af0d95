/**
 * Every model the studio can run, from four places:
 *
 *   bundled:<name>   <install>/models/<name>/model.json       ships with GANvas
 *   user:<name>      <data dir>/models/<name>/model.json      exported models the user put there
 *   run:<name>       <data dir>/runs/<name>/checkpoint/       training runs (their latest checkpoint)
 *   npm:<id>         @upscalerjs/esrgan-* packages             pretrained ESRGAN upscalers
 *
 * Listing reads only the small manifests, never the weights, so it is cheap
 * enough to run on every `models.list`. A damaged folder is left out of the
 * list and reported in `problems`, never failing the whole list.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { FamilyId, ModelInfo, ModelUse } from '../../../shared/contract.js';
import { UserFacingError } from '../errors.js';
import type { AnyFamily } from '../gans/family.js';
import { NO_OPTIONS_SCHEMA, translateOptionsSchemaFor } from '../gans/family-info.js';
import { families } from '../gans/registry.js';
import { readRunManifest } from '../train/checkpoint/manifest.js';
import { packageRoot } from '../install-location.js';
import { listPackagedUpscaleModels, listUpscaleModels } from '../upscale/model-catalogue.js';
import { MODEL_FILE, readExportedModelManifest, type ExportedModelManifest } from './exported-model.js';

/** Where a model is loaded from; `version` changes when its files do (a run saved a new checkpoint). */
export type ModelLocation =
  | { kind: 'exported'; id: string; dir: string; version: string; info: ModelInfo; config: Record<string, unknown> }
  | { kind: 'run'; id: string; runDir: string; version: string; info: ModelInfo; config: Record<string, unknown> }
  | { kind: 'upscaler'; id: string; upscaleId: string; version: string; info: ModelInfo };

export interface CatalogueProblem {
  path: string;
  reason: string;
}

export interface ModelCatalogue {
  /** Every model, or those of one family or for one use (the view asking). */
  list(filter?: { family?: FamilyId; use?: ModelUse }): Promise<ModelInfo[]>;
  /** The list plus the folders that look like models but cannot be read, and why. */
  scan(): Promise<{ models: ModelInfo[]; problems: CatalogueProblem[] }>;
  /** Where to load `id` from; UserFacingError 'not_found' naming the models that exist. */
  resolve(id: string): Promise<ModelLocation>;
  /**
   * The folder that deleting model `id` moves to the trash: a run folder or a
   * model the user put in the data folder. Bundled and npm models are part of
   * the install, so they are refused with a UserFacingError saying why.
   */
  folderToDelete(id: string): Promise<{ kind: 'run' | 'user'; name: string; folder: string }>;
}

export interface CatalogueOptions {
  dataDir: string;
  /** Folder of bundled models; default `<install>/models`. */
  bundledDir?: string;
}

const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CHECKPOINT_DIR = 'checkpoint';
const CHECKPOINT_MANIFEST = 'checkpoint.json';

function familyOf(id: string): AnyFamily | null {
  return families.has(id) ? families.get(id) : null;
}

/** The part of a checkpoint manifest a listing needs. */
interface CheckpointSummary {
  family: string;
  config: Record<string, unknown>;
  step: number;
  createdAt: string;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

function exportedInfo(id: string, source: ModelInfo['source'], name: string, manifest: ExportedModelManifest): ModelInfo | null {
  const family = familyOf(manifest.family);
  if (!family) return null;
  const card = manifest.card ?? {};
  const size = numberOrNull(manifest.config['size']);
  const createdAt = Date.parse(manifest.createdAt);
  const details = {
    ...(typeof card.trainedOn === 'string' ? { trainedOn: card.trainedOn } : {}),
    ...(typeof card.limitations === 'string' ? { limitations: card.limitations } : {}),
    ...(typeof card['speed'] === 'string' ? { speed: card['speed'] } : {}),
  };
  return {
    ...(Object.keys(details).length ? { card: details } : {}),
    sizeBytes: manifest.weightsBytes,
    id,
    family: family.id,
    title: card.title ?? name,
    description: card.description ?? `${manifest.family} model${size ? `, ${size} px` : ''}${manifest.step !== null ? `, ${manifest.step} training steps` : ''}`,
    source,
    size,
    scale: numberOrNull(manifest.config['scale']),
    domains: domainsOf(manifest.config),
    uses: [...family.uses],
    inferenceSize: family.inferenceSize,
    translateOptionsSchema: translateOptionsSchemaFor(family, manifest.config),
    step: manifest.step,
    createdAt: Number.isFinite(createdAt) ? createdAt : null,
    licence: card.licence ?? null,
  };
}

function domainsOf(config: Record<string, unknown>): string[] {
  return Array.isArray(config['domains']) ? config['domains'].filter((d): d is string => typeof d === 'string') : [];
}

function runInfo(name: string, summary: CheckpointSummary): ModelInfo | null {
  const family = familyOf(summary.family);
  if (!family) return null;
  const size = numberOrNull(summary.config['size']);
  const steps = numberOrNull(summary.config['steps']);
  const createdAt = Date.parse(summary.createdAt);
  return {
    id: `run:${name}`,
    family: family.id,
    title: name,
    description: `Trained here: ${family.title}${size ? ` at ${size} px` : ''}, step ${summary.step}${steps ? ` of ${steps}` : ''}`,
    source: 'trained',
    size,
    scale: numberOrNull(summary.config['scale']),
    domains: domainsOf(summary.config),
    uses: [...family.uses],
    inferenceSize: family.inferenceSize,
    translateOptionsSchema: translateOptionsSchemaFor(family, summary.config),
    step: summary.step,
    createdAt: Number.isFinite(createdAt) ? createdAt : null,
    licence: null,
  };
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && FOLDER_NAME.test(e.name)).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function mtime(file: string): Promise<number | null> {
  return stat(file).then(
    (s) => s.mtimeMs,
    () => null,
  );
}

/** The newest readable checkpoint manifest of a run (see train/checkpoint/manifest.ts), or null for a folder without one. */
async function readCheckpointSummary(runDir: string): Promise<{ summary: CheckpointSummary; file: string } | null> {
  const found = await readRunManifest(runDir);
  if (found === null) return null;
  const { manifest } = found;
  return { summary: { family: manifest.family, config: manifest.config, step: manifest.step, createdAt: manifest.createdAt }, file: path.join(found.dir, CHECKPOINT_MANIFEST) };
}

/**
 * Which upscalers are the default for their scale, by catalogue id (a bundled
 * SRGAN marked `"default": true` takes over from slim): upscale/model-catalogue.ts decides.
 */
function upscaleDefaults(bundledDir: string): Set<string> {
  return new Set(listUpscaleModels({ bundledDir }).filter((m) => m.isDefault).map((m) => m.catalogueId));
}

function upscalerInfos(defaults: Set<string>): ModelInfo[] {
  return listPackagedUpscaleModels().map((m) => ({
    id: `npm:${m.id}`,
    family: 'esrgan' as const,
    title: `ESRGAN ${m.variant} ×${m.scale}`,
    description: `Pretrained super-resolution (idealo image-super-resolution, DIV2K) from ${m.source}${defaults.has(m.catalogueId) ? '; the default for ×' + m.scale : ''}`,
    source: 'package' as const,
    size: null,
    scale: m.scale,
    domains: [],
    uses: ['upscale' as const],
    inferenceSize: 'any' as const,
    translateOptionsSchema: NO_OPTIONS_SCHEMA,
    step: null,
    createdAt: null,
    licence: m.licence,
    isDefault: defaults.has(m.catalogueId),
    sizeBytes: m.sizeBytes,
  }));
}

export function createModelCatalogue(options: CatalogueOptions): ModelCatalogue {
  const bundledDir = options.bundledDir ?? path.join(packageRoot(), 'models');
  const userDir = path.join(options.dataDir, 'models');
  const runsDir = path.join(options.dataDir, 'runs');

  async function exportedAt(prefix: 'bundled' | 'user', parent: string, name: string): Promise<ModelLocation | null> {
    const dir = path.join(parent, name);
    const version = await mtime(path.join(dir, MODEL_FILE));
    if (version === null) return null;
    const manifest = await readExportedModelManifest(dir);
    const id = `${prefix}:${name}`;
    const info = exportedInfo(id, prefix === 'bundled' ? 'bundled' : 'imported', name, manifest);
    if (!info) throw new Error(`${path.join(dir, MODEL_FILE)}: '${manifest.family}' is not a model family GANvas knows`);
    return { kind: 'exported', id, dir, version: `${version}`, info, config: manifest.config };
  }

  async function runAt(name: string): Promise<ModelLocation | null> {
    const runDir = path.join(runsDir, name);
    const found = await readCheckpointSummary(runDir);
    if (!found) return null;
    const info = runInfo(name, found.summary);
    if (!info) throw new Error(`${found.file}: '${found.summary.family}' is not a model family GANvas knows`);
    return { kind: 'run', id: info.id, runDir, version: `${found.file}@${await mtime(found.file)}#${found.summary.step}`, info, config: found.summary.config };
  }

  async function scan(): Promise<{ models: ModelInfo[]; problems: CatalogueProblem[] }> {
    const models: ModelInfo[] = [];
    const problems: CatalogueProblem[] = [];
    let defaults = new Set<string>();
    try {
      defaults = upscaleDefaults(bundledDir);
    } catch (error) {
      problems.push({ path: bundledDir, reason: (error as Error).message });
    }
    const collect = async (where: string, load: () => Promise<ModelLocation | null>) => {
      try {
        const location = await load();
        if (location) models.push(defaults.has(location.info.id) ? { ...location.info, isDefault: true } : location.info);
      } catch (error) {
        problems.push({ path: where, reason: (error as Error).message });
      }
    };
    for (const name of await subfolders(bundledDir)) await collect(path.join(bundledDir, name), () => exportedAt('bundled', bundledDir, name));
    for (const name of await subfolders(userDir)) await collect(path.join(userDir, name), () => exportedAt('user', userDir, name));
    for (const name of await subfolders(runsDir)) await collect(path.join(runsDir, name), () => runAt(name));
    try {
      models.push(...upscalerInfos(defaults));
    } catch (error) {
      problems.push({ path: '@upscalerjs/esrgan-*', reason: (error as Error).message });
    }
    return { models, problems };
  }

  async function notFound(id: string, why?: string): Promise<never> {
    const { models } = await scan();
    const known = models.map((m) => m.id).join(', ') || 'none yet (train one, or put an exported model folder in ' + userDir + ')';
    throw new UserFacingError('not_found', `No model '${id}'${why ? ` (${why})` : ''}. Models here: ${known}`);
  }

  return {
    scan,
    async folderToDelete(id) {
      const colon = id.indexOf(':');
      const prefix = colon > 0 ? id.slice(0, colon) : '';
      const name = colon > 0 ? id.slice(colon + 1) : id;
      if (prefix === 'bundled') {
        throw new UserFacingError('invalid_request', `'${id}' ships with GANvas (in ${bundledDir}), so it cannot be deleted; it is there for every user of this install`);
      }
      if (prefix === 'npm') {
        const from = listPackagedUpscaleModels().find((m) => m.catalogueId === id)?.source ?? 'an npm package';
        throw new UserFacingError('invalid_request', `'${id}' comes with the npm package ${from}, so it cannot be deleted here; uninstall that package to remove it`);
      }
      if ((prefix !== 'run' && prefix !== 'user') || !FOLDER_NAME.test(name)) return notFound(id, 'only run:NAME and user:NAME models can be deleted');
      const folder = path.join(prefix === 'run' ? runsDir : userDir, name);
      const info = await stat(folder).catch(() => null);
      if (!info?.isDirectory()) return notFound(id);
      return { kind: prefix, name, folder };
    },
    async list(filter = {}) {
      const { models } = await scan();
      return models.filter((m) => (filter.family === undefined || m.family === filter.family) && (filter.use === undefined || m.uses.includes(filter.use)));
    },
    async resolve(id) {
      const colon = id.indexOf(':');
      const prefix = colon > 0 ? id.slice(0, colon) : '';
      const name = colon > 0 ? id.slice(colon + 1) : id;
      if (!FOLDER_NAME.test(name)) return notFound(id, 'ids look like bundled:NAME, user:NAME, run:NAME or npm:NAME');
      let location: ModelLocation | null = null;
      try {
        switch (prefix) {
          case 'bundled':
            location = await exportedAt('bundled', bundledDir, name);
            break;
          case 'user':
            location = await exportedAt('user', userDir, name);
            break;
          case 'run':
            location = await runAt(name);
            break;
          case 'npm': {
            const info = upscalerInfos(upscaleDefaults(bundledDir)).find((m) => m.id === id);
            if (info) location = { kind: 'upscaler', id, upscaleId: name, version: 'package', info };
            break;
          }
          default:
            return notFound(id, 'ids look like bundled:NAME, user:NAME, run:NAME or npm:NAME');
        }
      } catch (error) {
        throw new UserFacingError('failed', `Model '${id}' cannot be read: ${(error as Error).message}`);
      }
      return location ?? notFound(id);
    },
  };
}

/**
 * A model given as a folder path (CLI: `--model ./my-run`): an exported-model
 * folder, a run folder, or a run's `checkpoint` folder.
 */
export async function locateModelFolder(folder: string): Promise<ModelLocation> {
  const dir = path.resolve(folder);
  const name = path.basename(dir);
  if ((await mtime(path.join(dir, MODEL_FILE))) !== null) {
    const manifest = await readExportedModelManifest(dir);
    const info = exportedInfo(`folder:${dir}`, 'imported', name, manifest);
    if (!info) throw new UserFacingError('unsupported', `${path.join(dir, MODEL_FILE)}: '${manifest.family}' is not a model family GANvas knows`);
    return { kind: 'exported', id: info.id, dir, version: String(await mtime(path.join(dir, MODEL_FILE))), info, config: manifest.config };
  }
  const runDir = name === CHECKPOINT_DIR && (await mtime(path.join(dir, CHECKPOINT_MANIFEST))) !== null ? path.dirname(dir) : dir;
  const found = await readCheckpointSummary(runDir);
  if (found) {
    const info = runInfo(path.basename(runDir), found.summary);
    if (!info) throw new UserFacingError('unsupported', `${found.file}: '${found.summary.family}' is not a model family GANvas knows`);
    return { kind: 'run', id: `folder:${runDir}`, runDir, version: `${found.file}@${await mtime(found.file)}#${found.summary.step}`, info: { ...info, id: `folder:${runDir}` }, config: found.summary.config };
  }
  throw new UserFacingError('not_found', `${dir} is neither a model folder (with ${MODEL_FILE}) nor a training run (with a ${CHECKPOINT_DIR} folder)`);
}
