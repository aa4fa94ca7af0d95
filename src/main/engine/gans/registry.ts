/**
 * Which GAN families exist: descriptors only (no tfjs), so the main thread,
 * the CLI's help and the contract can read them. Adding a family: write its
 * folder `gans/<id>/` (copy gans/template/), then add one line to
 * `builtInFamilies` below.
 *
 * The template family is not offered to users; `GANVAS_DEV_FAMILIES=template`
 * registers it in this process and its workers, so a developer (and the
 * tests) can see a new family pass through the CLI, the Train form, the
 * Translate options and model export.
 */
import type { AnyFamily } from './family.js';
import { cyclegan } from './cyclegan/index.js';
import { pix2pix } from './pix2pix/index.js';
import { srgan } from './srgan/index.js';
import { stargan } from './stargan/index.js';
import { template } from './template/index.js';

const builtInFamilies: readonly AnyFamily[] = [
  pix2pix,
  cyclegan,
  srgan,
  stargan,
];

/** Families a developer can switch on by name with GANVAS_DEV_FAMILIES (comma-separated). */
const developerFamilies: readonly AnyFamily[] = [template];

export interface FamilySummary {
  id: string;
  title: string;
  description: string;
}

export class FamilyRegistry {
  private readonly byId = new Map<string, AnyFamily>();

  constructor(families: readonly AnyFamily[] = []) {
    for (const family of families) this.register(family);
  }

  register(family: AnyFamily): void {
    if (!/^[a-z][a-z0-9-]*$/.test(family.id)) {
      throw new Error(`A family id must be lower-case letters, digits and dashes, got '${family.id}'`);
    }
    const existing = this.byId.get(family.id);
    if (existing !== undefined && existing !== family) throw new Error(`A GAN family with id '${family.id}' is already registered`);
    this.byId.set(family.id, family);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): AnyFamily {
    const family = this.byId.get(id);
    if (family === undefined) {
      const known = [...this.byId.keys()];
      throw new Error(
        `Unknown GAN family '${id}'. ${known.length ? `Known families: ${known.join(', ')}.` : 'No families are installed.'}`,
      );
    }
    return family;
  }

  all(): AnyFamily[] {
    return [...this.byId.values()];
  }

  list(): FamilySummary[] {
    return this.all().map(({ id, title, description }) => ({ id, title, description }));
  }
}

function requestedDeveloperFamilies(env: NodeJS.ProcessEnv = process.env): AnyFamily[] {
  const names = new Set((env.GANVAS_DEV_FAMILIES ?? '').split(',').map((name) => name.trim()).filter(Boolean));
  return developerFamilies.filter((family) => names.has(family.id));
}

/** The families of this process: the built-in ones, plus developer families switched on by GANVAS_DEV_FAMILIES. */
export const families = new FamilyRegistry([...builtInFamilies, ...requestedDeveloperFamilies()]);

export const getFamily = (id: string): AnyFamily => families.get(id);
export const listFamilies = (): FamilySummary[] => families.list();
/** For families defined outside this folder (tests, experiments). */
export const registerFamily = (family: AnyFamily): void => families.register(family);
