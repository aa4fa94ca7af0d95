/**
 * The scaffolding of a GAN training step that every family shares: run one
 * optimizer on a loss over some networks' trainable variables, keep the
 * tensors that must outlive the gradient scope (a generated batch, the named
 * loss terms for the dashboard), read the named losses once at the end, and
 * free everything, whatever happens in between.
 *
 *   const step = new TrainingStep();
 *   try {
 *     const fake = step.keep(tf.tidy(() => G.apply(x) as tf.Tensor4D));
 *     step.minimize(optimizers.D, [D], (record) => { …; record('D_real', real); return loss; });
 *     step.minimize(optimizers.G, [G], (record) => …);
 *     return await step.losses(['G_GAN', 'G_L1', 'D_real', 'D_fake']);
 *   } finally {
 *     step.dispose();
 *   }
 *
 * Losses a step did not compute (e.g. D's in a content-only phase) read 0.
 */
import * as tf from '@tensorflow/tfjs';

/** Records a named loss term (a copy is kept; the term itself stays in the gradient scope). */
export type RecordLoss = (name: string, value: tf.Scalar) => void;

/** The trainable variables of networks, in a fixed order (Adam pairs its state with gradients by position). */
export function trainableVariables(networks: readonly tf.LayersModel[]): tf.Variable[] {
  return networks.flatMap((network) => network.trainableWeights.map((weight) => weight.read() as tf.Variable));
}

export class TrainingStep {
  private readonly kept: tf.Tensor[] = [];
  private readonly recorded = new Map<string, tf.Scalar>();

  /** Keeps `tensor` past the tidy or gradient scope it was made in, until `dispose`. */
  keep<T extends tf.Tensor>(tensor: T): T {
    this.kept.push(tf.keep(tensor));
    return tensor;
  }

  /**
   * One optimizer update of `networks` on the loss `loss` returns (which may
   * record named terms along the way). The gradients and the loss value are
   * freed here.
   */
  minimize(optimizer: tf.Optimizer, networks: readonly tf.LayersModel[], loss: (record: RecordLoss) => tf.Scalar): void {
    const record: RecordLoss = (name, value) => {
      const copy = tf.keep(tf.clone(value));
      this.recorded.get(name)?.dispose();
      this.recorded.set(name, copy);
    };
    const { value, grads } = tf.variableGrads(() => loss(record), trainableVariables(networks));
    try {
      optimizer.applyGradients(grads);
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  /** Records a loss computed outside `minimize` (e.g. a term shown but not optimised). */
  record(name: string, value: tf.Scalar): void {
    this.recorded.get(name)?.dispose();
    this.recorded.set(name, tf.keep(tf.clone(value)));
  }

  /** The recorded losses by name, read from the backend in one transfer; unrecorded names read 0. */
  async losses(names: readonly string[]): Promise<Record<string, number>> {
    const present = names.filter((name) => this.recorded.has(name));
    const numbers = present.length === 0 ? [] : await readAll(present.map((name) => this.recorded.get(name)!));
    const byName = new Map(present.map((name, i) => [name, numbers[i]!]));
    // Non-finite values are returned as they are: the trainer stops and reports them.
    return Object.fromEntries(names.map((name) => [name, byName.get(name) ?? 0]));
  }

  dispose(): void {
    tf.dispose(this.kept);
    this.kept.length = 0;
    tf.dispose([...this.recorded.values()]);
    this.recorded.clear();
  }
}

async function readAll(scalars: tf.Scalar[]): Promise<number[]> {
  const stacked = tf.tidy(() => tf.stack(scalars));
  try {
    return Array.from(await stacked.data());
  } finally {
    stacked.dispose();
  }
}
