import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/shared/contract.js';
import { canvasSizeFor, chooseModel } from '../../../src/renderer/src/lib/doodle/model-choice.js';
import { fitInside, integerZoom } from '../../../src/renderer/src/lib/doodle/placement.js';
import { commandForKey, type KeyPress } from '../../../src/renderer/src/lib/doodle/shortcuts.js';
import { maxBrushSize, minBrushSize, snapLineEnd, stepBrushSize } from '../../../src/renderer/src/lib/doodle/tools.js';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe('doodle shortcuts', () => {
  it('maps tool letters, brush size and the edit keys', () => {
    expect(commandForKey(press('b'))).toEqual({ type: 'tool', tool: 'brush' });
    expect(commandForKey(press('E'))).toEqual({ type: 'tool', tool: 'eraser' });
    expect(commandForKey(press('l'))).toEqual({ type: 'tool', tool: 'line' });
    expect(commandForKey(press('g'))).toEqual({ type: 'tool', tool: 'fill' });
    expect(commandForKey(press('['))).toEqual({ type: 'brush-size', direction: -1 });
    expect(commandForKey(press(']'))).toEqual({ type: 'brush-size', direction: 1 });
    expect(commandForKey(press('z', { ctrlKey: true }))).toEqual({ type: 'undo' });
    expect(commandForKey(press('Z', { ctrlKey: true, shiftKey: true }))).toEqual({ type: 'redo' });
    expect(commandForKey(press('y', { ctrlKey: true }))).toEqual({ type: 'redo' });
    expect(commandForKey(press('s', { ctrlKey: true }))).toEqual({ type: 'save' });
  });

  it('leaves other combinations alone', () => {
    expect(commandForKey(press('b', { ctrlKey: true }))).toBeUndefined(); // the browser's / app's own
    expect(commandForKey(press('1', { ctrlKey: true }))).toBeUndefined(); // view switching
    expect(commandForKey(press('z'))).toBeUndefined();
    expect(commandForKey(press('b', { altKey: true }))).toBeUndefined();
    expect(commandForKey(press('z', { metaKey: true }))).toBeUndefined();
    expect(commandForKey(press('z', { metaKey: true }), true)).toEqual({ type: 'undo' });
  });
});

describe('brush size and line snapping', () => {
  it('[ and ] step through the whole range and stop at its ends', () => {
    let size = minBrushSize;
    const seen = [size];
    while (size < maxBrushSize) {
      const next = stepBrushSize(size, 1);
      expect(next).toBeGreaterThan(size);
      seen.push((size = next));
    }
    expect(seen.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(stepBrushSize(maxBrushSize, 1)).toBe(maxBrushSize);
    while (size > minBrushSize) {
      const next = stepBrushSize(size, -1);
      expect(next).toBeLessThan(size);
      size = next;
    }
    expect(stepBrushSize(minBrushSize, -1)).toBe(minBrushSize);
  });

  it('snaps a line to 0°, 45° and 90°', () => {
    expect(snapLineEnd({ x: 10, y: 10 }, { x: 30, y: 12 })).toEqual({ x: 30, y: 10 });
    expect(snapLineEnd({ x: 10, y: 10 }, { x: 11, y: 40 })).toEqual({ x: 10, y: 40 });
    expect(snapLineEnd({ x: 10, y: 10 }, { x: 20, y: 22 })).toEqual({ x: 22, y: 22 });
    expect(snapLineEnd({ x: 10, y: 10 }, { x: 0, y: 8 })).toEqual({ x: 0, y: 10 });
    expect(snapLineEnd({ x: 10, y: 10 }, { x: 0, y: 1 })).toEqual({ x: 0, y: 0 });
  });
});

describe('placement', () => {
  it('fits an imported image inside the canvas, centred, keeping its shape', () => {
    expect(fitInside(640, 480, 64)).toEqual({ x: 0, y: 8, width: 64, height: 48 });
    expect(fitInside(100, 400, 64)).toEqual({ x: 24, y: 0, width: 16, height: 64 });
    expect(fitInside(32, 32, 64)).toEqual({ x: 0, y: 0, width: 64, height: 64 });
    expect(fitInside(1000, 1, 64)).toEqual({ x: 0, y: 31, width: 64, height: 1 });
    expect(() => fitInside(0, 10, 64)).toThrow(/no pixels/);
  });

  it('zooms by whole numbers to fit the space', () => {
    expect(integerZoom(64, 500, 420)).toBe(6);
    expect(integerZoom(256, 500, 420)).toBe(1);
    expect(integerZoom(256, 100, 100)).toBe(1);
    expect(integerZoom(8, 4000, 4000)).toBe(16);
  });
});

describe('model choice', () => {
  const model = (id: string, source: ModelInfo['source'], size: number | null = 64, family: ModelInfo['family'] = 'pix2pix'): ModelInfo => ({
    id, family, title: id, description: '', source, size, scale: null, domains: [], step: null, createdAt: null, licence: null,
    uses: family === 'esrgan' ? ['upscale'] : ['doodle', 'translate'], translateOptionsSchema: {}, inferenceSize: 'training-size',
  });
  const models = [model('run:mine', 'trained', 128), model('bundled:pix2pix-openmoji-64-hints', 'bundled'), model('npm:esrgan', 'package', null, 'esrgan')];

  it('remembers the last choice, else prefers the bundled model', () => {
    expect(chooseModel(models, 'run:mine')?.id).toBe('run:mine');
    expect(chooseModel(models, null)?.id).toBe('bundled:pix2pix-openmoji-64-hints');
    expect(chooseModel(models, 'run:deleted')?.id).toBe('bundled:pix2pix-openmoji-64-hints');
    expect(chooseModel(models, 'npm:esrgan')?.id).toBe('bundled:pix2pix-openmoji-64-hints');
    expect(chooseModel([models[0]!], null)?.id).toBe('run:mine');
    expect(chooseModel([], 'run:mine')).toBeUndefined();
  });

  it('starts with the default bundled model whatever order the catalogue lists them in', () => {
    const vivid = model('bundled:pix2pix-openmoji-64-vivid', 'bundled');
    const unguided = model('bundled:pix2pix-openmoji-64', 'bundled');
    const [mine, standard] = [models[0]!, models[1]!];
    expect(chooseModel([mine, vivid, unguided, standard], null)?.id).toBe('bundled:pix2pix-openmoji-64-hints');
    expect(chooseModel([vivid, unguided, standard], 'run:deleted')?.id).toBe('bundled:pix2pix-openmoji-64-hints');
    expect(chooseModel([mine, vivid], null)?.id).toBe('bundled:pix2pix-openmoji-64-vivid');
    expect(chooseModel([vivid, standard], vivid.id)?.id).toBe(vivid.id);
  });

  it('sizes the canvas by the model', () => {
    expect(canvasSizeFor(models[0])).toBe(128);
    expect(canvasSizeFor(model('run:x', 'trained', null))).toBe(64);
    expect(canvasSizeFor(undefined)).toBe(64);
  });
});
