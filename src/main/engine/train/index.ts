/** Training: the generic loop, its one entry for the CLI and jobs, checkpoints, schedules, loss history and sample grids. */
export { train, sampleFileName, type TrainOptions, type TrainProgress, type TrainResult, type TrainingData } from './train.js';
export { runTraining, type TrainingRunRequest, type TrainingRunStart } from './run.js';
export {
  saveCheckpoint,
  readCheckpoint,
  hasCheckpoint,
  restoreCheckpoint,
  loadCheckpoint,
  loadCheckpointForInference,
  describeWeightMismatches,
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointManifest,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  type LoadedInferenceCheckpoint,
  type StoredCheckpoint,
} from './checkpoint/index.js';
export { describeArchitectureMismatch, resolveRunConfig } from './run-config.js';
export { decayStart, learningRateFactor, learningRatesAt, setLearningRate } from './learning-rate.js';
export { readLossHistory, type LossEntry } from './loss-history.js';
export { sampleGrid, writeRgbPng, type RgbImage } from './sample-grid.js';
