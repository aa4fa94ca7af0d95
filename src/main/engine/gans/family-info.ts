/**
 * A family descriptor as data for the contract (`train.families`,
 * `models.list`): its settings and translate options as JSON Schema (zod's
 * `toJSONSchema`, input side, so defaults and `.meta()` titles and help come
 * along), from which the renderer builds the Train form and the Translate
 * options. No tfjs.
 */
import { z } from 'zod';
import type { FamilyInfo, JsonSchema } from '../../../shared/contract.js';
import type { AnyFamily, FamilyConfig } from './family.js';

/** JSON Schema of a zod schema; refinements the schema language cannot say are checked by the server. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

export function familyInfo(family: AnyFamily): FamilyInfo {
  return {
    id: family.id,
    title: family.title,
    description: family.description,
    dataset: family.dataset,
    datasetHelp: family.datasetHelp,
    uses: [...family.uses],
    inferenceSize: family.inferenceSize,
    configSchema: jsonSchemaOf(family.configSchema),
    translateOptionsSchema: jsonSchemaOf(family.translateOptions()),
    architectureKeys: [...family.architectureKeys],
    presets: { cpu: { ...family.presets.cpu }, gpu: { ...family.presets.gpu } },
  };
}

/** The translate options of one model of `family` (its config may narrow them, e.g. to its own domains). */
export function translateOptionsSchemaFor(family: AnyFamily, config: FamilyConfig | Record<string, unknown>): JsonSchema {
  return jsonSchemaOf(family.translateOptions(config));
}

/** The schema of "no options", for models without a family (the npm upscalers). */
export const NO_OPTIONS_SCHEMA: JsonSchema = jsonSchemaOf(z.strictObject({}));
