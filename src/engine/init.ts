// Weight initializations, computed on the host in float64 so every backend starts from the same numbers.
// Every function returns W as a row-major fanOut × fanIn Float64Array (W maps a fanIn-vector to a fanOut-vector).
import type { InitKind } from '../spec/types';
import { drawHouseholderFactors, formHouseholderProduct } from './haar';
import { Rng } from './rng';

/**
 * The rows × cols top-left block of a Haar-distributed orthogonal matrix of size max(rows, cols): orthonormal columns when
 * rows ≥ cols, orthonormal rows otherwise. The matrix is Stewart's product of Householder reflections (./haar), i.e. the Q of
 * a Gaussian matrix's QR with diag(R) > 0, formed in float64; `formHouseholderProductOnDevice` forms the same matrix on a
 * backend from the same draws.
 */
export function haarOrthogonal(rows: number, cols: number, rng: Rng): Float64Array {
  const m = Math.max(rows, cols);
  const q = formHouseholderProduct(drawHouseholderFactors(m, rng));
  if (rows === m && cols === m) return q;
  const w = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[i * cols + j] = q[i * m + j];
  return w;
}

/** Entries i.i.d. N(0, std²). */
export function gaussianMatrix(rows: number, cols: number, std: number, rng: Rng): Float64Array {
  return rng.fillNormal(new Float64Array(rows * cols), std);
}

/** Standard deviation of the i.i.d. Gaussian inits: gaussian g²/fan_in, xavier 2g²/(fan_in+fan_out), he 2g²/fan_in. */
export function gaussianInitStd(kind: Exclude<InitKind, 'orthogonal'>, fanIn: number, fanOut: number, gain: number): number {
  switch (kind) {
    case 'gaussian':
      return gain / Math.sqrt(fanIn);
    case 'xavier':
      return gain * Math.sqrt(2 / (fanIn + fanOut));
    case 'he':
      return gain * Math.sqrt(2 / fanIn);
  }
}

/** W (fanOut × fanIn) for an init kind and gain; orthogonal is scaled by the gain. */
export function initWeight(kind: InitKind, fanOut: number, fanIn: number, gain: number, rng: Rng): Float64Array {
  if (kind === 'orthogonal') {
    const w = haarOrthogonal(fanOut, fanIn, rng);
    if (gain !== 1) for (let i = 0; i < w.length; i++) w[i] *= gain;
    return w;
  }
  return gaussianMatrix(fanOut, fanIn, gaussianInitStd(kind, fanIn, fanOut, gain), rng);
}

/** The linear readout (width → classes): Gaussian with variance 1/fan_in, no normalization. */
export function readoutWeight(classes: number, width: number, rng: Rng): Float64Array {
  return gaussianMatrix(classes, width, 1 / Math.sqrt(width), rng);
}
