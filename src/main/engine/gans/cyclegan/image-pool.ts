/**
 * The image pool of CycleGAN (Zhu et al. 2017, section 4, after Shrivastava
 * et al. 2017): each discriminator learns from a history of generated images
 * rather than only the newest, which damps oscillation. For every generated
 * image: while the pool holds fewer than `size`, the image goes in and is
 * used as it is; once full, with probability ½ a random stored image is used
 * instead and the new one takes its place. (junyanz's ImagePool does the
 * same.)
 *
 * The random choices come from (seed, step, side), so a resumed run picks
 * exactly as an unbroken one; the stored images are training state that
 * checkpoints carry (see GanModel.trainingState).
 */
import * as tf from '@tensorflow/tfjs';
import { SeededRandom, seedFor } from '../../random.js';

export class ImagePool {
  private images: tf.Tensor3D[] = [];

  constructor(
    readonly size: number,
    /** Names the pool in seeds and checkpoints, e.g. 'A'. */
    readonly side: string,
  ) {}

  get count(): number {
    return this.images.length;
  }

  /**
   * The images a discriminator judges for this batch of generated ones
   * ([n, h, w, c]); a new tensor the caller disposes. Stores copies.
   */
  query(generated: tf.Tensor4D, seed: number, step: number): tf.Tensor4D {
    if (this.size === 0) return generated.clone();
    const random = new SeededRandom(seedFor(seed, 'image-pool', this.side, step));
    const [n] = generated.shape;
    const chosen: tf.Tensor3D[] = [];
    const made: tf.Tensor3D[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const image = tf.tidy(() => tf.squeeze(tf.slice(generated, [i, 0, 0, 0], [1, -1, -1, -1]), [0]) as tf.Tensor3D);
        made.push(image);
        if (this.images.length < this.size) {
          this.images.push(tf.keep(image.clone()));
          chosen.push(image);
        } else if (random.next() > 0.5) {
          const slot = random.int(this.size);
          const old = this.images[slot]!;
          chosen.push(old);
          made.push(old); // freed below, after stacking: it leaves the pool
          this.images[slot] = tf.keep(image.clone());
        } else {
          chosen.push(image);
        }
      }
      return tf.stack(chosen) as tf.Tensor4D;
    } finally {
      tf.dispose(made);
    }
  }

  /** The stored images, for a checkpoint (read, not taken). */
  stored(): readonly tf.Tensor3D[] {
    return this.images;
  }

  /** Puts back stored images from a checkpoint; takes ownership of them. */
  restore(images: tf.Tensor3D[]): void {
    this.clear();
    this.images = images.slice(0, this.size).map((image) => tf.keep(image));
    tf.dispose(images.slice(this.size));
  }

  clear(): void {
    tf.dispose(this.images);
    this.images = [];
  }
}
