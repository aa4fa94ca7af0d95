import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Three builds: the Electron main process (thin shell around the engine), the
// sandboxed preload (must be CommonJS: sandboxed preloads cannot be ESM), and
// the Svelte renderer, which `ganvas serve` also serves to a browser.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // Worker threads, job kinds and the SVG renderer process load by file URL at run time, so each
        // is its own entry (the job kind list in src/main/engine/jobs/kinds/index.ts names them).
        input: {
          index: resolve('src/main/app/main.ts'),
          'job-worker': resolve('src/main/engine/jobs/job-worker.ts'),
          'inference-worker': resolve('src/main/engine/inference/inference-worker.ts'),
          'svg-render-process': resolve('src/main/engine/image/svg-render-process.ts'),
          'job-kinds/train': resolve('src/main/engine/jobs/kinds/train.ts'),
          'job-kinds/translate-folder': resolve('src/main/engine/jobs/kinds/translate-folder.ts'),
          'job-kinds/upscale': resolve('src/main/engine/jobs/kinds/upscale.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
    resolve: { alias: { $shared: resolve('src/shared') } },
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
