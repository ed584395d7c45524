// The pass's per-layer elementwise work (normalization forward and backward, the backward signal's rescale) as one kernel
// each. tfjs spends ~3 µs dispatching every kernel: on a 128×32 layer the 4 + 5 + 6 kernels of these steps cost more
// than their arithmetic, so on the wasm backend small tensors go through one JS loop on the wasm heap instead (float64
// accumulators, float32 storage). Past FUSED_MAX_ELEMENTS wasm's SIMD kernels win (a 512×64 normalization: 28 µs as four
// kernels, 75 µs as a JS loop), and every other backend keeps the composite ops, which are also the reference the fused
// kernels are tested against.
import type { Scalar, Tensor2D, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from './backend';
import { onBundledWasm, registerHeapKernel, type WasmHeap } from './wasmHeap';

export const FUSED_MAX_ELEMENTS = 8192;

export interface NormShape {
  /** 1: statistics across the batch per feature (batch norm, d×n layout); 0: across features per sample (layer norm). */
  axis: 0 | 1;
  center: boolean;
}

const NORM_FORWARD = 'DepthLensNormForward';
const NORM_BACKWARD = 'DepthLensNormBackward';
const RESCALE = 'DepthLensRescale';

function fused(tf: Tf, x: Tensor2D): boolean {
  return x.size <= FUSED_MAX_ELEMENTS && onBundledWasm(tf);
}

/** y = (x − mean)·inv with inv = 1/√(mean((x − mean)²) + eps) along the norm's axis (no mean when not centred). */
export function normForward(tf: Tf, x: Tensor2D, norm: NormShape, eps: number): [Tensor2D, Tensor2D] {
  if (!fused(tf, x)) {
    return tf.tidy(() => {
      const c = norm.center ? tf.sub(x, tf.mean(x, norm.axis, true)) : x;
      const meanSquare = tf.mean(tf.square(c), norm.axis, true);
      const inv = tf.rsqrt(eps === 0 ? meanSquare : tf.add(meanSquare, eps));
      return [tf.mul(c, inv) as Tensor2D, inv as Tensor2D];
    });
  }
  registerHeapKernel(NORM_FORWARD, ({ x: input }, attrs, heap) => normForwardKernel(input, attrs as unknown as NormShape & { eps: number }, heap));
  return tf.engine().runKernel(NORM_FORWARD, { x }, { ...norm, eps }) as unknown as [Tensor2D, Tensor2D];
}

/** ∂loss/∂x from g = ∂loss/∂y: inv·(g − y·mean(g·y)), minus its mean when centred. */
export function normBackward(tf: Tf, g: Tensor2D, y: Tensor2D, inv: Tensor2D, norm: NormShape): Tensor2D {
  if (!fused(tf, g)) {
    return tf.tidy(() => {
      const dc = tf.mul(inv, tf.sub(g, tf.mul(y, tf.mean(tf.mul(g, y), norm.axis, true))));
      return (norm.center ? tf.sub(dc, tf.mean(dc, norm.axis, true)) : dc) as Tensor2D;
    });
  }
  registerHeapKernel(NORM_BACKWARD, (inputs, attrs, heap) => normBackwardKernel(inputs, attrs as unknown as NormShape, heap));
  return tf.engine().runKernel(NORM_BACKWARD, { g, y, inv }, { ...norm }) as Tensor2D;
}

/**
 * g / max|g| and ln max|g|. An all-zero g is divided by `tiny` instead (it stays zero, and logs −∞); NaN or ±∞ in g give a
 * NaN or +∞ log scale, which the pass reports as a non-finite backward pass.
 */
export function rescaleByMaxAbs(tf: Tf, g: Tensor2D, tiny: number): [Tensor2D, Scalar] {
  if (!fused(tf, g)) {
    return tf.tidy(() => {
      const m = tf.max(tf.abs(g));
      // The reciprocal is taken on the scalar: a d×n multiply is cheaper than a d×n divide.
      return [tf.mul(g, tf.reciprocal(tf.maximum(m, tiny))) as Tensor2D, tf.log(m) as Scalar];
    });
  }
  registerHeapKernel(RESCALE, ({ g: input }, attrs, heap) => rescaleKernel(input, attrs.tiny as number, heap));
  return tf.engine().runKernel(RESCALE, { g }, { tiny }) as unknown as [Tensor2D, Scalar];
}

// ---------- the kernels (row-major r×c on the heap) ----------

/** Index arithmetic for "group k, member m" of a norm: axis 1 groups are rows, axis 0 groups are columns. */
function layout(shape: number[], axis: 0 | 1): { groups: number; size: number; groupStride: number; memberStride: number } {
  const [r, c] = shape;
  return axis === 1 ? { groups: r, size: c, groupStride: c, memberStride: 1 } : { groups: c, size: r, groupStride: 1, memberStride: c };
}

function normForwardKernel(x: TensorInfo, { axis, center, eps }: NormShape & { eps: number }, heap: WasmHeap): TensorInfo[] {
  const { groups, size, groupStride, memberStride } = layout(x.shape, axis);
  const y = heap.out(x.shape);
  const inv = heap.out(axis === 1 ? [groups, 1] : [1, groups]);
  const xs = heap.view(x);
  const ys = heap.view(y);
  const invs = heap.view(inv);
  for (let k = 0; k < groups; k++) {
    const base = k * groupStride;
    let mean = 0;
    if (center) {
      for (let m = 0; m < size; m++) mean += xs[base + m * memberStride];
      mean /= size;
    }
    let ss = 0;
    for (let m = 0; m < size; m++) {
      const v = xs[base + m * memberStride] - mean;
      ss += v * v;
    }
    const s = 1 / Math.sqrt(ss / size + eps);
    invs[k] = s;
    for (let m = 0; m < size; m++) {
      const i = base + m * memberStride;
      ys[i] = (xs[i] - mean) * s;
    }
  }
  return [y, inv];
}

function normBackwardKernel({ g, y, inv }: Record<string, TensorInfo>, { axis, center }: NormShape, heap: WasmHeap): TensorInfo {
  const { groups, size, groupStride, memberStride } = layout(g.shape, axis);
  const dx = heap.out(g.shape);
  const gs = heap.view(g);
  const ys = heap.view(y);
  const invs = heap.view(inv);
  const out = heap.view(dx);
  for (let k = 0; k < groups; k++) {
    const base = k * groupStride;
    let gy = 0;
    for (let m = 0; m < size; m++) {
      const i = base + m * memberStride;
      gy += gs[i] * ys[i];
    }
    gy /= size;
    const s = invs[k];
    let mean = 0;
    for (let m = 0; m < size; m++) {
      const i = base + m * memberStride;
      const v = s * (gs[i] - ys[i] * gy);
      out[i] = v;
      mean += v;
    }
    if (center) {
      mean /= size;
      for (let m = 0; m < size; m++) out[base + m * memberStride] -= mean;
    }
  }
  return dx;
}

function rescaleKernel(g: TensorInfo, tiny: number, heap: WasmHeap): TensorInfo[] {
  const scaled = heap.out(g.shape);
  const logScale = heap.out([]);
  const gs = heap.view(g);
  const out = heap.view(scaled);
  let max = 0;
  for (let i = 0; i < gs.length; i++) {
    const a = Math.abs(gs[i]);
    if (a > max || a !== a) max = a;
    if (max !== max) break;
  }
  const k = 1 / Math.max(max, tiny);
  for (let i = 0; i < gs.length; i++) out[i] = gs[i] * k;
  heap.view(logScale)[0] = Math.log(max);
  return [scaled, logScale];
}
