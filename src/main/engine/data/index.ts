/**
 * Dataset readers over user folders. Every dataset streams from disk (only the
 * batches being prepared are in memory), reports problems as `warnings`, and
 * gives the batch of step t as a pure function of (seed, t, batch size), so a
 * resumed run sees the same data. Batch tensors belong to the caller: dispose them.
 */
export { openPairedDataset } from './paired.js';
export type { PairedDataset, PairedBatch, PairedOptions, ImagePair } from './paired.js';
export { openUnpairedDataset } from './unpaired.js';
export type { UnpairedDataset, UnpairedBatch, UnpairedOptions } from './unpaired.js';
export { openDomainDataset } from './domains.js';
export type { DomainDataset, DomainBatch, DomainOptions } from './domains.js';
export { openHighResDataset } from './high-res.js';
export type { HighResDataset, HighResBatch, HighResOptions } from './high-res.js';
export { bicubicShrink, defaultDegradationMix, degradationAt, degradationMixOf, gaussianBlur, jpegRoundTrip, makeLowRes, DegradationError } from './sr-degradation.js';
export type { SrDegradation, SrDegradationMix } from './sr-degradation.js';
export type { TrainingCropOptions } from './training-crop.js';
export type { BatchSource } from './batch-stream.js';
export { defaultLoadSize } from './augment.js';
export { DatasetError } from './dataset-error.js';
export { listImages, imageExtensions } from './image-files.js';
export type { ImageListing } from './image-files.js';
