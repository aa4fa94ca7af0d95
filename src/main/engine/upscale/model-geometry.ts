import type * as tf from '@tensorflow/tfjs';

interface GraphLayer {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  inboundNodes: { inboundLayers: GraphLayer[] }[];
}

function pair(value: unknown): [number, number] {
  if (Array.isArray(value)) return [Number(value[0] ?? 1), Number(value[1] ?? value[0] ?? 1)];
  return [Number(value ?? 1), Number(value ?? 1)];
}

/**
 * The receptive-field radius of a fully convolutional model, in input pixels,
 * rounded up: each k×k convolution (dilation d) widens it by d·(k−1)/2 pixels
 * of the resolution it runs at; after upsampling by s a pixel counts 1/s input
 * pixels. Nearest upsampling and pixel shuffle read one input pixel and add nothing;
 * a bicubic upsampling reads 2 pixels either side.
 */
export function receptiveRadius(model: tf.LayersModel): number {
  return walk(model).radius;
}

/**
 * Float32 bytes per input pixel of the largest feature map (channels × the
 * resolution it runs at): slim/medium upsample 48 channels by nearest
 * neighbour before their last convolution, so at ×4 that map alone is
 * 16 × 48 × 4 bytes per input pixel.
 */
export function largestMapBytesPerInputPixel(model: tf.LayersModel): number {
  return walk(model).largestMap;
}

function walk(model: tf.LayersModel): { radius: number; largestMap: number } {
  const state = new Map<string, { radius: number; scale: number }>();
  let largestMap = 0;
  for (const layer of model.layers as unknown as GraphLayer[]) {
    const inbound = layer.inboundNodes.flatMap((node) => node.inboundLayers);
    let radius = 0;
    let scale = 1;
    for (const source of inbound) {
      const s = state.get(source.name);
      if (!s) continue;
      radius = Math.max(radius, s.radius);
      scale = Math.max(scale, s.scale);
    }
    const kind = layer.getClassName();
    const config = layer.getConfig();
    if (kind === 'Conv2D' || kind === 'DepthwiseConv2D' || kind === 'SeparableConv2D') {
      const [kh, kw] = pair(config['kernelSize']);
      const [dh, dw] = pair(config['dilationRate']);
      radius += Math.max((dh * (kh - 1)) / 2, (dw * (kw - 1)) / 2) / scale;
    } else if (kind === 'UpSampling2D') {
      scale *= pair(config['size'])[0];
    } else if (/^PixelShuffle(\d+)x$/.test(kind)) {
      scale *= Number(/^PixelShuffle(\d+)x$/.exec(kind)![1]);
    } else if (kind === 'GanvasPixelShuffle') {
      scale *= Number(config['scale'] ?? 1);
    } else if (kind === 'GanvasBicubicUpsample') {
      // Keys' cubic reads 2 input pixels either side (SRGAN's image skip).
      radius += 2 / scale;
      scale *= Number(config['scale'] ?? 1);
    }
    state.set(layer.name, { radius, scale });
    const shape = (layer as unknown as { outputShape: (number | null)[] }).outputShape;
    const channels = Array.isArray(shape) ? Number(shape[shape.length - 1] ?? 0) : 0;
    largestMap = Math.max(largestMap, 4 * channels * scale * scale);
  }
  const out = model.outputs.map((o) => state.get(o.sourceLayer.name)?.radius ?? 0);
  return { radius: Math.ceil(Math.max(0, ...out)), largestMap };
}
