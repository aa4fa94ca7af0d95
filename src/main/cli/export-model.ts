// `ganvas export-model RUN_DIR OUT_DIR`: a training run's checkpoint as a
// shareable model folder (model.json + weights.bin, inference networks only).
// Exit codes: 0 done, 1 failed, 2 usage error.
import { parseArgs } from 'node:util';

export const exportModelHelp = `Usage: ganvas export-model RUN_DIR OUT_DIR [--float16] [--title T] [--description D] [--licence L] [--speed S] [--default] [--overwrite]

Writes the run's latest checkpoint as a model folder others can use: put it in
<data dir>/models/ and it appears in the studio as user:<folder name>.

Options:
  --float16        store weights as half floats (half the size, error under 0.1 %)
  --title T, --description D, --licence L, --trained-on T, --limitations T,
  --speed S        the model card shown in the studio (--speed: measured, in words)
  --default        mark it the default for what it does: a bundled SRGAN model
                   (in <install>/models/) becomes the upscaler for its scale
  --overwrite      replace a model already in OUT_DIR
  -h, --help       show this help
`;

export async function exportModelCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        float16: { type: 'boolean' },
        title: { type: 'string' },
        description: { type: 'string' },
        licence: { type: 'string' },
        'trained-on': { type: 'string' },
        limitations: { type: 'string' },
        speed: { type: 'string' },
        overwrite: { type: 'boolean' },
        default: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`ganvas export-model: ${(error as Error).message}\n\n${exportModelHelp}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(exportModelHelp);
    return 0;
  }
  if (positionals.length !== 2) {
    console.error(`ganvas export-model: give a run folder and an output folder\n\n${exportModelHelp}`);
    return 2;
  }
  const [runDir, outDir] = positionals as [string, string];
  const card = Object.fromEntries(
    Object.entries({ title: values.title, description: values.description, licence: values.licence, trainedOn: values['trained-on'], limitations: values.limitations, speed: values.speed }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const { exportModel } = await import('../engine/models/export-model.js');
  try {
    const result = await exportModel(runDir, outDir, {
      float16: values.float16 ?? false,
      overwrite: values.overwrite ?? false,
      default: values.default ?? false,
      ...(Object.keys(card).length ? { card } : {}),
    });
    const networks = Object.keys(result.manifest.networks).join(', ');
    console.log(`${result.dir}: ${result.manifest.family} (${networks}) at step ${result.manifest.step}, ${(result.bytes / 1e6).toFixed(2)} MB${values.float16 ? ', float16' : ''}`);
    return 0;
  } catch (error) {
    console.error(`ganvas export-model: ${(error as Error).message}`);
    return 1;
  }
}
