// `ganvas upscale`: super-resolution of a file or a folder with the pretrained
// models that install with GANvas. Exit codes: 0 all done, 1 some file
// failed or the input folder has no images (then nothing is written, not even
// the output folder), 2 usage error, 130 cancelled (Ctrl+C). Outputs are
// printed as absolute paths, wherever the command was run from.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCommandLine, UsageError } from './usage.js';

export const upscaleHelp = `Usage: ganvas upscale [--scale 2|3|4] [--model M] [--input] FILE_OR_DIR [--output FILE_OR_DIR]

Makes images 2, 3 or 4 times larger with a super-resolution network: the
pretrained ESRGANs, or GANvas's own SRGAN models (bundled:NAME, or user:NAME
from the data folder's models/).

Options:
  --scale N        2, 3 or 4 (default 4)
  --model M        slim | medium | thick, a full id such as esrgan-medium-x4,
                   or an SRGAN model's bundled:NAME / user:NAME / run:NAME (--list-models)
                   (default: a bundled SRGAN model marked the default for the
                   scale, else slim: the fastest ESRGAN on CPU; medium is
                   sharper, thick sharpest but 10–15× slower than slim)
  --data-dir DIR   the data folder whose models/ and runs/ hold user:NAME and run:NAME
                   (default: GANVAS_DATA_DIR or the usual place)
  --input PATH     an image file or a folder of images (or give it as the first argument)
  --output PATH    for a file: the output file or a folder for it
                   (default ./NAME-xSCALE.EXT in the current folder);
                   for a folder: the output folder (required; never the input folder)
  --format F       png | jpeg | webp (default: the input's format, else png)
  --quality N      JPEG/WebP quality 1–100 (default 92)
  --tile N         tile side in input pixels (default: from free memory)
  --overwrite      replace existing output files (default: fail that file)
  --list-models    show the installed models and exit
  -h, --help       show this help

Examples:
  ganvas upscale --scale 4 photo.jpg
  ganvas upscale --scale 2 --model medium --input shots/ --output shots-x2/
`;


interface Args {
  input: string;
  output?: string;
  scale: number;
  model?: string;
  format?: 'png' | 'jpeg' | 'webp';
  quality?: number;
  tile?: number;
  overwrite: boolean;
  dataDir?: string;
}

function wholeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

function parse(argv: string[]): Args | 'help' | { list: true; dataDir: string | undefined } {
  const parsed = parseCommandLine(argv, {
    scale: { type: 'string' },
    model: { type: 'string' },
    input: { type: 'string', short: 'i' },
    output: { type: 'string', short: 'o' },
    format: { type: 'string' },
    quality: { type: 'string' },
    tile: { type: 'string' },
    overwrite: { type: 'boolean' },
    'list-models': { type: 'boolean' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values['list-models']) return { list: true, dataDir: values['data-dir'] };
  if (values.input !== undefined && positionals.length > 0) throw new UsageError(`give the input once (--input or as an argument), got also: ${positionals.join(' ')}`);
  if (positionals.length > 1) throw new UsageError(`one input at a time (a file or a folder), got ${positionals.length}: ${positionals.join(' ')}`);
  const input = values.input ?? positionals[0];
  if (!input) throw new UsageError('which image? give a file or folder, e.g. `ganvas upscale --scale 4 photo.jpg`');
  const scale = wholeNumber(values.scale, '--scale') ?? 4;
  if (![2, 3, 4].includes(scale)) throw new UsageError(`--scale must be 2, 3 or 4, got ${scale}`);
  const format = values.format?.toLowerCase().replace(/^jpg$/, 'jpeg');
  if (format !== undefined && !['png', 'jpeg', 'webp'].includes(format)) {
    throw new UsageError(`--format must be png, jpeg or webp, got "${values.format}"`);
  }
  const quality = wholeNumber(values.quality, '--quality');
  if (quality !== undefined && quality > 100) throw new UsageError(`--quality must be from 1 to 100, got ${quality}`);
  return {
    input,
    output: values.output,
    scale,
    model: values.model,
    format: format as Args['format'],
    quality,
    tile: wholeNumber(values.tile, '--tile'),
    overwrite: values.overwrite ?? false,
    dataDir: values['data-dir'],
  };
}

async function isFolder(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Why a folder cannot be upscaled: it has no image file directly inside it. Null when it has some. */
async function emptyFolderProblem(folder: string): Promise<string | null> {
  const { isImageFileName } = await import('../engine/upscale/image-files.js');
  const entries = await readdir(folder, { withFileTypes: true });
  if (entries.some((entry) => entry.isFile() && isImageFileName(entry.name))) return null;
  const read = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.gif', '.avif', '.svg'].filter((ext) => isImageFileName(`photo${ext}`));
  return `The input folder ${path.resolve(folder)} has no images to upscale: GANvas reads the ${read.join(', ')} files directly inside it (not in sub-folders). Nothing was written.`;
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 60_000 ? `, about ${Math.ceil(ms / 1000)} s left` : `, about ${Math.ceil(ms / 60_000)} min left`;
}

export async function upscaleCommand(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ganvas upscale: ${error.message}\n\n${upscaleHelp}`);
    return 2;
  }
  if (args === 'help') {
    console.log(upscaleHelp);
    return 0;
  }
  const engine = await import('../engine/upscale/index.js');
  const { resolveDataDir } = await import('../engine/data-dir.js');
  const folders = { dataDir: resolveDataDir(args.dataDir) };
  if ('list' in args) {
    for (const m of engine.listUpscaleModels(folders)) {
      console.log(`${m.id.padEnd(24)} ×${m.scale}  ${(m.sizeBytes / 1e6).toFixed(1).padStart(5)} MB  ${m.licence}  ${m.source}${m.isDefault ? '  (default)' : ''}`);
    }
    return 0;
  }
  let modelInfo;
  try {
    modelInfo = engine.chooseUpscaleModel({ scale: args.scale, model: args.model }, folders);
  } catch (error) {
    console.error(`ganvas upscale: ${(error as Error).message}`);
    return 2;
  }
  const folderInput = await isFolder(args.input);
  if (folderInput && !args.output) {
    console.error('ganvas upscale: give --output FOLDER for a folder of images; GANvas never writes into the input folder.');
    return 2;
  }
  const empty = folderInput ? await emptyFolderProblem(args.input) : null;
  if (empty !== null) {
    console.error(`ganvas upscale: ${empty}`);
    return 1;
  }

  const { initBackend } = await import('../engine/backend/index.js');
  await initBackend();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const live = process.stderr.isTTY;
  let lastLine = 0;
  const options = {
    scale: args.scale,
    model: modelInfo.id,
    folders,
    tile: args.tile,
    format: args.format,
    quality: args.quality,
    overwrite: args.overwrite,
    signal: controller.signal,
    onProgress: (p: import('../engine/upscale/index.js').UpscaleProgress) => {
      const now = Date.now();
      if (p.tilesDone < p.tilesTotal && now - lastLine < (live ? 200 : 5000)) return;
      lastLine = now;
      const batch = p.fileCount > 1 ? `[${p.fileIndex + 1}/${p.fileCount}] ` : '';
      const line = `${batch}${path.basename(p.file)}: tile ${p.tilesDone}/${p.tilesTotal}${seconds(p.etaMs)}`;
      process.stderr.write(live ? `\r\x1b[K${line}` : `${line}\n`);
    },
  };
  const endLine = () => live && process.stderr.write('\r\x1b[K');
  try {
    if (folderInput) {
      const result = await engine.upscaleFolder(args.input, args.output!, options);
      endLine();
      for (const d of result.done) console.log(`${d.output}  ${d.width}×${d.height}  ${(d.ms / 1000).toFixed(1)} s`);
      for (const f of result.failed) console.error(`failed: ${f.reason}`);
      const summary = `${result.done.length} upscaled with ${modelInfo.id}, ${result.failed.length} failed` + (result.cancelled.length ? `, ${result.cancelled.length} not done (cancelled)` : '');
      console.error(summary);
      if (result.cancelled.length) return 130;
      return result.failed.length ? 1 : 0;
    }
    const format = args.format ?? engine.formatFromName(args.input) ?? 'png';
    let output = args.output ?? engine.defaultOutputName(args.input, args.scale, format);
    if (args.output && ((await isFolder(args.output)) || /[\\/]$/.test(args.output))) {
      output = path.join(args.output, engine.defaultOutputName(args.input, args.scale, format));
    }
    output = path.resolve(output);
    const done = await engine.upscaleFile(args.input, output, { ...options, format: args.format ?? engine.formatFromName(output) ?? format });
    endLine();
    console.log(`${done.output}  ${done.width}×${done.height}  ${done.model}  ${(done.ms / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    endLine();
    if (engine.isAbort(error)) {
      console.error('cancelled; no partial output was left behind');
      return 130;
    }
    console.error(`ganvas upscale: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
