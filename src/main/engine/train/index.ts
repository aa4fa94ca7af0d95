/** Training: the generic loop, checkpoints, schedules, loss history and sample grids. */
export { train, sampleFileName, type TrainOptions, type TrainProgress, type TrainResult, type TrainingData } from './train.js';
export {
  saveCheckpoint,
  readCheckpoint,
  hasCheckpoint,
  restoreCheckpoint,
  loadCheckpoint,
  describeArchitectureMismatch,
  describeWeightMismatches,
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointManifest,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  type StoredCheckpoint,
} from './checkpoint.js';
export { decayStart, learningRateFactor, learningRatesAt, setLearningRate } from './learning-rate.js';
export { readLossHistory, type LossEntry } from './loss-history.js';
export { sampleGrid, writeRgbPng, type RgbImage } from './sample-grid.js';
