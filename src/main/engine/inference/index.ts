/**
 * Translating images with a model. The service (main thread, no tfjs) hands
 * requests to the inference worker; translateImage/translateFolder are the
 * in-thread code the worker, the folder job and the CLI share.
 */
export { createInferenceService, inferenceWorkerEntry } from './inference-service.js';
export type { InferenceService, InferenceServiceOptions, InferenceStats, TranslateResult } from './inference-service.js';
