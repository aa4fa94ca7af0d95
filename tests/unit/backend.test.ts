// The backend ladder on this machine: no tfjs-node(-gpu) installed, so the
// ladder must skip both with a reason and settle on wasm (SIMD, our kernels).
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { describeBackend, initBackend } from '../../src/main/engine/backend/index.js';

const savedEnv = process.env['GANVAS_BACKEND'];

afterEach(() => {
  if (savedEnv === undefined) delete process.env['GANVAS_BACKEND'];
  else process.env['GANVAS_BACKEND'] = savedEnv;
});

describe('initBackend', () => {
  it('walks the ladder to wasm when the native packages are not installed', async () => {
    delete process.env['GANVAS_BACKEND'];
    const report = await initBackend();
    expect(report.active).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.tried.map((t) => t.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm']);
    expect(report.tried[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/tfjs-node-gpu is not installed/) });
    // No GPU here: Dawn finds no adapter it accepts (or only a software one), and says so.
    expect(report.tried[1]).toMatchObject({ ok: false, reason: expect.stringMatching(/no WebGPU adapter|software/) });
    expect(report.tried[2]).toMatchObject({ ok: false, reason: expect.stringMatching(/tfjs-node is not installed/) });
    expect(report.tried[3]).toEqual({ name: 'wasm', ok: true });
    expect(report.adapter).toBeUndefined();
    expect(report.simd).toBe(true);
    expect(report.threads).toBe(1);
    expect(report.tfjsVersion).toBe(tf.version.tfjs);
    expect(report.kernelsRegistered).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput']));
    for (const name of report.kernelsRegistered) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('returns the same report again and re-selects its backend if tf was switched', async () => {
    const first = await initBackend();
    await tf.setBackend('cpu');
    const second = await initBackend();
    expect(second).toBe(first);
    expect(tf.getBackend()).toBe('wasm');
    expect(describeBackend()).toBe(first);
    expect(JSON.parse(JSON.stringify(describeBackend()))).toEqual(first);
  });

  it('honours GANVAS_BACKEND and the prefer option', async () => {
    process.env['GANVAS_BACKEND'] = 'cpu';
    const cpu = await initBackend();
    expect(cpu.active).toBe('cpu');
    expect(cpu.tried).toEqual([{ name: 'cpu', ok: true }]);
    expect(cpu.kernelsRegistered).toEqual([]);
    expect(tf.getBackend()).toBe('cpu');

    // prefer wins over the environment variable
    const wasm = await initBackend({ prefer: 'wasm' });
    expect(wasm.active).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails clearly, without falling back, when a forced backend cannot start', async () => {
    process.env['GANVAS_BACKEND'] = 'tensorflow-gpu';
    await expect(initBackend()).rejects.toThrow(/'tensorflow-gpu' backend was requested but could not start: .*tfjs-node-gpu is not installed/);
    await expect(initBackend({ prefer: 'tensorflow' })).rejects.toThrow(/'tensorflow' backend was requested.*tfjs-node is not installed/);
    process.env['GANVAS_BACKEND'] = 'cuda';
    await expect(initBackend()).rejects.toThrow(/GANVAS_BACKEND='cuda' is not a backend GANvas knows; use one of: tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
    // The failed attempts left the running backend alone.
    expect(describeBackend().active).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('runs tensors on the chosen backend', async () => {
    await initBackend({ prefer: 'wasm' });
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => tf.tensor1d([1, -2, 3]).square().sum());
    expect(y.dataSync()[0]).toBe(14);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
