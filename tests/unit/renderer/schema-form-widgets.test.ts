/**
 * The schema-form machinery's sliders and suggestions, generic to any
 * schema, seen through a real one: a StarGAN model's translate options (one
 * slider per domain for a blend, the domain names offered for the target).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configFromValues, fieldsOf, parseField, startValues, type NumberField, type TextField } from '../../../src/renderer/src/lib/schema-form.js';
import { jsonSchemaOf, translateOptionsSchemaFor } from '../../../src/main/engine/gans/family-info.js';
import { parseFamilyConfig, parseTranslateOptions } from '../../../src/main/engine/gans/family.js';
import { families } from '../../../src/main/engine/gans/registry.js';

describe('sliders and suggestions from a schema', () => {
  it('makes a slider of a bounded number that asks for one, and a box of any other number', () => {
    const schema = jsonSchemaOf(
      z.strictObject({
        weight: z.number().min(0).max(1).optional().meta({ widget: 'slider', step: 0.05 }),
        unbounded: z.number().min(0).optional().meta({ widget: 'slider' }),
        plain: z.number().min(0).max(1).default(0.5),
        name: z.string().optional().meta({ suggestions: ['a', 'b', 3] }),
      }),
    );
    const fields = fieldsOf(schema);
    const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
    expect(byKey['weight']).toMatchObject({ kind: 'number', widget: 'slider', min: 0, max: 1, step: 0.05 });
    // A slider needs both ends.
    expect((byKey['unbounded'] as NumberField).widget).toBe('box');
    expect((byKey['plain'] as NumberField).widget).toBe('box');
    expect((byKey['name'] as TextField).suggestions).toEqual(['a', 'b']);
    // An untouched optional slider sends nothing; a moved one its value, checked against the bounds.
    expect(configFromValues(fields, startValues(fields)).config).toEqual({ plain: 0.5 });
    expect(parseField(byKey['weight']!, '0.35')).toEqual({ value: 0.35 });
    expect(parseField(byKey['weight']!, '1.2')).toEqual({ error: 'must be at most 1' });
  });

  it('gives a StarGAN model one slider per domain, whose values the engine reads as a blend', () => {
    const family = families.all().find((candidate) => candidate.dataset === 'domains')!;
    const config = parseFamilyConfig(family, { size: 32, domains: ['noto', 'twemoji', 'fluent-emoji'] });
    const fields = fieldsOf(translateOptionsSchemaFor(family, config));
    const sliders = fields.filter((f): f is NumberField => f.kind === 'number' && f.widget === 'slider');
    expect(sliders.map((f) => [f.key, f.label])).toEqual([['mix.noto', 'noto'], ['mix.twemoji', 'twemoji'], ['mix.fluent-emoji', 'fluent-emoji']]);
    const target = fields.find((f): f is TextField => f.key === 'domain')!;
    expect(target.suggestions).toEqual(['noto', 'twemoji', 'fluent-emoji']);
    const values = { ...startValues(fields), 'mix.noto': '0.5', 'mix.twemoji': '0.5' };
    const { config: options, errors } = configFromValues(fields, values);
    expect(errors).toEqual({});
    expect(options).toEqual({ mix: { noto: 0.5, twemoji: 0.5 }, strip: 0 });
    expect(parseTranslateOptions(family, options, config)).toMatchObject({ mix: { noto: 0.5, twemoji: 0.5 } });
    expect(() => parseTranslateOptions(family, { ...options, mix: { noto: 0.5, twemoji: 0.3 } }, config)).toThrow(/must sum to 1/);
  });
});
