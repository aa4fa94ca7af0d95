// The Train form repeats Pix2Pix's defaults (the renderer cannot load the engine, which
// imports tfjs). This keeps the copy honest: every option the form offers must have the
// engine's default, accept exactly the engine's choices, and its bounds must be valid there.
import { expect, it } from 'vitest';
import { Pix2PixConfigSchema } from '../../src/main/engine/gans/pix2pix.js';
import { advancedOptions, basicOptions, familyBasicDefaults } from '../../src/renderer/src/lib/train/pix2pix-options.js';

const engineDefaults = Pix2PixConfigSchema.parse({ family: 'pix2pix' }) as Record<string, unknown>;

function at(config: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], config);
}

function withValue(key: string, value: unknown): Record<string, unknown> {
  const config: Record<string, unknown> = { family: 'pix2pix', size: 64 };
  const parts = key.split('.');
  if (parts.length === 2) config[parts[0]!] = { ...(engineDefaults[parts[0]!] as object), [parts[1]!]: value };
  else config[key] = value;
  return config;
}

it('offers the engine’s Pix2Pix defaults, choices and valid bounds in every field', () => {
  for (const option of advancedOptions) {
    expect(at(engineDefaults, option.key), option.key).toEqual(option.defaultValue);
    if (option.kind === 'choice') {
      for (const choice of option.choices) expect(Pix2PixConfigSchema.safeParse(withValue(option.key, choice)).success, `${option.key}=${choice}`).toBe(true);
      expect(Pix2PixConfigSchema.safeParse(withValue(option.key, 'not-a-choice')).success).toBe(false);
    } else if (option.key !== 'discriminatorLayers') {
      // (discriminatorLayers' upper bound depends on the image size, so only its minimum is checked.)
      expect(Pix2PixConfigSchema.safeParse(withValue(option.key, option.min)).success, `${option.key}=${option.min}`).toBe(true);
      expect(Pix2PixConfigSchema.safeParse(withValue(option.key, option.max)).success, `${option.key}=${option.max}`).toBe(true);
    }
  }
  expect(engineDefaults.size).toBe(familyBasicDefaults.size);
  expect(engineDefaults.steps).toBe(familyBasicDefaults.steps);
  expect(engineDefaults.batchSize).toBe(familyBasicDefaults.batchSize);
  expect(basicOptions.map((o) => o.key)).toEqual(['steps', 'batchSize']);
});
