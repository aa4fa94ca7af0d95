// `ganvas models`: every model the studio can run (bundled, user, trained, npm).
// Exit codes: 0 listed, 2 usage error.
import { parseArgs } from 'node:util';

export const modelsHelp = `Usage: ganvas models [--family F] [--json] [--data-dir DIR]

Lists the models GANvas can run: bundled ones, exported models in <data dir>/models,
training runs in <data dir>/runs, and the pretrained upscalers. Folders that look
like models but cannot be read are listed with the reason.
`;

export async function modelsCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: { family: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`ganvas models: ${(error as Error).message}\n\n${modelsHelp}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    console.log(modelsHelp);
    return 0;
  }
  const { families } = await import('../engine/gans/registry.js');
  // 'esrgan' names the pretrained upscalers from npm, which belong to no trainable family.
  const known = [...families.all().map((family) => family.id), 'esrgan'];
  if (values.family !== undefined && !known.includes(values.family)) {
    console.error(`ganvas models: --family must be one of ${known.join(', ')}, got "${values.family}"`);
    return 2;
  }
  const { resolveDataDir } = await import('../engine/data-dir.js');
  const { createModelCatalogue } = await import('../engine/models/catalogue.js');
  const { models, problems } = await createModelCatalogue({ dataDir: resolveDataDir(values['data-dir']) }).scan();
  const shown = values.family ? models.filter((m) => m.family === values.family) : models;
  if (values.json) {
    console.log(JSON.stringify({ models: shown, problems }, null, 2));
    return 0;
  }
  for (const m of shown) {
    const detail = [m.size ? `${m.size} px` : null, m.scale ? `×${m.scale}` : null, m.step !== null ? `step ${m.step}` : null, m.licence].filter(Boolean).join(', ');
    console.log(`${m.id.padEnd(34)} ${m.family.padEnd(8)} ${m.title}${detail ? `  (${detail})` : ''}`);
  }
  for (const p of problems) console.error(`cannot read ${p.path}: ${p.reason}`);
  console.log(`${shown.length} model${shown.length === 1 ? '' : 's'}`);
  return 0;
}
