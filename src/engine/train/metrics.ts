// What a training record measures besides loss and accuracy: per-layer gradient norms and isometry gaps.
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { isometryGapFromGram } from '../isometry';

/**
 * ln‖g‖_F of each gradient, as max|g|·‖g/max|g|‖ (tf.norm is slow on wasm and overflows float32 early). One read for all.
 * −Infinity for an all-zero gradient, NaN when it holds NaN.
 */
export function logFrobeniusNorms(tf: Tf, grads: Tensor[]): number[] {
  if (grads.length === 0) return [];
  const parts = tf.tidy(() => {
    const scales = grads.map((g) => tf.max(tf.abs(g)));
    const norms = grads.map((g, i) => tf.sqrt(tf.sum(tf.square(tf.div(g, tf.maximum(scales[i], Number.MIN_VALUE))))));
    return tf.stack([tf.stack(scales), tf.stack(norms)]);
  });
  const values = parts.dataSync();
  parts.dispose();
  const n = grads.length;
  return Array.from({ length: n }, (_, i) => {
    const scale = values[i];
    const rest = values[n + i];
    if (scale === 0) return -Infinity;
    return Math.log(scale) + Math.log(rest);
  });
}

/** φ of each sample-per-row matrix (rows are the samples: G = M·Mᵀ); null when its Gram is rank-deficient or not finite. */
export function rowIsometryGaps(tf: Tf, matrices: Tensor2D[]): (number | null)[] {
  return matrices.map((m) => {
    // An explicit transpose then a plain matmul: transposed matmuls are 10–20× slower on wasm.
    const gram = tf.tidy(() => tf.matMul(m, tf.transpose(m)));
    const data = gram.dataSync();
    gram.dispose();
    return isometryGapFromGram(data, m.shape[0]).gap;
  });
}

/** The weight layers whose isometry is tracked during training: up to `count` square W's around the middle of the network. */
export function middleLayers(squareIndices: number[], count: number): number[] {
  if (squareIndices.length <= count) return squareIndices;
  const mid = Math.floor(squareIndices.length / 2);
  const start = Math.max(0, Math.min(squareIndices.length - count, mid - Math.floor(count / 2)));
  return squareIndices.slice(start, start + count);
}

/** `count` layer indices spread evenly over 0..depth−1, first and last included. */
export function spreadLayers(depth: number, count: number): number[] {
  if (depth <= count) return Array.from({ length: depth }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < count; k++) out.add(Math.round((k * (depth - 1)) / (count - 1)));
  return [...out];
}
