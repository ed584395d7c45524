// The layout of several seeds in one diagnostic pass (./pass): seed s's d×n representation is rows s·d..(s+1)·d−1 of one
// [S·d, n] tensor, so batch norm, the activation and the residual add act on all seeds at once unchanged (per row or per
// element), a dense layer is one batched product over the seeds' own weights ([S, d_out, d_in] × [S, d_in, n]), and the
// Grams one batched product ([S, n, d] × [S, d, n]); a layer norm and the backward rescale take their statistics per seed
// (./ops). Here: the stacked input, the per-seed loss and its gradient, and the per-seed activation statistics.
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import type { Activation, LossKind } from '../spec/types';
import { unhealthyFraction } from './activations';
import type { Tf } from './backend';

/** The seeds' batches (row-major [n][features] each) as one [S·features, n] float32 matrix: each batch transposed, stacked. */
export function stackedInput(xs: readonly Float64Array[], n: number, features: number): Float32Array {
  const out = new Float32Array(xs.length * features * n);
  xs.forEach((x, s) => {
    if (x.length !== n * features) throw new Error(`seed ${s}'s batch has ${x.length} values, expected ${n}×${features}`);
    const base = s * features * n;
    for (let j = 0; j < n; j++) for (let f = 0; f < features; f++) out[base + f * n + j] = x[j * features + f];
  });
  return out;
}

/** The seeds' readouts (classes × width each) as [S, classes, width] and its transpose [S, width, classes]. */
export function stackedReadout(tf: Tf, readouts: readonly Float64Array[], classes: number, width: number): [Tensor3D, Tensor3D] {
  const values = new Float32Array(readouts.length * classes * width);
  readouts.forEach((r, s) => values.set(r, s * classes * width));
  const readout = tf.tensor3d(values, [readouts.length, classes, width]);
  return [readout, tf.transpose(readout, [0, 2, 1])];
}

export interface LossInput {
  /** All seeds' labels, seed after seed (S·n). */
  labels: Int32Array;
  n: number;
  classes: number;
  loss: LossKind;
}

/**
 * Each seed's loss at its last representation x ([S·d, n]) and its gradient there: the losses as [S], the gradients stacked
 * as x is. Runs once per pass, so JS-number operands cost nothing that matters.
 */
export function lossAndGradient(tf: Tf, x: Tensor2D, readout: Tensor3D, readoutT: Tensor3D, input: LossInput): { loss: Tensor; dx: Tensor2D } {
  const seeds = readout.shape[0];
  const { n, classes } = input;
  const [loss, dx] = tf.tidy(() => {
    const logits = tf.matMul(readout, tf.reshape(x, [seeds, -1, n]) as Tensor3D); // S × classes × n
    const onehot = tf.tensor3d(oneHotColumns(input.labels, seeds, classes, n), [seeds, classes, n]);
    let loss: Tensor;
    let dlogits: Tensor;
    if (input.loss === 'cross-entropy') {
      // mean over samples of −log softmax(logits_j)[y_j]
      const logp = tf.logSoftmax(tf.transpose(logits, [0, 2, 1])); // S × n × classes
      loss = tf.neg(tf.div(tf.sum(tf.mul(tf.transpose(onehot, [0, 2, 1]), logp), [1, 2]), n));
      dlogits = tf.div(tf.sub(tf.transpose(tf.exp(logp), [0, 2, 1]), onehot), n);
    } else {
      // mean over all classes × samples of (logit − one-hot)²
      const diff = tf.sub(logits, onehot);
      loss = tf.mean(tf.square(diff), [1, 2]);
      dlogits = tf.mul(diff, 2 / (n * classes));
    }
    return [loss, tf.reshape(tf.matMul(readoutT, dlogits as Tensor3D), x.shape)] as [Tensor, Tensor2D];
  });
  return { loss, dx };
}

/**
 * The labels as one-hot columns, [S, classes, n], made on the host: tfjs-backend-webgpu 4.22 transposes a float tensor cast
 * from oneHot's int32 output with an int32 shader (a WGSL type error, and zeros).
 */
function oneHotColumns(labels: Int32Array, seeds: number, classes: number, n: number): Float32Array {
  const values = new Float32Array(seeds * classes * n);
  for (let s = 0; s < seeds; s++) {
    for (let j = 0; j < n; j++) {
      const label = labels[s * n + j];
      if (label >= 0 && label < classes) values[(s * classes + label) * n + j] = 1;
    }
  }
  return values;
}

/**
 * Mean, RMS and the saturated/dead fraction of each seed's block of `out` ([S·d, n]), as [S, 3]; `fn` null (or one that
 * cannot saturate) reports a zero fraction.
 */
export function seedActivationStats(tf: Tf, fn: Activation | null, out: Tensor2D, seeds: number): Tensor {
  return tf.tidy(() => {
    const rows = tf.reshape(out, [seeds, -1]);
    const unhealthy = fn ? unhealthyFraction(tf, fn, out, seeds) : null;
    return tf.stack([tf.mean(rows, 1), tf.sqrt(tf.mean(tf.square(rows), 1)), unhealthy ?? tf.zeros([seeds])], 1);
  });
}
