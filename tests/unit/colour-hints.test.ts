/**
 * Colour hints (issue 13): the marks a user paints on the Doodle canvas.
 * The geometry on drawn canvases, the flood-fill baseline, the blank-canvas
 * rule, and a tiny Pix2Pix trained with hints on real OpenMoji pairs that
 * follows hints it has never seen on held-out sketches.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import {
  evaluationHints,
  edgeSketch,
  floodHintsBaseline,
  HINT_LAYER_CHANNELS,
  hintLayer,
  isHintPixel,
  isLinePixel,
  paintHints,
  regionAt,
  sampleTrainingHints,
} from '../../src/main/engine/data/colour-hints.js';
import { openPairedDataset, type PairedBatch, type PairedDataset } from '../../src/main/engine/data/index.js';
import { parseFamilyConfig, type GanModel } from '../../src/main/engine/gans/family.js';
import { pix2pix, type Pix2PixConfig, pix2pixModel } from '../../src/main/engine/gans/pix2pix/model.js';
import { SeededRandom } from '../../src/main/engine/random.js';
import { loadCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';
import { hintedSketch } from '../../src/main/engine/train/hinted-evaluation.js';
import { train } from '../../src/main/engine/train/train.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

const W = 16;
const RED: [number, number, number] = [1, -1, -1];

/** A white 16×16 canvas with a black square outline from (3,3) to (12,12): one enclosed region. */
function boxCanvas(): Float32Array {
  const canvas = new Float32Array(W * W * 3).fill(1);
  for (let i = 3; i <= 12; i++) {
    for (const [x, y] of [[i, 3], [i, 12], [3, i], [12, i]] as const) canvas.fill(-1, (y * W + x) * 3, (y * W + x) * 3 + 3);
  }
  return canvas;
}
const at = (image: Float32Array, x: number, y: number) => Array.from(image.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));

describe('colour hints on a canvas', () => {
  it('tells lines (dark grey) from hints (coloured) from paper', () => {
    const canvas = paintHints(boxCanvas(), [{ pixels: [7 * W + 7], colour: [-0.4, -0.6, -0.8] }]);
    expect(isLinePixel(canvas, 3 * W + 5)).toBe(true);
    expect(isHintPixel(canvas, 3 * W + 5)).toBe(false);
    // Dark brown is a hint, not a line.
    expect(isLinePixel(canvas, 7 * W + 7)).toBe(false);
    expect(isHintPixel(canvas, 7 * W + 7)).toBe(true);
    expect(isLinePixel(canvas, 0)).toBe(false);
    expect(isHintPixel(canvas, 0)).toBe(false);
  });

  it('finds the enclosed region as the fill bucket would, and refuses the paper beyond a share', () => {
    const canvas = boxCanvas();
    expect(regionAt(canvas, W, W, 7 * W + 7)).toHaveLength(8 * 8);
    expect(regionAt(canvas, W, W, 0, 0.25)).toBeNull();
    expect(regionAt(canvas, W, W, 0)).toHaveLength(W * W - 8 * 8 - 36);
    expect(regionAt(canvas, W, W, 3 * W + 3)).toBeNull();
  });

  it('floods each hinted region with its hint colour, keeps lines and leaves unhinted regions white', () => {
    const canvas = paintHints(boxCanvas(), [{ pixels: [6 * W + 6, 6 * W + 7], colour: RED }]);
    const flooded = floodHintsBaseline(canvas, W, W);
    expect(at(flooded, 10, 10)).toEqual(RED);
    expect(at(flooded, 4, 11)).toEqual(RED);
    expect(at(flooded, 3, 7)).toEqual([-1, -1, -1]);
    expect(at(flooded, 0, 0)).toEqual([1, 1, 1]);
    expect(at(flooded, 15, 15)).toEqual([1, 1, 1]);
  });

  it('spreads each hint over its closed shape, nearest hint first, and only a little way over the paper', () => {
    const BLUE: [number, number, number] = [-1, -1, 1];
    expect(hintLayer(boxCanvas(), W, W).every((v) => v === 0)).toBe(true);
    const canvas = paintHints(boxCanvas(), [
      { pixels: [5 * W + 5], colour: RED },
      { pixels: [10 * W + 10], colour: BLUE },
      { pixels: [0], colour: BLUE },
    ]);
    const layer = hintLayer(canvas, W, W, { openReach: 0.25 });
    const cell = (x: number, y: number) => Array.from(layer.subarray((y * W + x) * HINT_LAYER_CHANNELS, (y * W + x + 1) * HINT_LAYER_CHANNELS));
    expect(cell(5, 5)).toEqual([...RED, 1]);
    // Inside the box every pixel takes the nearer hint's colour; the outline and the far paper take none.
    expect(cell(4, 4)).toEqual([...RED, 0.5]);
    expect(cell(6, 7)).toEqual([...RED, 0.5]);
    expect(cell(11, 11)).toEqual([...BLUE, 0.5]);
    expect(cell(9, 9)).toEqual([...BLUE, 0.5]);
    expect(cell(3, 3)).toEqual([0, 0, 0, 0]);
    // The paper touches the image's edge: a hint there reaches 4 px (a quarter of 16), not the whole page.
    expect(cell(0, 4)).toEqual([...BLUE, 0.5]);
    expect(cell(0, 5)).toEqual([0, 0, 0, 0]);
    expect(cell(15, 15)).toEqual([0, 0, 0, 0]);
  });

  it('traces a target into a second sketch style: black lines on its edges, white paper elsewhere', () => {
    const target = new Float32Array(W * W * 3).fill(1);
    for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) target.set(RED, (y * W + x) * 3);
    const sketch = edgeSketch(target, W, W);
    expect(at(sketch, 0, 0)).toEqual([1, 1, 1]);
    expect(at(sketch, 8, 8)).toEqual([1, 1, 1]);
    // The red square's outline becomes lines, on each of its four sides.
    for (const [x, y] of [[4, 8], [11, 8], [8, 4], [8, 11]] as const) {
      const near = [-1, 0, 1].some((d) => isLinePixel(sketch, (y + (x === 8 ? d : 0)) * W + x + (x === 8 ? 0 : d)));
      expect(near).toBe(true);
    }
  });

  it('samples evaluation points on the drawing, the same for the same seed, and nested across counts', () => {
    const target = paintHints(boxCanvas(), [{ pixels: [...regionAt(boxCanvas(), W, W, 7 * W + 7)!], colour: RED }]);
    const five = evaluationHints(target, W, W, 5, 42);
    expect(evaluationHints(target, W, W, 5, 42)).toEqual(five);
    expect(evaluationHints(target, W, W, 1, 42)).toEqual(five.slice(0, 1));
    for (const hint of five) {
      expect(hint.pixels).toHaveLength(9);
      // Each is the mean colour of the target under it: inside the red box it is red or a mix with the black outline.
      expect(hint.colour[0]).toBeGreaterThan(hint.colour[1]);
    }
  });

  it('samples training marks of the target colour: none for the hintless share, at most the cap otherwise', () => {
    const sketch = boxCanvas();
    const target = paintHints(sketch, [{ pixels: [...regionAt(sketch, W, W, 7 * W + 7)!], colour: RED }]);
    const random = new SeededRandom(5);
    const counts = Array.from({ length: 400 }, () => sampleTrainingHints(sketch, target, W, W, random, { maxHints: 6, noHintShare: 0.25 }));
    const empty = counts.filter((hints) => hints.length === 0).length;
    expect(empty).toBeGreaterThan(60);
    expect(empty).toBeLessThan(140);
    expect(Math.max(...counts.map((hints) => hints.length))).toBe(6);
    const all = counts.flat();
    // Marks land on the drawing, so most of them say red.
    expect(all.filter((hint) => hint.colour[0] > 0.5 && hint.colour[1] < 0).length / all.length).toBeGreaterThan(0.6);
    expect(sampleTrainingHints(sketch, target, W, W, random, { maxHints: 0, noHintShare: 0 })).toEqual([]);
  });
});

describe('Pix2Pix with colour hints', () => {
  const SIZE = 32;
  let root: string;
  let trainingSet: PairedDataset;
  let heldOut: PairedBatch[];

  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
    root = await mkdtemp(join(tmpdir(), 'ganvas-hints-'));
    // Varied emoji (flags, objects, symbols), so the colour of a fill cannot be guessed from the drawing alone.
    await buildOpenMojiPairs(join(root, 'train'), { count: 96, size: SIZE, start: 900 });
    await buildOpenMojiPairs(join(root, 'held-out'), { count: 12, size: SIZE, start: 1200 });
    trainingSet = await openPairedDataset(join(root, 'train'), { size: SIZE, loadSize: SIZE, seed: 1 });
    const held = await openPairedDataset(join(root, 'held-out'), { size: SIZE, loadSize: SIZE, flip: false, seed: 1 });
    heldOut = await Promise.all(Array.from({ length: held.size }, (_, i) => held.batchAt(i, 1)));
  });

  afterAll(async () => {
    for (const pair of heldOut ?? []) tf.dispose([pair.a, pair.b]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  /**
   * Mean distance to the target over the pixels the 20 held-out hints cover, on [-1, 1], for the model
   * given the bare sketch and the hinted one: a model that reads hints moves there toward the true colours.
   */
  async function atHints(model: { translate(input: tf.Tensor4D): tf.Tensor4D }): Promise<{ bare: number; hinted: number }> {
    let bare = 0;
    let hinted = 0;
    for (const [i, pair] of heldOut.entries()) {
      const canvas = hintedSketch(pair, i, 20);
      const [b, h] = tf.tidy(() => {
        const marked = tf.cast(tf.any(tf.notEqual(canvas, pair.a), -1, true), 'float32');
        const covered = tf.sum(marked).mul(3);
        const error = (input: tf.Tensor4D) => tf.div(tf.sum(tf.mul(tf.abs(tf.sub(model.translate(input), pair.b)), marked)), covered).dataSync()[0]!;
        return [error(pair.a), error(canvas)];
      });
      canvas.dispose();
      bare += b;
      hinted += h;
    }
    return { bare: bare / heldOut.length, hinted: hinted / heldOut.length };
  }

  it('turns an empty canvas into an empty (white) result, whatever the weights', () => {
    const model = pix2pixModel.buildInference(parseFamilyConfig(pix2pix, { size: SIZE, ngf: 8, ndf: 8 }));
    const blank = tf.ones([1, SIZE, SIZE, 3]) as tf.Tensor4D;
    const drawn = tf.tidy(() => tf.concat([tf.ones([1, SIZE, SIZE - 4, 3]), tf.fill([1, SIZE, 4, 3], -1)], 2)) as tf.Tensor4D;
    const [white, other] = [model.translate(blank), model.translate(drawn)];
    expect(tf.min(white).dataSync()[0]).toBe(1);
    expect(tf.min(other).dataSync()[0]).toBeLessThan(0.9);
    tf.dispose([blank, drawn, white, other]);
    model.dispose();
  });

  it('trains on traced edges when asked, with hints painted on them', async () => {
    // Same seed, same batch: only what G is shown differs, so the first step's L1 must differ too.
    const stepL1 = async (edgeSketchShare: number) => {
      const config = parseFamilyConfig(pix2pix, { size: SIZE, ngf: 8, ndf: 8, seed: 4, colourHints: 5, hintLayer: true, edgeSketchShare });
      const model = pix2pixModel.build(config);
      const batch = await trainingSet.batchAt(0, 2);
      const losses = await model.trainStep(batch, { step: 0, seed: 4 });
      tf.dispose([batch.a, batch.b]);
      model.dispose();
      return losses['G_L1']!;
    };
    const [drawn, drawnAgain, traced] = [await stepL1(0), await stepL1(0), await stepL1(1)];
    expect(drawnAgain).toBe(drawn);
    expect(Math.abs(traced - drawn)).toBeGreaterThan(1e-3);
  });

  it('learns to follow the colours painted on held-out sketches', async () => {
    const steps = 300;
    const settings = parseFamilyConfig(pix2pix, {
      size: SIZE, ngf: 8, ndf: 8, steps, decayFrom: steps, lr: { G: 1e-3, D: 1e-3 }, sampleEvery: steps, checkpointEvery: steps, seed: 3,
      colourHints: 20,
    });
    const outDir = join(root, 'run');
    const tensorsBefore = tf.memory().numTensors;
    const result = await train({
      family: pix2pix,
      config: settings,
      data: { batchAt: (step, n) => trainingSet.batchAt(step, n), sampleBatch: (rows) => ({ a: heldOut[0]!.a.clone(), b: heldOut[0]!.b.clone() }) },
      outDir,
    });
    expect(result.status).toBe('completed');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const untrained = pix2pixModel.buildInference(settings);
    const before = await atHints(untrained);
    untrained.dispose();
    const model = (await loadCheckpoint(outDir)).model as GanModel<Pix2PixConfig, PairedBatch>;
    const after = await atHints(model);
    model.dispose();
    console.log(`error under 20 held-out hints: untrained ${before.bare.toFixed(3)} bare / ${before.hinted.toFixed(3)} hinted; trained ${after.bare.toFixed(3)} / ${after.hinted.toFixed(3)}`);
    // Seen here (300 steps, 32 px, ngf 8): untrained 0.558 / 0.558, trained 0.456 / 0.416. The trained model's output
    // moves toward the painted colours where they are; an untrained network's does not move at all.
    expect(after.bare).toBeLessThan(0.9 * before.bare);
    expect(after.hinted).toBeLessThan(0.95 * after.bare);
    expect(before.hinted).toBeGreaterThan(0.98 * before.bare);
  });
});
