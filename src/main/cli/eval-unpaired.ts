/**
 * `ganvas eval` for unpaired (CycleGAN-style) models: both directions on
 * testA/ and testB/, against the true counterparts where the names match,
 * and as KID on a pretrained feature network, each beside the identity
 * mapping and (with --baselines) the untrained model of the same settings.
 * See engine/evaluation/unpaired.ts for what the numbers mean.
 */
import type { CommandOutput } from './train-output.js';
import type { AnyFamily, FamilyConfig, InferenceModel } from '../engine/gans/family.js';
import type { DirectionScores, UnpairedEvaluation } from '../engine/evaluation/unpaired.js';
import type { FeatureNetworkName } from '../engine/evaluation/feature-network.js';

export interface UnpairedEvalArgs {
  model: string;
  data: string;
  baselines: boolean;
  json: boolean;
  limit?: number;
  features: FeatureNetworkName | 'none';
}

export interface UnpairedEvalRow extends DirectionScores {
  direction: 'AtoB' | 'BtoA';
  name: string;
  step: number;
}

function cells(row: UnpairedEvalRow): string[] {
  const c = row.counterpart;
  const k = row.kid;
  return [
    row.direction === 'AtoB' ? 'A → B' : 'B → A',
    row.name,
    String(row.step),
    c ? c.l1.toFixed(4) : '–',
    c ? c.psnr.toFixed(2) : '–',
    c ? c.ssim.toFixed(4) : '–',
    k ? `${k.kid.toFixed(2)} ± ${k.std.toFixed(2)}` : '–',
  ];
}

function table(rows: UnpairedEvalRow[], evaluation: UnpairedEvaluation): string {
  const header = ['direction', 'model', 'steps', 'L1 ↓', 'PSNR dB ↑', 'SSIM ↑', 'KID×1000 ↓'];
  const body = rows.map(cells);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cell) => cell[i]!.length)));
  const line = (cell: string[]) => cell.map((text, i) => (i < 2 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ');
  const lead =
    `${evaluation.images.a} images in testA, ${evaluation.images.b} in testB, ${evaluation.matched} with a counterpart of the same name` +
    (evaluation.features ? `; KID on ${evaluation.features} features (for comparing our own models, not the papers' tables)` : '');
  return [lead, line(header), ...body.map(line)].join('\n') + '\n';
}

export async function evalUnpaired(
  args: UnpairedEvalArgs,
  loaded: { model: InferenceModel<FamilyConfig>; family: AnyFamily; config: FamilyConfig; step: number },
  output: CommandOutput,
): Promise<number> {
  const [{ evaluateUnpaired }, { loadFeatureNetwork }] = await Promise.all([import('../engine/evaluation/unpaired.js'), import('../engine/evaluation/feature-network.js')]);
  const say = (text: string) => {
    if (!args.json) output.err(text);
  };
  const features = args.features === 'none' ? null : await loadFeatureNetwork(args.features);
  try {
    const options = {
      size: loaded.config.size,
      features,
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
      onProgress: (done: number, total: number) => {
        if (done === total || done % 50 === 0) say(`  ${done}/${total} images translated\n`);
      },
    };
    say(`scoring ${loaded.family.title} (step ${loaded.step}) on ${args.data} …\n`);
    const trained = await evaluateUnpaired(loaded.model, args.data, options);
    const rows: UnpairedEvalRow[] = [];
    const add = (name: string, step: number, evaluation: UnpairedEvaluation, source: 'model' | 'identity') => {
      for (const direction of ['AtoB', 'BtoA'] as const) rows.push({ direction, name, step, ...evaluation[source][direction] });
    };
    add('trained', loaded.step, trained, 'model');
    add('identity (input as is)', 0, trained, 'identity');
    if (args.baselines) {
      say('scoring the untrained model of the same settings …\n');
      const untrained = (await loaded.family.loadModel()).buildInference(loaded.config);
      try {
        add('untrained', 0, await evaluateUnpaired(untrained, args.data, options), 'model');
      } finally {
        untrained.dispose();
      }
    }
    rows.sort((x, y) => (x.direction === y.direction ? 0 : x.direction === 'AtoB' ? -1 : 1));
    if (args.json) output.out(`${JSON.stringify({ model: args.model, data: args.data, images: trained.images, matched: trained.matched, features: trained.features, results: rows }, null, 2)}\n`);
    else output.out(table(rows, trained));
    return 0;
  } finally {
    features?.dispose();
  }
}
