// Products that would hold a CPU backend for longer than ~0.1 s are computed a band of columns at a time, with a pause
// (a yield to the event loop and a cancellation check) between bands: a tfjs kernel runs to its end once started, so
// without the bands one product of a wide layer (2·4096²·1024 flops: seconds on wasm) would delay a cancel, Ctrl-C or
// the parent's disconnect by as long. Every product cut here acts on each column of its right operand alone, so the
// bands give the columns of the whole product.
import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import type { Tf } from './backend';
import { columnBand } from './kernels/wasm/columns';
import { onBundledWasm } from './kernels/wasm/heap';
import { transpose2d } from './kernels/wasm/transpose';

/** Flops of one band: about 60 ms on wasm (17 GFLOP/s, ./backends/cost), 0.4 s on the pure-JS cpu backend. */
export const BAND_FLOPS = 1e9;

/** Lets the event loop run when due and throws CancelledError when the run was cancelled. */
export type Pause = () => Promise<void>;

/**
 * f(x) for an f that maps each column of x to a column of the output (W·X, Xᵀ·X's columns). `flopsPerColumn` sizes the
 * bands. On webgpu the product is one dispatch: the GPU computes while the host's event loop stays free.
 */
export async function banded(tf: Tf, x: Tensor2D, flopsPerColumn: number, f: (band: Tensor2D) => Tensor2D, pause: Pause): Promise<Tensor2D> {
  const columns = x.shape[1];
  const width = Math.max(1, Math.floor(BAND_FLOPS / Math.max(1, flopsPerColumn)));
  if (width >= columns || tf.getBackend() === 'webgpu') return f(x);
  const parts: Tensor2D[] = [];
  try {
    for (let start = 0; start < columns; start += width) {
      const band = columnBand(tf, x, start, Math.min(width, columns - start));
      try {
        parts.push(f(band));
      } finally {
        band.dispose();
      }
      await pause();
    }
    return tf.concat(parts, 1);
  } finally {
    for (const p of parts) p.dispose();
  }
}

/** XᵀX of a d×n representation (n×n), in bands of columns when large. */
export async function bandedGram(tf: Tf, x: Tensor2D, pause: Pause): Promise<Tensor2D> {
  const [d, n] = x.shape;
  if (onBundledWasm(tf)) {
    // wasm repacks a transposed left operand on every product: transpose once.
    const xT = transpose2d(tf, x);
    try {
      return await banded(tf, x, 2 * d * n, (band) => tf.matMul(xT, band), pause);
    } finally {
      xT.dispose();
    }
  }
  return banded(tf, x, 2 * d * n, (band) => tf.matMul(x, band, true, false), pause);
}

/**
 * The Grams of `seeds` representations stacked as rows of x ([S·d, n], ./seedBatch): one batched product, the seeds' n×n
 * Grams stacked as [S·n, n], in bands of columns when large.
 */
export async function bandedGrams(tf: Tf, x: Tensor2D, seeds: number, pause: Pause): Promise<Tensor2D> {
  if (seeds === 1) return bandedGram(tf, x, pause);
  const [rows, n] = x.shape;
  const d = rows / seeds;
  const x3 = tf.reshape(x, [seeds, d, n]) as Tensor3D;
  // wasm repacks a transposed left operand on every product: transpose once.
  const left = onBundledWasm(tf) ? (tf.transpose(x3, [0, 2, 1]) as Tensor3D) : x3;
  const transposeLeft = left === x3;
  try {
    return await banded(tf, x, 2 * rows * n, (band) =>
      tf.tidy(() => tf.reshape(tf.matMul(left, tf.reshape(band, [seeds, d, band.shape[1]]) as Tensor3D, transposeLeft, false), [seeds * n, band.shape[1]]) as Tensor2D),
      pause,
    );
  } finally {
    if (left !== x3) left.dispose();
    x3.dispose();
  }
}
