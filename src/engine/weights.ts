// W_ℓ of a seed on the device, as an operator: the diagnostic pass only ever needs W·X and Wᵀ·G.
//  - Wide orthogonal layers (d ≥ IMPLICIT_MIN_WIDTH) on CPU backends stay factored as Stewart's product of Householder reflections
//    (./haar) and are applied block by block, I − V T Vᵀ at a time: W is never formed, so the init costs the O(d²) host
//    draws instead of (4/3)d³ flops per layer, and applying it costs about the 2d²n flops of a plain product.
//  - Every other layer is an explicit matrix: orthogonal ones formed on the backend from the same Householder draws, the
//    Gaussian ones drawn on the host by `denseWeight` (network.ts) and uploaded.
// All paths give the numbers of `denseWeight` up to float32 rounding.
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from './backend';
import { compactWYBlocks, drawHouseholderFactors, formHouseholderProductOnDevice, type HouseholderFactors } from './haar';
import { haarDraw } from './haarDraw';
import type { Pause } from './bands';
import { gaussianInitStd } from './init';
import { denseWeight, weightStream, type DenseOp } from './network';
import { onBundledWasm } from './kernels/wasm/heap';
import { transpose2d, transposeInto } from './kernels/wasm/transpose';
import { Rng } from './rng';

export interface DeviceWeight {
  /** W·X for X of shape fanIn × n; only for a weight made for 'forward' or 'both'. */
  apply(x: Tensor2D): Tensor2D;
  /** Wᵀ·G for G of shape fanOut × n; only for a weight made for 'backward' or 'both'. */
  applyTransposed(g: Tensor2D): Tensor2D;
  /** The tensors this weight holds, for the caller's bookkeeping; disposing them all frees the weight. */
  readonly tensors: readonly Tensor[];
}

/**
 * Which products a weight will serve. Each is a matmul with the matrix on the left (W·X, Wᵀ·G): tfjs-backend-wasm repacks
 * the right factor of every product, which for a d×d right factor costs as much as the product (0.55 ms at d = 512).
 * A weight drawn twice (memory) is drawn as W for the forward pass and as Wᵀ for the backward pass; a kept one holds both.
 */
export type WeightUse = 'forward' | 'backward' | 'both';

/** 'auto' keeps wide orthogonal layers factored; 'formed' always forms W (the benchmark's view of the pass itself). */
export type WeightForm = 'auto' | 'formed';

/**
 * From this width on, 'auto' applies orthogonal layers in factored form on CPU backends (forming W would cost more than
 * using it). Not on webgpu: there the factored form's many small products cost a dispatch each (~100 per layer at d = 512,
 * bench/webgpu-dispatches.ts) while forming W is a few large matmuls, the kind a GPU does fastest.
 */
export const IMPLICIT_MIN_WIDTH = 256;

/**
 * Whether W_ℓ on this backend is made from Householder factors drawn on the host (by `householderFactorsOf`, or passed in
 * ready). Not on cpu (W formed on the host) nor on webgpu (reflectors drawn on the device: `drawsOnDevice`).
 */
export function usesHouseholderFactors(tf: Tf, op: DenseOp): boolean {
  return op.init === 'orthogonal' && tf.getBackend() !== 'cpu' && !drawsOnDevice(tf, op);
}

/** An orthogonal W_ℓ on webgpu: its reflectors are drawn and formed on the device from the seed's key (./haarDraw). */
export function drawsOnDevice(tf: Tf, op: DenseOp): boolean {
  return op.init === 'orthogonal' && tf.getBackend() === 'webgpu';
}

/** The size and the random stream of W_ℓ's Householder factors: drawHouseholderFactors(size, new Rng(seed, stream)). */
export function householderDraw(op: DenseOp): { size: number; stream: number } {
  return { size: Math.max(op.fanIn, op.fanOut), stream: weightStream(op.index) };
}

/** Whether `deviceWeight` keeps W_ℓ factored (applied block by block) rather than as a matrix. */
export function staysFactored(tf: Tf, op: DenseOp, form: WeightForm = 'auto'): boolean {
  return form === 'auto' && tf.getBackend() !== 'webgpu' && op.init === 'orthogonal' && op.fanIn === op.fanOut && op.fanOut >= IMPLICIT_MIN_WIDTH;
}

/**
 * W_ℓ as an operator. `factors`, when given, are W_ℓ's Householder factors drawn ahead (elsewhere, e.g. on a worker thread:
 * ./hostPool) from householderDraw(op); otherwise they are drawn here.
 */
export async function deviceWeight(
  tf: Tf,
  op: DenseOp,
  seed: number,
  use: WeightUse,
  form: WeightForm = 'auto',
  factors?: HouseholderFactors,
  pause?: Pause,
): Promise<DeviceWeight> {
  if (staysFactored(tf, op, form)) {
    const { size, stream } = householderDraw(op);
    return householderWeight(tf, factors ?? drawHouseholderFactors(size, new Rng(seed, stream)), op.gain, use);
  }
  if (use === 'forward') {
    const w = await denseWeightTensor(tf, op, seed, false, factors, pause);
    return { apply: (x) => tf.matMul(w, x), applyTransposed: unavailable('Wᵀ·G', use), tensors: [w] };
  }
  const wT = await denseWeightTensor(tf, op, seed, true, factors, pause);
  if (use === 'backward') return { apply: unavailable('W·X', use), applyTransposed: (g) => tf.matMul(wT, g), tensors: [wT] };
  // Only wasm pays for a transposed operand: elsewhere Wᵀ alone serves both products.
  if (!onBundledWasm(tf)) return { apply: (x) => tf.matMul(wT, x, true, false), applyTransposed: (g) => tf.matMul(wT, g), tensors: [wT] };
  const w = transpose2d(tf, wT);
  return { apply: (x) => tf.matMul(w, x), applyTransposed: (g) => tf.matMul(wT, g), tensors: [w, wT] };
}

function unavailable(product: string, use: WeightUse): () => never {
  return () => {
    throw new Error(`internal: ${product} asked of a weight made for the ${use} pass`);
  };
}

/**
 * W (or Wᵀ) as a tensor. Orthogonal: the Householder product formed on the backend, cut to its fanOut × fanIn top-left
 * block when the layer is not square (as `haarOrthogonal` does on the host). On the pure-JS cpu backend, whose matmuls are
 * slower than the host's float64 loops (6.8 against 2.3 ms at width 128), it is formed on the host.
 */
export async function denseWeightTensor(
  tf: Tf,
  op: DenseOp,
  seed: number,
  transposed = false,
  factors?: HouseholderFactors,
  pause: Pause = () => Promise.resolve(),
): Promise<Tensor2D> {
  const [rows, cols] = transposed ? [op.fanIn, op.fanOut] : [op.fanOut, op.fanIn];
  if (usesHouseholderFactors(tf, op) || drawsOnDevice(tf, op)) {
    const { size, stream } = householderDraw(op);
    const rng = new Rng(seed, stream);
    const source = drawsOnDevice(tf, op) ? haarDraw(size, rng) : (factors ?? drawHouseholderFactors(size, rng));
    const q = await formHouseholderProductOnDevice(tf, source, op.gain, undefined, transposed, pause);
    if (op.fanIn === op.fanOut) return q;
    const block = tf.slice(q, [0, 0], [rows, cols]);
    q.dispose();
    return block;
  }
  if (op.init !== 'orthogonal') return tf.tensor2d(await gaussianWeightValues(op, seed, transposed, pause), [rows, cols]);
  const w = denseWeight(op, seed);
  const values = new Float32Array(rows * cols);
  if (transposed) transposeInto(Float32Array.from(w), values, op.fanOut, op.fanIn);
  else values.set(w);
  return tf.tensor2d(values, [rows, cols]);
}

/** Entries of a Gaussian weight drawn per band, with a pause between bands: a 4096² draw holds the host for about a second. */
const DRAW_BAND_ENTRIES = 2 ** 20;

/**
 * A Gaussian W (or Wᵀ) as float32, drawn a band of rows at a time with a pause between bands: the same numbers as
 * `denseWeight` (the draws are sequential either way), without its float64 d² copy.
 */
async function gaussianWeightValues(op: DenseOp, seed: number, transposed: boolean, pause: Pause): Promise<Float32Array> {
  if (op.init === 'orthogonal') throw new Error('internal: an orthogonal weight is not Gaussian');
  const { fanIn, fanOut } = op;
  const rng = new Rng(seed, weightStream(op.index));
  const std = gaussianInitStd(op.init, fanIn, fanOut, op.gain);
  const values = new Float32Array(fanIn * fanOut);
  const bandRows = Math.max(1, Math.floor(DRAW_BAND_ENTRIES / fanIn));
  const size = Math.min(bandRows, fanOut) * fanIn;
  const band = new Float64Array(size);
  const band32 = transposed ? new Float32Array(size) : null;
  const bandT = transposed ? new Float32Array(size) : null;
  for (let first = 0; first < fanOut; first += bandRows) {
    const rows = Math.min(bandRows, fanOut - first);
    const w = rng.fillNormal(band.subarray(0, rows * fanIn), std);
    if (!band32 || !bandT) values.set(w, first * fanIn);
    else {
      // Rows first..first+rows of W are columns of Wᵀ: transpose the band, then copy its rows into place.
      band32.set(w);
      transposeInto(band32, bandT, rows, fanIn);
      for (let j = 0; j < fanIn; j++) values.set(bandT.subarray(j * rows, (j + 1) * rows), j * fanOut + first);
    }
    if (first + rows < fanOut) await pause();
  }
  return values;
}

/**
 * W = H_0 ⋯ H_{d−2} · scale·diag(sign) applied without forming it. Block j (reflectors start..start+b−1) acts on rows
 * start.. only: P_j = I − V T Vᵀ there, P_jᵀ = I − V Tᵀ Vᵀ, with V·T (or V·Tᵀ) multiplied once when the weight is made, so
 * that a block costs two products. W·X applies the sign scaling, then P_j from the last block to the first; Wᵀ·G applies
 * P_jᵀ from the first block to the last, then the sign scaling.
 */
export async function householderWeight(
  tf: Tf,
  factors: HouseholderFactors,
  scale = 1,
  use: WeightUse = 'both',
  block?: number,
): Promise<DeviceWeight> {
  const blocks = (await compactWYBlocks(tf, factors, block, true)).map(({ start, vt, v, t, tT }) => {
    const vT = use === 'backward' ? null : (tf.matMul(v, t) as Tensor2D);
    const vTt = use === 'forward' ? null : (tf.matMul(v, tT!) as Tensor2D);
    for (const x of [v, t, tT!]) x.dispose();
    return { start, vt, vT, vTt };
  });
  const signs = tf.tensor2d(Float32Array.from(factors.sign, (s) => s * scale), [factors.d, 1]);
  const tensors: Tensor[] = [signs];
  for (const b of blocks) for (const x of [b.vt, b.vT, b.vTt]) if (x) tensors.push(x);
  // Block j changes rows start_j.. only. W·X: the rows are split once into the blocks' row ranges, and the tail the blocks
  // act on grows from the last block to the first, one range prepended each time. Wᵀ·G: the first block acts on every
  // row, and each block then hands its first rows, final from there on, to the output. One concat per block either way.
  const update = (y: Tensor2D, vt: Tensor2D, left: Tensor2D): Tensor2D => tf.sub(y, tf.matMul(left, tf.matMul(vt, y))) as Tensor2D;
  const ranges = blocks.map((b, j) => (j + 1 < blocks.length ? blocks[j + 1].start : factors.d) - b.start);
  if (blocks.length === 0) {
    // d = 1: no reflectors, W is the scaled sign.
    return { apply: (x) => tf.mul(x, signs) as Tensor2D, applyTransposed: (g) => tf.mul(g, signs) as Tensor2D, tensors };
  }
  return {
    apply:
      use === 'backward'
        ? unavailable('W·X', use)
        : (x) =>
            tf.tidy(() => {
              const pieces = tf.split(tf.mul(x, signs), ranges, 0) as Tensor2D[];
              let tail = update(pieces[blocks.length - 1], blocks[blocks.length - 1].vt, blocks[blocks.length - 1].vT!);
              for (let j = blocks.length - 2; j >= 0; j--) tail = update(tf.concat([pieces[j], tail], 0) as Tensor2D, blocks[j].vt, blocks[j].vT!);
              return tail;
            }),
    applyTransposed:
      use === 'forward'
        ? unavailable('Wᵀ·G', use)
        : (g) =>
            tf.tidy(() => {
              const done: Tensor2D[] = [];
              let tail = g;
              blocks.forEach((b, j) => {
                tail = update(tail, b.vt, b.vTt!);
                if (j + 1 < blocks.length) [done[j], tail] = tf.split(tail, [ranges[j], tail.shape[0] - ranges[j]], 0) as [Tensor2D, Tensor2D];
              });
              done.push(tail);
              return tf.mul(done.length === 1 ? done[0] : tf.concat(done, 0), signs) as Tensor2D;
            }),
    tensors,
  };
}
