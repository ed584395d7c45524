// W_ℓ of a seed on the device, as an operator: the diagnostic pass only ever needs W·X and Wᵀ·G.
//  - Wide orthogonal layers (d ≥ IMPLICIT_MIN_WIDTH) stay factored as Stewart's product of Householder reflections
//    (./haar) and are applied block by block, I − V T Vᵀ at a time: W is never formed, so the init costs the O(d²) host
//    draws instead of (4/3)d³ flops per layer, and applying it costs about the 2d²n flops of a plain product.
//  - Every other layer is an explicit matrix: orthogonal ones formed on the backend from the same Householder draws, the
//    Gaussian ones drawn on the host by `denseWeight` (network.ts) and uploaded.
// All paths give the numbers of `denseWeight` up to float32 rounding.
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from './backend';
import { compactWYBlocks, drawHouseholderFactors, formHouseholderProductOnDevice, type HouseholderFactors } from './haar';
import { denseWeight, weightStream, type DenseOp } from './network';
import { Rng } from './rng';

export interface DeviceWeight {
  /** W·X for X of shape fanIn × n. */
  apply(x: Tensor2D): Tensor2D;
  /** Wᵀ·G for G of shape fanOut × n; `gT` = Gᵀ when the caller has it anyway. */
  applyTransposed(g: Tensor2D, gT?: Tensor2D): Tensor2D;
  /** The tensors this weight holds, for the caller's bookkeeping; disposing them all frees the weight. */
  readonly tensors: readonly Tensor[];
}

/** From this width on, orthogonal layers are applied in factored form (forming W would cost more than using it). */
export const IMPLICIT_MIN_WIDTH = 256;

export function deviceWeight(tf: Tf, op: DenseOp, seed: number): DeviceWeight {
  if (op.init === 'orthogonal' && op.fanIn === op.fanOut && op.fanOut >= IMPLICIT_MIN_WIDTH) {
    return householderWeight(tf, drawHouseholderFactors(op.fanOut, new Rng(seed, weightStream(op.index))), op.gain);
  }
  return matrixWeight(tf, denseWeightTensor(tf, op, seed));
}

/**
 * W as a tensor. Orthogonal: the Householder product formed on the backend, cut to its fanOut × fanIn top-left block when
 * the layer is not square (as `haarOrthogonal` does on the host). On the pure-JS cpu backend, whose matmuls are slower than
 * the host's float64 loops (6.8 against 2.3 ms at width 128), it is formed on the host.
 */
export function denseWeightTensor(tf: Tf, op: DenseOp, seed: number): Tensor2D {
  if (op.init === 'orthogonal' && tf.getBackend() !== 'cpu') {
    const size = Math.max(op.fanIn, op.fanOut);
    const q = formHouseholderProductOnDevice(tf, drawHouseholderFactors(size, new Rng(seed, weightStream(op.index))), op.gain);
    if (op.fanIn === op.fanOut) return q;
    const block = tf.slice(q, [0, 0], [op.fanOut, op.fanIn]);
    q.dispose();
    return block;
  }
  return tf.tensor2d(Float32Array.from(denseWeight(op, seed)), [op.fanOut, op.fanIn]);
}

export function matrixWeight(tf: Tf, w: Tensor2D): DeviceWeight {
  return {
    apply: (x) => tf.matMul(w, x),
    // (Gᵀ·W)ᵀ: two n×d transposes instead of a d×d one (transposed matmuls are 10–20× slower on wasm).
    applyTransposed: (g, gT) => tf.tidy(() => tf.transpose(tf.matMul(gT ?? tf.transpose(g), w)) as Tensor2D),
    tensors: [w],
  };
}

/**
 * W = H_0 ⋯ H_{d−2} · scale·diag(sign) applied without forming it. Block j (reflectors start..start+b−1) acts on rows
 * start.. only: P_j = I − V T Vᵀ there, P_jᵀ = I − V Tᵀ Vᵀ. W·X applies the sign scaling, then P_j from the last block
 * to the first; Wᵀ·G applies P_jᵀ from the first block to the last, then the sign scaling.
 */
export function householderWeight(tf: Tf, factors: HouseholderFactors, scale = 1, block?: number): DeviceWeight {
  const blocks = compactWYBlocks(tf, factors, block, true).map((b) => ({ ...b, tT: b.tT as Tensor2D }));
  const signs = tf.tensor2d(Float32Array.from(factors.sign, (s) => s * scale), [factors.d, 1]);
  const tensors: Tensor[] = [signs];
  for (const b of blocks) tensors.push(b.vt, b.v, b.t, b.tT);
  const applyBlock = (y: Tensor2D, start: number, vt: Tensor2D, v: Tensor2D, t: Tensor2D): Tensor2D => {
    if (start === 0) return tf.sub(y, tf.matMul(v, tf.matMul(t, tf.matMul(vt, y)))) as Tensor2D;
    const [rows, n] = y.shape;
    const head = tf.slice(y, [0, 0], [start, n]);
    const tail = tf.slice(y, [start, 0], [rows - start, n]);
    return tf.concat([head, tf.sub(tail, tf.matMul(v, tf.matMul(t, tf.matMul(vt, tail))))], 0) as Tensor2D;
  };
  return {
    apply: (x) =>
      tf.tidy(() => {
        let y = tf.mul(x, signs) as Tensor2D;
        for (let j = blocks.length - 1; j >= 0; j--) y = applyBlock(y, blocks[j].start, blocks[j].vt, blocks[j].v, blocks[j].t);
        return y;
      }),
    applyTransposed: (g) =>
      tf.tidy(() => {
        let y = g;
        for (const b of blocks) y = applyBlock(y, b.start, b.vt, b.v, b.tT);
        return tf.mul(y, signs) as Tensor2D;
      }),
    tensors,
  };
}
