/**
 * A second sketch style for scoring Doodle models (issue 13): people do not
 * draw like OpenMoji. Renders the colour emoji of another set (default
 * twemoji, CC BY 4.0) at SIZE px as targets, and as inputs their edges traced
 * by the same edge detector the Doodle view applies to a dropped photo
 * (src/shared/line-art.ts): thinner, broken lines unlike OpenMoji's outlines.
 * Writes test/A and test/B only, for `ganvas eval --data DIR`; at most N
 * emoji, spread over the set's sorted names.
 *
 *   node --import tsx scripts/build-edge-sketches.ts OUT_DIR [--set twemoji] [--size 64] [--count 300]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { isEmojiSet, loadEmojiSet, renderIcon } from '../src/main/engine/data/emoji-styles.js';
import { toLineArt } from '../src/shared/line-art.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { set: { type: 'string', default: 'twemoji' }, size: { type: 'string', default: '64' }, count: { type: 'string', default: '300' } } });
const out = resolve(positionals[0] ?? '.bundled-training/edges-twemoji-64');
const setName = values.set!;
if (!isEmojiSet(setName)) throw new Error(`unknown emoji set ${setName}`);
const size = Number(values.size);
const set = await loadEmojiSet(setName);
const names = [...set.icons.keys()].sort();
const count = Math.min(names.length, Number(values.count));
await mkdir(join(out, 'test', 'A'), { recursive: true });
await mkdir(join(out, 'test', 'B'), { recursive: true });
for (let i = 0; i < count; i++) {
  const name = names[Math.floor((i * names.length) / count)]!;
  const colour = await renderIcon(set, name, size);
  const { data, info } = await sharp(colour).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const rgba = { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  toLineArt(rgba);
  const sketch = await sharp(Buffer.from(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength), { raw: { width: info.width, height: info.height, channels: 4 } }).removeAlpha().png().toBuffer();
  await writeFile(join(out, 'test', 'A', `${name}.png`), sketch);
  await writeFile(join(out, 'test', 'B', `${name}.png`), colour);
}
console.log(`${count} ${setName} emoji and their traced edges in ${out}/test/{A,B}`);
