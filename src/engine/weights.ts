// W_ℓ of a seed as a device tensor. Square orthogonal weights are formed on the backend from the host's Householder draws
// (./haar), which costs O(d²) on the host instead of (4/3)d³ float64 flops; every other init is drawn on the host and
// uploaded. Either way the numbers are those of `denseWeight` (network.ts), up to float32 rounding.
import type { Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from './backend';
import { drawHouseholderFactors, formHouseholderProductOnDevice } from './haar';
import { denseWeight, weightStream, type DenseOp } from './network';
import { Rng } from './rng';

export function denseWeightTensor(tf: Tf, op: DenseOp, seed: number): Tensor2D {
  if (op.init === 'orthogonal' && op.fanIn === op.fanOut) {
    const factors = drawHouseholderFactors(op.fanOut, new Rng(seed, weightStream(op.index)));
    return formHouseholderProductOnDevice(tf, factors, op.gain);
  }
  return tf.tensor2d(Float32Array.from(denseWeight(op, seed)), [op.fanOut, op.fanIn]);
}
