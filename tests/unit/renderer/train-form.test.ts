import { describe, expect, it } from 'vitest';
import {
  advancedOptions,
  basicOptions,
  changedOptions,
  configFromValues,
  defaultOptionValues,
  parseOption,
} from '../../../src/renderer/src/lib/train/pix2pix-options.js';
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

describe('pix2pix options', () => {
  it('the defaults give the paper’s config, with optional fields left to the family', () => {
    const { config, errors } = configFromValues(advancedOptions, defaultOptionValues());
    expect(errors).toEqual({});
    expect(config).toMatchObject({ lr: { G: 2e-4, D: 2e-4 }, beta1: 0.5, l1Weight: 100, ngf: 64, ndf: 64, norm: 'instance', ganLoss: 'vanilla', dropout: 0.5 });
    expect(config).not.toHaveProperty('decayFrom');
    expect(config).not.toHaveProperty('discriminatorLayers');
    expect(changedOptions(advancedOptions, defaultOptionValues())).toEqual([]);
  });

  it('reports bad values per field and counts changed ones', () => {
    const values = { ...defaultOptionValues(), ngf: '8.5', 'lr.G': 'fast', ndf: '8', dropout: '2', norm: 'group' };
    const { errors, config } = configFromValues(advancedOptions, values);
    expect(errors.ngf).toBe('must be a whole number');
    expect(errors['lr.G']).toMatch(/not a number/);
    expect(errors.dropout).toBe('must be between 0 and 0.9');
    expect(errors.norm).toMatch(/instance, batch/);
    expect(config.ndf).toBe(8);
    expect(changedOptions(advancedOptions, values)).toEqual(expect.arrayContaining(['Generator filters (ngf)', 'Discriminator filters (ndf)']));
  });

  it('number inputs may hand over numbers or null', () => {
    const { config, errors } = configFromValues(basicOptions, { steps: 40, batchSize: null });
    expect(config.steps).toBe(40);
    expect(errors.batchSize).toBe('enter a number');
    expect(parseOption(basicOptions[0]!, '0')).toEqual({ error: 'must be between 1 and 10000000' });
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
    id, family, source, createdAt, title: id, description: '', size: null, scale: null, domains: [], step: null, licence: null,
  });
  it('offers Doodle for pix2pix and Upscale for ESRGAN, nothing for families without a view', () => {
    expect(modelAction({ family: 'pix2pix' })).toMatchObject({ hash: '#/doodle', storageKey: 'ganvas.doodle.model' });
    expect(modelAction({ family: 'esrgan' })).toMatchObject({ hash: '#/upscale', label: 'Upscale with' });
    expect(modelAction({ family: 'cyclegan' })).toBeUndefined();
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
