// What a training record measures besides loss and accuracy: per-layer gradient norms and isometry gaps.
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { isometryGapFromGram } from '../isometry';

/**
 * The reductions behind ln‖g‖_F of each gradient, on the backend: [max|g| of each, then ‖g/max|g|‖_F of each] (2n values;
 * tf.norm is slow on wasm and overflows float32 early). Read them with the rest of a record, then `logNormsFromParts`.
 */
export function logNormParts(tf: Tf, grads: Tensor[]): Tensor1D {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.tensor1d([]);
    const scales = grads.map((g) => tf.max(tf.abs(g)));
    const norms = grads.map((g, i) => tf.sqrt(tf.sum(tf.square(tf.div(g, tf.maximum(scales[i], Number.MIN_VALUE))))));
    return tf.concat([tf.stack(scales), tf.stack(norms)]) as Tensor1D;
  });
}

/** ln‖g‖_F = ln max|g| + ln‖g/max|g|‖ from `logNormParts`' values: −Infinity for an all-zero gradient, NaN when it holds NaN. */
export function logNormsFromParts(values: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const scale = values[i];
    const rest = values[n + i];
    if (scale === 0) return -Infinity;
    return Math.log(scale) + Math.log(rest);
  });
}

/** ln‖g‖_F of each gradient, in one awaited read. */
export async function logFrobeniusNorms(tf: Tf, grads: Tensor[]): Promise<number[]> {
  if (grads.length === 0) return [];
  const parts = logNormParts(tf, grads);
  try {
    return logNormsFromParts(await parts.data(), grads.length);
  } finally {
    parts.dispose();
  }
}

/** The Grams M·Mᵀ of sample-per-row matrices (rows are the samples), flattened and concatenated: Σ rows² values. */
export function rowGrams(tf: Tf, matrices: Tensor2D[]): Tensor1D {
  return tf.tidy(() => {
    if (matrices.length === 0) return tf.tensor1d([]);
    // An explicit transpose then a plain matmul: transposed matmuls are 10–20× slower on wasm.
    return tf.concat(matrices.map((m) => tf.reshape(tf.matMul(m, tf.transpose(m)), [-1]))) as Tensor1D;
  });
}

/** φ of each matrix from `rowGrams`' values (`rows`: each matrix's row count); null when rank-deficient or not finite. */
export function gapsFromGrams(values: ArrayLike<number>, rows: readonly number[]): (number | null)[] {
  let offset = 0;
  return rows.map((n) => {
    const gram = sliceOf(values, offset, n * n);
    offset += n * n;
    return isometryGapFromGram(gram, n).gap;
  });
}

/** φ of each sample-per-row matrix, in one awaited read. */
export async function rowIsometryGaps(tf: Tf, matrices: Tensor2D[]): Promise<(number | null)[]> {
  if (matrices.length === 0) return [];
  const grams = rowGrams(tf, matrices);
  try {
    return gapsFromGrams(await grams.data(), matrices.map((m) => m.shape[0]));
  } finally {
    grams.dispose();
  }
}

/** values[offset, offset + length) without a copy where the values are a typed array. */
export function sliceOf(values: ArrayLike<number>, offset: number, length: number): ArrayLike<number> {
  if (ArrayBuffer.isView(values)) return (values as unknown as Float32Array).subarray(offset, offset + length);
  return Array.prototype.slice.call(values, offset, offset + length) as number[];
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
