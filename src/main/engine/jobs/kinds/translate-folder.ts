/**
 * Job kind `translate-folder`: every image of a folder through a model, in
 * the job worker. Resumable: finished files are in the job's journal, so a
 * retried job skips them.
 *
 * Saving to the gallery: the job opens the gallery itself in the worker
 * (SQLite in WAL mode takes writers from several threads; the repair lock
 * stays with the main thread). Sending every image back to the main thread
 * instead would copy each one through postMessage for no gain. The new item
 * ids are in the result, so the main thread can announce `gallery.changed`
 * when the job finishes.
 */
import { TranslateFolderParams } from './translate-folder-params.js';
import { defineJobKind } from '../job-kind.js';
import { initBackend } from '../../backend/index.js';
import { openGallery, type Gallery } from '../../gallery/index.js';
import { createModelCatalogue, locateModelFolder } from '../../models/catalogue.js';
import { loadTranslator } from '../../models/load-translator.js';
import { translateFolder, type FolderTranslationResult } from '../../inference/translate-folder.js';

// The params live in a module without tfjs, so the main thread checks requests with the same schema.
export { TranslateFolderParams } from './translate-folder-params.js';

export interface TranslateFolderJobResult extends FolderTranslationResult {
  modelId: string;
  galleryItemIds: number[];
}

export const translateFolderJob = defineJobKind({
  kind: 'translate-folder',
  params: TranslateFolderParams,
  async run(params, ctx): Promise<TranslateFolderJobResult> {
    await initBackend();
    const catalogue = createModelCatalogue({ dataDir: ctx.dataDir });
    // A catalogue id, or (from the CLI or a power user) a model or run folder.
    const location = /^(bundled|user|run|npm):/.test(params.modelId) ? await catalogue.resolve(params.modelId) : await locateModelFolder(params.modelId);
    const translator = await loadTranslator(location);
    if (translator.notice) ctx.log(translator.notice);
    let gallery: Gallery | null = null;
    const galleryItemIds: number[] = [];
    const started = Date.now();
    try {
      if (params.saveToGallery) gallery = openGallery({ dataDir: ctx.dataDir });
      const result = await translateFolder({
        translator,
        inputDir: params.inputDir,
        outputDir: params.outputDir,
        options: params.options ?? {},
        journal: ctx.journal,
        beforeImage: () => ctx.waitIfPaused(),
        onProgress: ({ done, total, file }) => ctx.progress({ done, total, unit: 'image', ...(file ? { message: file } : {}) }),
        onTranslated: async ({ file, input, output, ms }) => {
          if (!gallery) return;
          const item = await gallery.addItem({
            kind: 'translate',
            title: file,
            input,
            output,
            modelId: location.id,
            settings: { ...(params.options ?? {}), inputDir: params.inputDir, outputDir: params.outputDir },
            timings: { inference: Math.round(ms) },
          });
          galleryItemIds.push(item.id);
        },
      });
      for (const failure of result.failed) ctx.log(`${failure.file}: ${failure.reason}`);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      ctx.log(
        `${result.translated} translated, ${result.failed.length} failed${result.skipped ? `, ${result.skipped} done earlier` : ''}` +
          `${result.resized ? `; ${result.resized} resized to ${translator.size}×${translator.size} px for the model and back` : ''} (${seconds} s)`,
      );
      return { ...result, modelId: location.id, galleryItemIds };
    } finally {
      gallery?.close();
      translator.dispose();
    }
  },
});
