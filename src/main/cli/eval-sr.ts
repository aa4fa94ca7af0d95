// `ganvas eval-sr`: how much better than bicubic are the installed upscalers
// on your photos? PSNR/SSIM on Y, border cropped by the scale (see
// engine/upscale/metrics.ts). Exit codes: 0 done, 1 failed, 2 usage error.
import { parseArgs } from 'node:util';
import type { EvalDegradation } from '../engine/upscale/index.js';

export const evalSrHelp = `Usage: ganvas eval-sr --data DIR [--scale 2|3|4] [--models A,B] [--max-images N]
                      [--crop-size N] [--crop center|detailed] [--crops N] [--data-dir DIR]
                      [--degrade clean,jpeg,blur] [--json]

Shrinks a crop of each high-resolution photo in DIR by bicubic, upscales it
back with each model and with bicubic, and reports PSNR and SSIM on the luma
channel (BT.601), border cropped by the scale, as SR papers do, and detail:
the result's edge energy over the original's (1 = as much detail; pixel-loss
models stay below 1, GAN-trained ones come closer; read it beside PSNR). With
--degrade, the shrunk crop is also made as photos usually are (compressed,
or soft) and every method is scored on each kind of input.

Options:
  --data DIR        folder of high-resolution photos (required)
  --scale N         2, 3 or 4 (default 4)
  --models A,B      model ids (default: every installed model of that scale):
                    esrgan-slim-x4, slim, or an SRGAN model's bundled:NAME / user:NAME
  --data-dir DIR    the data folder whose models/ and runs/ hold user:NAME and run:NAME
                    (default: GANVAS_DATA_DIR or the usual place)
  --max-images N    at most N photos, in name order (default 10)
  --crop-size N     side of the square crop in pixels (default 192)
  --crops N         with --crop detailed: the N most textured grid cells of each photo (default 1)
  --crop MODE       center, or detailed: the most textured crop (default detailed)
  --degrade LIST    inputs to score on, comma-separated (default clean):
                      clean  bicubic downscale only
                      jpeg   bicubic downscale, then JPEG quality 75
                      blur   Gaussian blur σ 0.8 low-resolution px (σ × scale
                             px of the photo) before the bicubic downscale
  --json            print the full report as JSON
`;

export async function evalSrCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
        scale: { type: 'string' },
        models: { type: 'string' },
        'max-images': { type: 'string' },
        'crop-size': { type: 'string' },
        crops: { type: 'string' },
        crop: { type: 'string' },
        degrade: { type: 'string' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`ganvas eval-sr: ${(error as Error).message}\n\n${evalSrHelp}`);
    return 2;
  }
  if (values.help) {
    console.log(evalSrHelp);
    return 0;
  }
  const usage = (message: string) => {
    console.error(`ganvas eval-sr: ${message}\n\n${evalSrHelp}`);
    return 2;
  };
  if (!values.data) return usage('--data DIR is required');
  const scale = Number(values.scale ?? 4);
  if (![2, 3, 4].includes(scale)) return usage(`--scale must be 2, 3 or 4, got "${values.scale}"`);
  const maxImages = Number(values['max-images'] ?? 10);
  const cropSize = Number(values['crop-size'] ?? 192);
  if (!Number.isInteger(maxImages) || maxImages < 1) return usage(`--max-images must be a positive whole number, got "${values['max-images']}"`);
  if (!Number.isInteger(cropSize) || cropSize < 32) return usage(`--crop-size must be a whole number ≥ 32, got "${values['crop-size']}"`);
  const crops = Number(values.crops ?? 1);
  if (!Number.isInteger(crops) || crops < 1) return usage(`--crops must be a positive whole number, got "${values.crops}"`);
  const crop = values.crop ?? 'detailed';
  if (crop !== 'center' && crop !== 'detailed') return usage(`--crop must be center or detailed, got "${crop}"`);
  if (crops > 1 && crop === 'center') return usage('--crops above 1 needs --crop detailed (the centre is one crop)');
  const engine = await import('../engine/upscale/index.js');
  const degradations = (values.degrade ?? 'clean').split(',').map((d) => d.trim()).filter(Boolean);
  const unknown = degradations.filter((d) => !(engine.evalDegradationNames as string[]).includes(d));
  if (degradations.length === 0 || unknown.length > 0) {
    return usage(`--degrade takes ${engine.evalDegradationNames.join(', ')} (comma-separated), got "${values.degrade}"`);
  }
  if (new Set(degradations).size !== degradations.length) return usage(`--degrade lists a degradation twice: "${values.degrade}"`);
  const { resolveDataDir } = await import('../engine/data-dir.js');
  const folders = { dataDir: resolveDataDir(values['data-dir']) };
  const models = values.models?.split(',').map((m) => m.trim()).filter(Boolean);
  try {
    for (const id of models ?? []) engine.chooseUpscaleModel({ model: id, scale }, folders);
  } catch (error) {
    return usage((error as Error).message);
  }
  const { initBackend } = await import('../engine/backend/index.js');
  await initBackend();
  try {
    const report = await engine.evaluateUpscalers(values.data, {
      scale,
      models,
      maxImages,
      cropSize,
      crop,
      crops,
      degradations: degradations as EvalDegradation[],
      folders,
      onImage: (done, total, file) => file && process.stderr.write(`[${done + 1}/${total}] ${file}\n`),
    });
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(`×${scale}, ${report.images.length} ${crops > 1 ? 'crops' : 'photos'}, ${report.cropSize}×${report.cropSize} crops (${crop}), Y channel, border ${scale} px`);
      for (const degradation of report.degradations) {
        const rows = report.summary.filter((s) => s.degradation === degradation.name);
        const bicubic = rows.find((s) => s.method === 'bicubic')!;
        const settings = degradation.jpegQuality !== undefined ? `, JPEG quality ${degradation.jpegQuality}` : degradation.blurSigma !== undefined ? `, blur σ ${degradation.blurSigma} LR px` : '';
        console.log(`\ninput: ${degradation.name}${settings}`);
        console.log(`${'method'.padEnd(20)} ${'PSNR dB'.padStart(8)} ${'vs bicubic'.padStart(10)} ${'SSIM'.padStart(7)} ${'detail'.padStart(7)}`);
        for (const s of rows) {
          const gain = s.psnr - bicubic.psnr;
          console.log(`${s.method.padEnd(20)} ${s.psnr.toFixed(2).padStart(8)} ${(s === bicubic ? '' : `${gain >= 0 ? '+' : ''}${gain.toFixed(2)}`).padStart(10)} ${s.ssim.toFixed(4).padStart(7)} ${s.detail.toFixed(3).padStart(7)}`);
        }
      }
    }
    for (const f of report.failures) console.error(`skipped: ${f.reason}`);
    return report.images.length > 0 ? 0 : 1;
  } catch (error) {
    console.error(`ganvas eval-sr: ${(error as Error).message}`);
    return 1;
  }
}
