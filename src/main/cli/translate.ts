// `ganvas translate`: one image or a folder through a model, in this process
// (no worker: the CLI has nothing else to keep responsive). A folder goes
// through the same translateFolder as the studio's folder job.
// Exit codes: 0 all done, 1 some file failed, the model could not run or
// the input folder has no images (then nothing is written), 2 usage error
// (bad arguments, unknown model), 130 cancelled (Ctrl+C). Outputs are
// printed as absolute paths, wherever the command was run from.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { families } from '../engine/gans/registry.js';
import { parseCommandLine, UsageError } from './usage.js';

/** Every family's translate-option flags (--direction…), from the registry; the model's family checks the values. */
function translateFlags() {
  const byFlag = new Map<string, { key: string; help: string; families: string[] }>();
  for (const family of families.all()) {
    for (const flag of family.translateFlags ?? []) {
      const known = byFlag.get(flag.flag) ?? { key: flag.key, help: flag.help, families: [] };
      known.families.push(family.id);
      byFlag.set(flag.flag, known);
    }
  }
  return byFlag;
}

function flagHelp(): string {
  return [...translateFlags()].map(([flag, { help, families: owners }]) => `  --${`${flag} V`.padEnd(15)}${owners.join(', ')}: ${help}\n`).join('');
}

export const translateHelp = () => `Usage: ganvas translate --model ID_OR_DIR --input FILE_OR_DIR --output FILE_OR_DIR [--option KEY=VALUE]...

Translates an image, or every image of a folder, with a model.

Options:
  --model M        a model id from \`ganvas models\` (bundled:…, user:…, run:…),
                   or the path of an exported-model folder or a training run folder
  --input PATH     an image file or a folder of images
  --output PATH    for a file: the output file (.png, .jpg or .webp) or a folder for it;
                   for a folder: the output folder (never the input folder or inside it)
  --option K=V     a model option, e.g. --option noise=true --option seed=3 (pix2pix);
                   values are read as JSON when they parse (true, 3), else as text
  --redis URL      a folder goes to the studio's Redis queue, one job per image, for
                   \`ganvas worker\`s; images the queue did before are not redone
${flagHelp()}  --data-dir DIR   where trained and user models live (default: $GANVAS_DATA_DIR or the per-user folder)
  -h, --help       show this help

Images that are not the model's size are resized to it and the result back,
unless the model takes any size (CycleGAN, SRGAN): then they keep their own.

Examples:
  ganvas translate --model bundled:pix2pix-openmoji-64 --input cat.png --output cat-colour.png
  ganvas translate --model run:my-run --input sketches/ --output coloured/
`;


interface Args {
  model: string;
  input: string;
  output: string;
  options: Record<string, unknown>;
  dataDir: string | undefined;
  redis: string | undefined;
}

function optionValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parse(argv: string[]): Args | 'help' {
  const parsed = parseCommandLine(
    argv,
    {
      model: { type: 'string', short: 'm' },
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      option: { type: 'string', multiple: true },
      ...Object.fromEntries([...translateFlags().keys()].map((flag) => [flag, { type: 'string' as const }])),
      'data-dir': { type: 'string' },
      redis: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    { allowPositionals: false },
  );
  const { values } = parsed;
  if (values.help) return 'help';
  for (const name of ['model', 'input', 'output'] as const) {
    if (!values[name]) throw new UsageError(`--${name} is required`);
  }
  const options: Record<string, unknown> = {};
  for (const pair of values.option ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option wants KEY=VALUE, got "${pair}"`);
    options[pair.slice(0, eq)] = optionValue(pair.slice(eq + 1));
  }
  for (const [flag, { key }] of translateFlags()) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === 'string') options[key] = optionValue(value);
  }
  return { model: values.model!, input: values.input!, output: values.output!, options, dataDir: values['data-dir'], redis: values.redis };
}

async function kindOf(p: string): Promise<'file' | 'folder' | 'missing'> {
  try {
    return (await stat(p)).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

function etaText(seconds: number | null): string {
  if (seconds === null) return '';
  return seconds < 60 ? `, about ${Math.ceil(seconds)} s left` : `, about ${Math.ceil(seconds / 60)} min left`;
}

const formats: Record<string, 'png' | 'jpeg' | 'webp'> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

export async function translateCommand(argv: string[]): Promise<number> {
  let args: Args | 'help';
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`ganvas translate: ${error.message}\n\n${translateHelp()}`);
    return 2;
  }
  if (args === 'help') {
    console.log(translateHelp());
    return 0;
  }
  const inputKind = await kindOf(args.input);
  if (inputKind === 'missing') {
    console.error(`ganvas translate: ${args.input} does not exist`);
    return 2;
  }
  if (args.redis !== undefined && inputKind !== 'folder') {
    console.error('ganvas translate: --redis queues the images of a folder for ganvas workers; give a folder as --input');
    return 2;
  }
  if (inputKind === 'folder') {
    // Before any model loads: an empty folder is an error, not "0 translated" and a new empty output folder.
    const { inputImages } = await import('../engine/inference/input-folder.js');
    try {
      await inputImages(args.input);
    } catch (error) {
      console.error(`ganvas translate: ${(error as Error).message}`);
      return 1;
    }
  }

  const { resolveDataDir } = await import('../engine/data-dir.js');
  const { createModelCatalogue, locateModelFolder } = await import('../engine/models/catalogue.js');
  const { UserFacingError } = await import('../engine/errors.js');
  let location;
  try {
    location = (await kindOf(args.model)) === 'folder'
      ? await locateModelFolder(args.model)
      : await createModelCatalogue({ dataDir: resolveDataDir(args.dataDir) }).resolve(args.model);
  } catch (error) {
    console.error(`ganvas translate: ${(error as Error).message}`);
    return error instanceof UserFacingError && error.code === 'not_found' ? 2 : 1;
  }

  if (args.redis !== undefined) {
    const { translateFolderOnQueue } = await import('./translate-on-queue.js');
    // Workers resolve catalogue ids themselves; a model folder is passed as its full path, which they must share.
    const modelId = (await kindOf(args.model)) === 'folder' ? path.resolve(args.model) : location.id;
    try {
      return await translateFolderOnQueue({ redisUrl: args.redis, modelId, modelVersion: `${location.id}@${location.version}`, inputDir: args.input, outputDir: args.output, options: args.options });
    } catch (error) {
      console.error(`ganvas translate: ${(error as Error).message}`);
      return 1;
    }
  }

  let output = path.resolve(args.output);
  let format: 'png' | 'jpeg' | 'webp' = 'png';
  if (inputKind === 'file') {
    if ((await kindOf(output)) === 'folder' || /[\\/]$/.test(args.output)) {
      output = path.join(output, `${path.basename(args.input, path.extname(args.input))}.png`);
    }
    const chosen = formats[path.extname(output).toLowerCase()];
    if (!chosen) {
      console.error(`ganvas translate: the output file must end in .png, .jpg or .webp, got ${output}`);
      return 2;
    }
    format = chosen;
    if (path.resolve(output) === path.resolve(args.input)) {
      console.error('ganvas translate: the output would replace the input; choose another output file');
      return 2;
    }
  }

  const { initBackend } = await import('../engine/backend/index.js');
  const { loadTranslator } = await import('../engine/models/load-translator.js');
  await initBackend();
  let translator;
  try {
    translator = await loadTranslator(location);
  } catch (error) {
    console.error(`ganvas translate: ${(error as Error).message}`);
    return error instanceof UserFacingError && error.code === 'unsupported' ? 2 : 1;
  }
  if (translator.notice) console.error(translator.notice);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    if (inputKind === 'file') {
      const { translateImage } = await import('../engine/inference/translate-image.js');
      const { mkdir } = await import('node:fs/promises');
      const result = await translateImage(translator, args.input, args.options, path.basename(args.input));
      if (result.resized) console.error(result.resized.note);
      await mkdir(path.dirname(path.resolve(output)), { recursive: true });
      await result.save(output, format, { quality: 92 });
      console.log(`${output}  ${result.width}×${result.height}  ${translator.id}  ${Math.round(result.ms)} ms`);
      return 0;
    }

    const { translateFolder } = await import('../engine/inference/translate-folder.js');
    const { ProgressMeter, emptyProgress } = await import('../engine/jobs/progress-meter.js');
    const meter = new ProgressMeter({}, emptyProgress('image'));
    const live = process.stderr.isTTY;
    let lastLine = 0;
    const result = await translateFolder({
      translator,
      inputDir: args.input,
      outputDir: output,
      options: args.options,
      beforeImage: () => {
        if (controller.signal.aborted) throw new Error('cancelled');
      },
      onProgress: ({ done, total, file }) => {
        const progress = meter.report({ done, total });
        const now = Date.now();
        if (done < total && now - lastLine < (live ? 200 : 5000)) return;
        lastLine = now;
        const line = `${done}/${total} images${file ? ` (${file})` : ''}${etaText(progress.etaSeconds)}`;
        process.stderr.write(live ? `\r\x1b[K${line}` : `${line}\n`);
      },
    });
    if (live) process.stderr.write('\n');
    for (const failure of result.failed) console.error(`failed: ${failure.file}: ${failure.reason}`);
    const resized = result.resized ? `; ${result.resized} resized to ${translator.size}×${translator.size} px for the model and back` : '';
    console.error(`${result.translated} translated with ${translator.id} into ${output}, ${result.failed.length} failed${resized}`);
    return result.failed.length > 0 ? 1 : 0;
  } catch (error) {
    if (controller.signal.aborted) {
      console.error('\ncancelled; the images translated so far are in the output folder');
      return 130;
    }
    console.error(`ganvas translate: ${(error as Error).message}`);
    return error instanceof UserFacingError && error.code === 'invalid_request' ? 2 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    translator.dispose();
  }
}
