/**
 * Which GAN families exist. Adding a family: write src/main/engine/gans/<id>.ts
 * exporting a `GanFamily`, and add it to `builtInFamilies` below.
 */
import type { AnyGanFamily } from './family.js';
import { pix2pix } from './pix2pix.js';
import { srgan } from './srgan.js';

const builtInFamilies: readonly AnyGanFamily[] = [
  pix2pix,
  srgan,
  // cyclegan, stargan: one line each as they land.
];

export interface FamilySummary {
  id: string;
  title: string;
  description: string;
}

export class FamilyRegistry {
  private readonly byId = new Map<string, AnyGanFamily>();

  constructor(families: readonly AnyGanFamily[] = []) {
    for (const family of families) this.register(family);
  }

  register(family: AnyGanFamily): void {
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

  get(id: string): AnyGanFamily {
    const family = this.byId.get(id);
    if (family === undefined) {
      const known = [...this.byId.keys()];
      throw new Error(
        `Unknown GAN family '${id}'. ${known.length ? `Known families: ${known.join(', ')}.` : 'No families are installed.'}`,
      );
    }
    return family;
  }

  list(): FamilySummary[] {
    return [...this.byId.values()].map(({ id, title, description }) => ({ id, title, description }));
  }
}

/** The families that ship with GANvas. */
export const families = new FamilyRegistry(builtInFamilies);

export const getFamily = (id: string): AnyGanFamily => families.get(id);
export const listFamilies = (): FamilySummary[] => families.list();
/** For families defined outside this folder (tests, experiments). */
export const registerFamily = (family: AnyGanFamily): void => families.register(family);
