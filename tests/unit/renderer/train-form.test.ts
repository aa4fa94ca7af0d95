import { describe, expect, it } from 'vitest';
import { changedFields, configFromValues, fieldsOf, issuesByField, parseField, startValues } from '../../../src/renderer/src/lib/schema-form.js';
import { machineKind, presetNote } from '../../../src/renderer/src/lib/train/presets.js';
import { familyInfo } from '../../../src/main/engine/gans/family-info.js';
import { parseFamilyConfig } from '../../../src/main/engine/gans/family.js';
import { families } from '../../../src/main/engine/gans/registry.js';
import { pix2pix } from '../../../src/main/engine/gans/pix2pix/index.js';
import { template } from '../../../src/main/engine/gans/template/index.js';
import { defaultRunName, folderName, runNamePattern, runNameProblem } from '../../../src/renderer/src/lib/train/run-name.js';
import { formatEta, formatLoss, formatRate, formatSteps } from '../../../src/renderer/src/lib/train/progress-text.js';
import { backendLabel, backendTooltip } from '../../../src/renderer/src/lib/train/backend-label.js';
import { modelAction, sortModels } from '../../../src/renderer/src/lib/train/model-actions.js';
import { methods, type ModelInfo } from '../../../src/shared/contract.js';

const date = new Date(2026, 10, 22, 9, 5);

describe('run name defaults', () => {
  it('is the folder name and the date, valid for the contract', () => {
    expect(defaultRunName('/data/emoji-pairs', date)).toBe('emoji-pairs-20261122-0905');
    expect(defaultRunName('/data/emoji-pairs/', date)).toBe('emoji-pairs-20261122-0905');
    expect(defaultRunName('C:\\Users\\ana\\Line Art (v2)\\', date)).toBe('Line-Art-v2-20261122-0905');
  });

  it('falls back to "run" when the folder name has nothing usable, and stays within 80 characters', () => {
    expect(defaultRunName('/', date)).toBe('run-20261122-0905');
    expect(defaultRunName('C:\\', date)).toBe('run-20261122-0905');
    expect(defaultRunName('/data/__', date)).toBe('run-20261122-0905');
    expect(defaultRunName('/data/ÉMOJI', date)).toBe('EMOJI-20261122-0905');
    const long = defaultRunName(`/data/${'x'.repeat(200)}`, date);
    expect(long.length).toBeLessThanOrEqual(80);
    for (const name of [long, defaultRunName('/data/.hidden', date), defaultRunName('/a/-x-', date)]) {
      expect(name).toMatch(runNamePattern);
      expect(methods['train.start'].request.shape.run.safeParse(name).success).toBe(true);
    }
  });

  it('explains bad names', () => {
    expect(runNameProblem('')).toMatch(/enter/);
    expect(runNameProblem('-x')).toMatch(/starting with a letter or digit/);
    expect(runNameProblem('has space')).toMatch(/letters, digits/);
    expect(runNameProblem('ok_run.1')).toBeUndefined();
    expect(folderName('relative/dir')).toBe('dir');
  });
});

describe('ETA and speed text', () => {
  it('reads like a person would say it', () => {
    expect(formatEta(null)).toBe('estimating…');
    expect(formatEta(0.2)).toBe('under a second');
    expect(formatEta(42)).toBe('42 s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(2 * 3600 + 5 * 60 + 10)).toBe('2 h 05 min');
    expect(formatEta(27 * 3600)).toBe('1 d 3 h');
    expect(formatEta(Number.NaN)).toBe('estimating…');
  });

  it('switches to seconds per step below one step a second', () => {
    expect(formatRate(12.345)).toBe('12.3 it/s');
    expect(formatRate(2.5)).toBe('2.50 it/s');
    expect(formatRate(0.25)).toBe('4.00 s/it');
    expect(formatRate(0.05, 'image')).toBe('20.0 s/image');
    expect(formatRate(null)).toBe('–');
    expect(formatSteps(1234, 2000)).toBe('1,234 / 2,000 steps');
    expect(formatSteps(3, 0, 'image')).toBe('3 images');
    expect(formatLoss(0.123456)).toBe('0.1235');
    expect(formatLoss(2)).toBe('2');
    expect(formatLoss(0.00001234)).toBe('1.23e-5');
  });
});

// The Train form is generated from each family's JSON Schema (train.families); these
// tests read the engine's real descriptors, so a drift between form and engine fails here.
describe('settings fields from a family schema', () => {
  const info = familyInfo(pix2pix);
  const fields = fieldsOf(info.configSchema);
  const byKey = new Map(fields.map((field) => [field.key, field]));

  it('has every Pix2Pix setting with the paper’s defaults, nested lr as lr.G and lr.D, and no hidden ones', () => {
    expect(byKey.get('lr.G')).toMatchObject({ kind: 'number', defaultValue: 2e-4, min: 0, minExclusive: true, max: 1, label: 'Learning rate G' });
    expect(byKey.get('ngf')).toMatchObject({ kind: 'number', integer: true, defaultValue: 64, min: 1, max: 512 });
    expect(byKey.get('norm')).toMatchObject({ kind: 'choice', choices: ['instance', 'batch'], defaultValue: 'instance' });
    expect(byKey.get('size')).toMatchObject({ kind: 'choice', choices: [32, 64, 128, 256, 512], defaultValue: 256, group: 'basic', unit: 'px' });
    expect(byKey.get('decayFrom')).toMatchObject({ kind: 'number', defaultValue: undefined });
    expect(byKey.has('family')).toBe(false);
    expect(byKey.has('channels')).toBe(false);
    expect(fields.filter((field) => field.group === 'basic').map((field) => field.key)).toEqual(['size', 'steps', 'batchSize']);
  });

  it('its default values give exactly the engine’s default config, for every family', () => {
    for (const family of families.all()) {
      const familyFields = fieldsOf(familyInfo(family).configSchema);
      const { config, errors } = configFromValues(familyFields, startValues(familyFields));
      expect(errors, family.id).toEqual({});
      expect(parseFamilyConfig(family, config), family.id).toEqual(parseFamilyConfig(family, {}));
      // The machine presets the form starts from are valid settings too.
      for (const machine of ['cpu', 'gpu'] as const) {
        const start = configFromValues(familyFields, startValues(familyFields, family.presets[machine]));
        expect(start.errors, `${family.id} ${machine}`).toEqual({});
        expect(() => parseFamilyConfig(family, start.config), `${family.id} ${machine}`).not.toThrow();
      }
    }
  });

  it('reports bad values per field, and counts what changed from where the form started', () => {
    const start = startValues(fields, pix2pix.presets.cpu);
    expect(start['ngf']).toBe('16');
    const values = { ...start, ngf: '8.5', 'lr.G': 'fast', ndf: '8', dropout: '2', norm: 'group' };
    const { errors, config } = configFromValues(fields, values);
    expect(errors['ngf']).toBe('must be a whole number');
    expect(errors['lr.G']).toMatch(/not a number/);
    expect(errors['dropout']).toBe('must be at most 0.9');
    expect(errors['norm']).toMatch(/instance, batch/);
    expect((config as { ndf: number }).ndf).toBe(8);
    expect(changedFields(fields, values, start).map((field) => field.key)).toEqual(['lr.G', 'ngf', 'ndf', 'norm', 'dropout']);
    expect(changedFields(fields, start, start)).toEqual([]);
    expect(parseField(byKey.get('steps')!, '0')).toEqual({ error: 'must be at least 1' });
    expect(parseField(byKey.get('lr.D')!, '0')).toEqual({ error: 'must be above 0' });
    expect(parseField(byKey.get('decayFrom')!, '')).toEqual({ value: undefined });
  });

  it('puts server issues beside the field they name', () => {
    expect(issuesByField([{ path: 'config.lr.G', message: 'too big' }, { path: 'size', message: 'power of two' }])).toEqual({ 'lr.G': 'too big', size: 'power of two' });
  });

  it('builds a new family’s form with no change to the renderer (the template family)', () => {
    const templateFields = fieldsOf(familyInfo(template).configSchema);
    expect(templateFields.map((field) => field.key)).toEqual(expect.arrayContaining(['size', 'ngf', 'ndf', 'dropout', 'lambdaL1', 'lr.G', 'lr.D']));
    const options = fieldsOf(familyInfo(template).translateOptionsSchema);
    expect(options).toEqual([expect.objectContaining({ key: 'mirror', kind: 'boolean', defaultValue: false, label: 'Mirror' })]);
    expect(configFromValues(options, { mirror: true }).config).toEqual({ mirror: true });
  });
});

describe('machine presets', () => {
  it('starts CPU runs from the family’s CPU preset and says so', () => {
    expect(machineKind('wasm')).toBe('cpu');
    expect(machineKind('tensorflow')).toBe('cpu');
    expect(machineKind('tensorflow-gpu')).toBe('gpu');
    expect(machineKind('webgpu', { software: false })).toBe('gpu');
    expect(machineKind('webgpu', { software: true })).toBe('cpu'); // SwiftShader computes on the CPU
    expect(presetNote(familyInfo(pix2pix), 'cpu', 'wasm')).toBe(
      "Starts smaller than the paper (size 64, steps 3000, ngf 16, ndf 32): this machine computes on its CPU (wasm), where the paper's settings take hours. Advanced has the paper's defaults.",
    );
    expect(presetNote(familyInfo(pix2pix), 'gpu', 'tensorflow-gpu')).toMatch(/paper's settings: this machine trains on a GPU/);
  });
});

describe('status bar backend text', () => {
  const info = {
    active: 'wasm',
    tried: [
      { name: 'tensorflow-gpu', ok: false, reason: 'not installed' },
      { name: 'wasm', ok: true },
    ],
    threads: 1,
    simd: true,
    tfjsVersion: '4.22.0',
    kernelsRegistered: ['Conv2DBackpropFilter'],
  };
  it('summarises the backend on one line and explains the rest in the tooltip', () => {
    expect(backendLabel(info)).toBe('wasm · SIMD · 1 thread');
    expect(backendLabel({ ...info, active: 'cpu', threads: 0 })).toBe('cpu');
    expect(backendLabel({ ...info, simd: false, threads: 2 })).toBe('wasm · no SIMD · 2 threads');
    const tooltip = backendTooltip(info);
    expect(tooltip).toContain('✗ tensorflow-gpu: not installed');
    expect(tooltip).toContain('✓ wasm');
    expect(tooltip).toContain('Conv2DBackpropFilter');
  });
});

describe('model cards', () => {
  const model = (id: string, family: ModelInfo['family'], source: ModelInfo['source'], createdAt: number | null): ModelInfo => ({
    id, family, source, createdAt, title: id, description: '', size: null, scale: null, domains: [], step: null, licence: null, uses: [], translateOptionsSchema: {}, inferenceSize: 'training-size',
  });
  it('offers the view a model is for: Doodle, then Upscale, then Translate; nothing for a model with no use', () => {
    expect(modelAction({ uses: ['doodle', 'translate'] })).toMatchObject({ hash: '#/doodle', storageKey: 'ganvas.doodle.model' });
    expect(modelAction({ uses: ['upscale'] })).toMatchObject({ hash: '#/upscale', label: 'Upscale with' });
    expect(modelAction({ uses: ['translate'] })).toMatchObject({ hash: '#/translate', label: 'Translate with', storageKey: 'ganvas.translate.model' });
    expect(modelAction({ uses: [] })).toBeUndefined();
  });
  it('lists the user’s newest trained models first', () => {
    const sorted = sortModels([
      model('npm:a', 'esrgan', 'package', null),
      model('file:x', 'pix2pix', 'imported', 5),
      model('run:old', 'pix2pix', 'trained', 1),
      model('bundled:b', 'pix2pix', 'bundled', null),
      model('run:new', 'pix2pix', 'trained', 2),
    ]);
    expect(sorted.map((m) => m.id)).toEqual(['run:new', 'run:old', 'file:x', 'bundled:b', 'npm:a']);
  });
});
