/**
 * `ganvas train` in-process on a tiny OpenMoji set: it learns, resumes from
 * the saved step, stops cleanly on Ctrl+C, and explains bad folders and settings.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainCommand } from '../../src/main/cli/train.js';
import type { CommandOutput } from '../../src/main/cli/train-output.js';
import { readLossHistory } from '../../src/main/engine/train/index.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-cli-train-'));
const data = join(root, 'emoji');
const tiny = ['--size', '32', '--set', 'ngf=8', '--set', 'ndf=8', '--set', 'dropout=0', '--set', 'lr.G=0.001', '--set', 'lr.D=0.001'];

beforeAll(async () => {
  await buildOpenMojiPairs(data, { count: 16, size: 32, start: 300 });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function capture(options: { signal?: AbortSignal } = {}): CommandOutput & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    isTTY: false,
    ...(options.signal ? { signal: options.signal } : {}),
    stdout: () => out,
    stderr: () => err,
  };
}

const meanL1 = (entries: { losses: Record<string, number> }[]) => entries.reduce((sum, e) => sum + e.losses.G_L1!, 0) / entries.length;

it('trains, then --resume with more --steps continues from the saved step', async () => {
  const run = join(root, 'run');
  const first = capture();
  const code = await trainCommand(['pix2pix', '--data', data, '--out', run, ...tiny, '--steps', '120', '--log-every', '40'], first);
  expect(code, first.stderr()).toBe(0);
  expect(first.stdout()).toMatch(/new run in .*; 120 steps, 32 px, batch 1/);
  const lines = first.stdout().split('\n').filter((line) => line.startsWith('step '));
  expect(lines.map((line) => line.split(' ')[1])).toEqual(['40/120', '80/120', '120/120']);
  expect(lines[0]).toMatch(/G_GAN [\d.]+ {2}G_L1 [\d.]+ {2}D_real [\d.]+ {2}D_fake [\d.]+ {2}[\d.]+ it\/s {2}ETA \d+ (s|min)/);

  const history = await readLossHistory(run);
  expect(history.map((e) => e.step)).toEqual(Array.from({ length: 120 }, (_, i) => i));
  // It learns: the L1 term of the last 20 steps is well below that of the first 20.
  expect(meanL1(history.slice(-20))).toBeLessThan(meanL1(history.slice(0, 20)) * 0.75);

  const again = capture();
  expect(await trainCommand(['pix2pix', '--data', data, '--out', run, '--steps', '160'], again)).toBe(1);
  expect(again.stderr()).toMatch(/already holds a training run \(checkpoint at step 120\)/);

  const second = capture();
  // No --size or --set: the run keeps its own settings (32 px, ngf 8…) from the checkpoint.
  expect(await trainCommand(['pix2pix', '--data', data, '--out', run, '--resume', '--steps', '160'], second), second.stderr()).toBe(0);
  expect(second.stdout()).toMatch(/continuing from step 120 in .*; 160 steps, 32 px/);
  const resumed = await readLossHistory(run);
  expect(resumed.map((e) => e.step)).toEqual(Array.from({ length: 160 }, (_, i) => i));
  expect(resumed.slice(0, 120)).toEqual(history);

  const changed = capture();
  expect(await trainCommand(['pix2pix', '--data', data, '--out', run, '--resume', '--steps', '200', '--size', '64'], changed)).toBe(1);
  expect(changed.stderr()).toMatch(/it was trained with size 32; these settings ask for size 64/);
}, 240_000);

it('Ctrl+C finishes the step, writes the checkpoint and exits 130', async () => {
  const run = join(root, 'interrupted');
  const stop = new AbortController();
  const output = capture({ signal: stop.signal });
  const origOut = output.out;
  output.out = (text) => {
    origOut(text);
    if (/^step 10\//m.test(text)) stop.abort();
  };
  const code = await trainCommand(['pix2pix', '--data', data, '--out', run, ...tiny, '--steps', '500', '--log-every', '10'], output);
  expect(code).toBe(130);
  const step = Number(/stopped at step (\d+); resume with --resume/.exec(output.stdout())?.[1]);
  expect(step).toBeGreaterThanOrEqual(10);
  expect(step).toBeLessThan(500);
  expect((await readLossHistory(run)).length).toBe(step);
  const checkpoint = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(join(run, 'checkpoint', 'checkpoint.json'), 'utf8')));
  expect(checkpoint.step).toBe(step);
  // The checkpoint keeps the config, so a resume needs no flags but the new step count.
  expect(checkpoint.config).toMatchObject({ size: 32, ngf: 8, ndf: 8, lr: { G: 0.001, D: 0.001 } });
}, 120_000);

describe('clear messages', () => {
  it('skips non-image files and mismatched pairs with warnings naming them, and still trains', async () => {
    const mixed = join(root, 'mixed');
    await buildOpenMojiPairs(mixed, { count: 3, size: 32, start: 500 });
    writeFileSync(join(mixed, 'A', 'notes.txt'), 'hello');
    writeFileSync(join(mixed, 'A', 'broken.png'), 'not really a png');
    writeFileSync(join(mixed, 'B', 'broken.png'), 'not really a png');
    const wide = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#fff' } }).png().toBuffer();
    const square = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#fff' } }).png().toBuffer();
    writeFileSync(join(mixed, 'A', 'odd.png'), square);
    writeFileSync(join(mixed, 'B', 'odd.png'), wide);
    const output = capture();
    const code = await trainCommand(['pix2pix', '--data', mixed, '--out', join(root, 'mixed-run'), ...tiny, '--steps', '2'], output);
    console.log(output.stderr());
    expect(code, output.stderr()).toBe(0);
    expect(output.stdout()).toMatch(/3 pairs/);
    expect(output.stderr()).toMatch(/warning: .*broken\.png.*skipped/);
    expect(output.stderr()).toMatch(/warning: .*1 file skipped \(not images\): notes\.txt/);
    expect(output.stderr()).toMatch(/warning: odd: A is 32×32 but B is 48×32; A and B of a pair need the same shape/);
  }, 60_000);

  it('a folder with no pairs, a missing folder, and invalid settings fail with exit 1 and the reason', async () => {
    const unmatched = join(root, 'unmatched');
    mkdirSync(join(unmatched, 'A'), { recursive: true });
    mkdirSync(join(unmatched, 'B'), { recursive: true });
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#000' } }).png().toBuffer();
    writeFileSync(join(unmatched, 'A', 'cat.png'), png);
    writeFileSync(join(unmatched, 'B', 'dog.png'), png);
    const cases: [string[], RegExp][] = [
      [['--data', unmatched], /no A\/B pairs: A\/ has 1 image, B\/ has 1, none share a file name; examples: A\/cat\.png, B\/dog\.png/],
      [['--data', join(root, 'nowhere')], /nowhere/],
      [['--data', data, '--size', '48'], /Invalid Pix2Pix settings: size: must be a power of two/],
      [['--data', data, '--set', 'ngf=lots'], /Invalid Pix2Pix settings: ngf: /],
    ];
    for (const [args, message] of cases) {
      const output = capture();
      expect(await trainCommand(['pix2pix', '--out', join(root, 'never'), ...args], output)).toBe(1);
      expect(output.stderr()).toMatch(message);
    }
    const yaml = join(root, 'bad.yaml');
    writeFileSync(yaml, 'size: [1, 2\n');
    const output = capture();
    expect(await trainCommand(['pix2pix', '--data', data, '--out', join(root, 'never'), '--config', yaml], output)).toBe(1);
    expect(output.stderr()).toMatch(/bad\.yaml: not valid YAML/);
  }, 60_000);

  it('usage errors exit 2; --help shows the defaults', async () => {
    const help = capture();
    expect(await trainCommand(['--help'], help)).toBe(0);
    expect(help.stdout()).toMatch(/--size N .*default: the family's/);
    expect(help.stdout()).toMatch(/^ {2}pix2pix +Aligned pairs[^]*starts\s+at size 64/m);
    expect(help.stdout()).toMatch(/^ {2}srgan +Any folder of high-resolution photos/m);
    for (const args of [['pix2pix', '--out', 'x'], ['pix2pix', '--data', 'x'], ['--data', 'x', '--out', 'y'], ['pix2pix', '--data', 'x', '--out', 'y', '--steps', 'ten'], ['pix2pix', '--bogus']]) {
      const output = capture();
      expect(await trainCommand(args, output), args.join(' ')).toBe(2);
      expect(output.stderr()).toMatch(/ganvas train: .*\nRun `ganvas train --help`/);
    }
    const unknown = capture();
    expect(await trainCommand(['stylegan', '--data', data, '--out', join(root, 'never')], unknown)).toBe(2);
    expect(unknown.stderr()).toMatch(/unknown family 'stylegan'; this version trains: pix2pix/);
  });
});
