// What a training record measures besides loss and accuracy: per-layer gradient norms and isometry gaps.
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { gapFromRepresentation } from '../blockGap';
import { isometryGapFromGram, isometryGapFromRepresentation } from '../isometry';

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

/**
 * What φ of each sample-per-row matrix M (n×d) is taken from, flattened and concatenated: M itself where n ≥ d/2 (its
 * values reduced in float64, ../blockGap), else its float32 Gram M·Mᵀ. gapsFromRowInputs reads them back.
 */
export function rowGapInputs(tf: Tf, matrices: Tensor2D[]): Tensor1D {
  return tf.tidy(() => {
    if (matrices.length === 0) return tf.tensor1d([]);
    // An explicit transpose then a plain matmul: transposed matmuls are 10–20× slower on wasm.
    return tf.concat(
      matrices.map((m) => tf.reshape(gapFromRepresentation(m.shape[1], m.shape[0]) ? m : tf.matMul(m, tf.transpose(m)), [-1])),
    ) as Tensor1D;
  });
}

/** What φ of one matrix is taken from: its representation X (d×n row-major, float32 values) or its Gram (n×n). */
export type RowGapSource = { kind: 'representation'; x: Float32Array; d: number; n: number } | { kind: 'gram'; gram: Float32Array; n: number };

/** `rowGapInputs`' values cut back into one source per matrix (`shapes`: each matrix's [rows, columns]). */
export function rowGapSources(values: Float32Array, shapes: readonly (readonly [number, number])[]): RowGapSource[] {
  let offset = 0;
  return shapes.map(([n, d]): RowGapSource => {
    if (gapFromRepresentation(d, n)) {
      // M (n×d, row-major) is Xᵀ: X = Mᵀ, d×n row-major, as isometryGapFromRepresentation reads it.
      const x = new Float32Array(d * n);
      for (let j = 0; j < n; j++) for (let i = 0; i < d; i++) x[i * n + j] = values[offset + j * d + i];
      offset += n * d;
      return { kind: 'representation', x, d, n };
    }
    const gram = values.subarray(offset, offset + n * n);
    offset += n * n;
    return { kind: 'gram', gram, n };
  });
}

/** φ of one source on this thread; null when rank-deficient or not finite. */
export function rowGap(source: RowGapSource): number | null {
  return source.kind === 'representation' ? isometryGapFromRepresentation(source.x, source.d, source.n, source.d).gap : isometryGapFromGram(source.gram, source.n).gap;
}

/** φ of each matrix from `rowGapInputs`' values; null when rank-deficient or not finite. */
export function gapsFromRowInputs(values: Float32Array, shapes: readonly (readonly [number, number])[]): (number | null)[] {
  return rowGapSources(values, shapes).map(rowGap);
}

/** φ of each sample-per-row matrix, in one awaited read. */
export async function rowIsometryGaps(tf: Tf, matrices: Tensor2D[]): Promise<(number | null)[]> {
  if (matrices.length === 0) return [];
  const inputs = rowGapInputs(tf, matrices);
  try {
    return gapsFromRowInputs((await inputs.data()) as Float32Array, matrices.map((m) => [m.shape[0], m.shape[1]] as const));
  } finally {
    inputs.dispose();
  }
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
