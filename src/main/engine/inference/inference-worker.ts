/**
 * The inference worker: a long-lived thread that owns its own tfjs, separate
 * from the job worker, so translating a doodle never waits behind training.
 * It serves one request at a time, in the order the service sends them.
 *
 * Built as its own entry (`out/main/inference-worker.js`); see worker-entry.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendReport } from '../backend/index.js';
import { ImageDecodeError } from '../image/index.js';
import { UserFacingError } from '../errors.js';
import { createModelCatalogue } from '../models/catalogue.js';
import { ModelCache } from './model-cache.js';
import { parseFamilyConfig } from '../gans/family.js';
import { getFamily } from '../gans/registry.js';
import { measureTrainingStep } from '../train/step-estimate.js';
import type { EstimateReply, FromInferenceWorker, InferenceStats, InferenceWorkerSetup, ToInferenceWorker, TranslateReply } from './inference-protocol.js';
import { encodeImage } from '../image/index.js';
import { chooseUpscaleModel, loadUpscaleModel, tileLayoutFor, upscaleImage } from '../upscale/index.js';
import { enlargeOption } from './inference-options.js';
import { translateImage } from './translate-image.js';

function serve(port: NonNullable<typeof parentPort>, setup: InferenceWorkerSetup): void {
  const catalogue = createModelCatalogue({ dataDir: setup.dataDir, ...(setup.bundledDir ? { bundledDir: setup.bundledDir } : {}) });
  const cache = new ModelCache(setup.cacheSize);
  let backend: Promise<BackendReport> | null = null;
  let served = 0;
  const ready = () => (backend ??= initBackend(setup.backend ? { prefer: setup.backend } : {}));

  async function translate(message: Extract<ToInferenceWorker, { type: 'translate' }>): Promise<TranslateReply> {
    await ready();
    const location = await catalogue.resolve(message.modelId);
    const translator = await cache.get(location);
    const image = Buffer.from(message.image.buffer, message.image.byteOffset, message.image.byteLength);
    let enlarge: 2 | 4 | undefined;
    try {
      enlarge = enlargeOption(message.options);
    } catch (error) {
      throw new UserFacingError('invalid_request', (error as Error).message);
    }
    const result = await translateImage(translator, image, message.options, 'the image');
    served += 1;
    if (enlarge !== undefined) {
      // The network's own result, enlarged by the pretrained upscaler (not the input's size: a crisp view of the model's pixels).
      const started = performance.now();
      const upscaler = await loadUpscaleModel(chooseUpscaleModel({ model: 'slim', scale: enlarge }));
      const large = await upscaleImage(result.network, upscaler, tileLayoutFor(upscaler));
      const png = await encodeImage(large, 'png');
      const note = `the ${result.network.width}×${result.network.height} result was enlarged ×${enlarge} with ESRGAN slim in ${Math.round(performance.now() - started)} ms`;
      return { image: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width: large.width, height: large.height, ms: result.ms, resizedNote: note };
    }
    const png = await result.encode('png');
    return { image: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width: result.width, height: result.height, ms: result.ms, resizedNote: result.resized?.note ?? null };
  }

  function stats(): InferenceStats {
    const memory = tf.memory();
    return { numTensors: memory.numTensors, numBytes: memory.numBytes, cachedModels: cache.ids(), served };
  }

  async function handle(message: ToInferenceWorker): Promise<void> {
    const reply = (value: TranslateReply | BackendReport | InferenceStats | EstimateReply, transfer: ArrayBuffer[] = []) =>
      port.postMessage({ type: 'reply', requestId: message.requestId, ok: true, value } satisfies FromInferenceWorker, transfer);
    try {
      switch (message.type) {
        case 'translate': {
          const value = await translate(message);
          reply(value, [value.image.buffer as ArrayBuffer]);
          return;
        }
        case 'backend':
          reply(await ready());
          return;
        case 'estimate': {
          const report = await ready();
          const family = getFamily(message.family);
          const measured = await measureTrainingStep(family, parseFamilyConfig(family, message.config));
          reply({ ...measured, backend: report.active });
          return;
        }
        case 'stats':
          reply(stats());
          return;
      }
    } catch (error) {
      const userFacing = error instanceof UserFacingError || error instanceof ImageDecodeError;
      const code = error instanceof UserFacingError ? error.code : error instanceof ImageDecodeError ? 'invalid_request' : 'failed';
      const text = error instanceof Error ? error.message : String(error);
      port.postMessage({ type: 'reply', requestId: message.requestId, ok: false, error: { code, message: text, userFacing } } satisfies FromInferenceWorker);
    }
  }

  // The service sends one request at a time, but a chain keeps the order even if it did not.
  let chain = Promise.resolve();
  port.on('message', (message: ToInferenceWorker) => {
    chain = chain.then(() => handle(message));
  });
}

if (parentPort) serve(parentPort, workerData as InferenceWorkerSetup);
