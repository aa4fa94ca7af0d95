/**
 * A process killed (SIGKILL) at a random moment while writing checkpoints
 * must leave a complete, loadable checkpoint: one whole step, never a mix.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { loadCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';
import { SeededRandom } from '../../src/main/engine/random.js';
import { crashTestConfig, crashTestValue } from './fixtures/checkpoint-writer.js';
import { template } from './fixtures/template-family.js';

const WRITER = path.resolve(import.meta.dirname, 'fixtures/checkpoint-writer.ts');
const ROUNDS = 3;
let runDir: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-crash-'));
});
afterAll(async () => {
  await fs.rm(runDir, { recursive: true, force: true });
});

/** Starts the writer, lets it save `saves` checkpoints, waits `delayMs` more, kills it. Returns the last step it reported. */
function writeThenKill(saves: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, runDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let reported = 0;
    let seen = 0;
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/saved (\d+)/g)) {
        reported = Number(match[1]);
        if (!killed && ++seen === saves) {
          killed = true;
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(reported);
      else reject(new Error(`checkpoint writer exited with ${code}: ${stderr}`));
    });
  });
}

it('leaves the last complete checkpoint loadable when killed mid-write, again and again', async () => {
  const random = new SeededRandom(2024);
  const before = tf.memory().numTensors;
  let lastLoaded = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const reported = await writeThenKill(1 + random.int(3), random.int(60));
    const leftovers = (await fs.readdir(runDir)).sort();
    const loaded = await loadCheckpoint(runDir, { family: template, config: parseFamilyConfig(template, crashTestConfig) });
    // The kill may land after a checkpoint was in place but before "saved" was printed.
    expect(loaded.step, `round ${round}, folder held ${leftovers.join(', ')}`).toBeGreaterThanOrEqual(reported);
    expect(loaded.step).toBeLessThanOrEqual(reported + 1);
    expect(loaded.step).toBeGreaterThan(lastLoaded);
    lastLoaded = loaded.step;

    // Every tensor holds the value of that one step: nothing from an older or half-written save.
    let index = 0;
    for (const network of Object.values(loaded.model.networks)) {
      for (const weight of network.weights) {
        const values = weight.read().dataSync();
        const expected = crashTestValue(loaded.step, index++);
        expect(values[0]).toBe(expected);
        expect(values[values.length - 1]).toBe(expected);
      }
    }
    for (const optimizer of Object.values(loaded.model.optimizers)) {
      const state = await optimizer.getWeights();
      for (const { name, tensor } of state) {
        if (name === 'iter') {
          tensor.dispose();
          continue;
        }
        const values = tensor.dataSync();
        expect(values[values.length - 1]).toBe(crashTestValue(loaded.step, index++));
      }
      expect(state.length).toBeGreaterThan(1); // moments were saved, not just the step count
    }
    loaded.model.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);
});
