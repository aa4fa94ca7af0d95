/** Network building blocks shared by the GAN families. Importing registers them for (de)serialisation. */
export { InstanceNorm, instanceNorm, type InstanceNormArgs } from './instance-norm.js';
export { ReflectionPad2D, reflectionPad2D, type ReflectionPad2DArgs, type Padding2D } from './reflection-pad.js';
export { PixelShuffle, pixelShuffle, type PixelShuffleArgs } from './pixel-shuffle.js';
export { SeededDropout, reseedDropout, type SeededDropoutArgs } from './seeded-dropout.js';
export { createWeightInit, type WeightInit, type Initializer } from './weight-init.js';
export { InputResidual } from './input-residual.js';
