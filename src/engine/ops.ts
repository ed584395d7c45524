// The pass's per-layer elementwise and reduction steps, backend-neutral: normalization forward and backward, the backward
// signal's rescale, and the activation forward and backward (Grams: ./bands). Each step runs as one fused kernel where the backend
// has one (kernels/wasm for small tensors on the bundled wasm backend, kernels/webgpu on webgpu, where every tfjs op costs
// a dispatch and a JS-number operand a buffer upload), and as composite tfjs ops elsewhere; the composite ops are also the
// reference the fused kernels are tested against. With `seeds` > 1, x holds that many seeds' d×n representations stacked as
// rows (./seedBatch): batch norm and the elementwise steps act per row anyway; a layer norm's columns and the rescale's
// maximum are taken per seed.
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Activation } from '../spec/types';
import { activate, derivative } from './activations';
import type { Tf } from './backend';
import { FUSED_MAX_ELEMENTS, registerWasmKernels } from './kernels/wasm/fused';
import { onBundledWasm } from './kernels/wasm/heap';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD, NORM_BACKWARD, NORM_FORWARD, RESCALE, registerWebGpuKernels } from './kernels/webgpu';
import type { NormShape } from './kernels/webgpu/names';

export { FUSED_MAX_ELEMENTS } from './kernels/wasm/fused';
export type { NormShape } from './kernels/webgpu/names';

/** Which fused kernels serve this tensor: 'webgpu', 'wasm' (small tensors only), or none. */
function fusedOn(tf: Tf, x: Tensor2D): 'wasm' | 'webgpu' | null {
  if (onBundledWasm(tf)) {
    if (x.size > FUSED_MAX_ELEMENTS) return null;
    registerWasmKernels();
    return 'wasm';
  }
  if (onBundledWebGpu(tf)) {
    registerWebGpuKernels();
    return 'webgpu';
  }
  return null;
}

function onBundledWebGpu(tf: Tf): boolean {
  return tf.getBackend() === 'webgpu';
}

/**
 * The composite ops' view of a stacked tensor: a layer norm over several seeds reduces [seeds, d, n] along its axis 1 (the
 * fused kernels index the seeds' blocks themselves); everything else reduces the 2-D tensor as it is.
 */
function perSeed(tf: Tf, x: Tensor, norm: NormShape, seeds: number): { view: Tensor; axis: number } {
  if (norm.axis === 1 || seeds === 1) return { view: x, axis: norm.axis };
  const [r, c] = x.shape;
  return { view: tf.reshape(x, [seeds, r / seeds, c]), axis: 1 };
}

/**
 * y = (x − mean)·inv with inv = 1/√(mean((x − mean)²) + eps) along the norm's axis (no mean when not centred). inv is
 * [r, 1] for a batch norm, [seeds, n] for a layer norm.
 */
export function normForward(tf: Tf, x: Tensor2D, norm: NormShape, eps: number, seeds = 1): [Tensor2D, Tensor2D] {
  if (!fusedOn(tf, x)) {
    return tf.tidy(() => {
      const { view, axis } = perSeed(tf, x, norm, seeds);
      const c = norm.center ? tf.sub(view, tf.mean(view, axis, true)) : view;
      const meanSquare = tf.mean(tf.square(c), axis, true);
      const inv = tf.rsqrt(eps === 0 ? meanSquare : tf.add(meanSquare, eps));
      const y = tf.reshape(tf.mul(c, inv), x.shape) as Tensor2D;
      return [y, (norm.axis === 1 ? inv : tf.reshape(inv, [seeds, x.shape[1]])) as Tensor2D];
    });
  }
  const attrs = { axis: norm.axis, center: norm.center, eps, ...(seeds === 1 ? {} : { seeds }) };
  return tf.engine().runKernel(NORM_FORWARD, { x }, attrs) as unknown as [Tensor2D, Tensor2D];
}

/** ∂loss/∂x from g = ∂loss/∂y: inv·(g − y·mean(g·y)), minus its mean when centred. */
export function normBackward(tf: Tf, g: Tensor2D, y: Tensor2D, inv: Tensor2D, norm: NormShape, seeds = 1): Tensor2D {
  if (!fusedOn(tf, g)) {
    return tf.tidy(() => {
      const { view: gv, axis } = perSeed(tf, g, norm, seeds);
      const yv = perSeed(tf, y, norm, seeds).view;
      const iv = norm.axis === 1 || seeds === 1 ? inv : tf.reshape(inv, [seeds, 1, g.shape[1]]);
      const dc = tf.mul(iv, tf.sub(gv, tf.mul(yv, tf.mean(tf.mul(gv, yv), axis, true))));
      return tf.reshape(norm.center ? tf.sub(dc, tf.mean(dc, axis, true)) : dc, g.shape) as Tensor2D;
    });
  }
  const attrs = { axis: norm.axis, center: norm.center, ...(seeds === 1 ? {} : { seeds }) };
  return tf.engine().runKernel(NORM_BACKWARD, { g, y, inv }, attrs) as Tensor2D;
}

/**
 * g / max|g| and ln max|g|, per seed: the log scale is a scalar for one seed, of shape [seeds] otherwise. An all-zero g is
 * divided by `tiny` instead (it stays zero, and logs −∞); NaN or ±∞ in g give a NaN or +∞ log scale, which the pass
 * reports as a non-finite backward pass.
 */
export function rescaleByMaxAbs(tf: Tf, g: Tensor2D, tiny: number, seeds = 1): [Tensor2D, Tensor] {
  if (!fusedOn(tf, g)) {
    return tf.tidy(() => {
      if (seeds === 1) {
        const m = tf.max(tf.abs(g));
        // The reciprocal is taken on the scalar: a d×n multiply is cheaper than a d×n divide.
        return [tf.mul(g, tf.reciprocal(tf.maximum(m, tiny))) as Tensor2D, tf.log(m)];
      }
      const rows = tf.reshape(g, [seeds, -1]);
      const m = tf.max(tf.abs(rows), 1, true);
      return [tf.reshape(tf.mul(rows, tf.reciprocal(tf.maximum(m, tiny))), g.shape) as Tensor2D, tf.reshape(tf.log(m), [seeds])];
    });
  }
  return tf.engine().runKernel(RESCALE, { g }, { tiny, ...(seeds === 1 ? {} : { seeds }) }) as unknown as [Tensor2D, Tensor];
}

/** σ(gain·u). */
export function activationForward(tf: Tf, u: Tensor2D, fn: Activation, gain: number, slope: number): Tensor2D {
  if (fusedOn(tf, u) === 'webgpu') return tf.engine().runKernel(ACTIVATION_FORWARD, { x: u }, { fn, gain, slope }) as Tensor2D;
  return tf.tidy(() => activate(tf, fn, gain === 1 ? u : tf.mul(u, gain), slope)) as Tensor2D;
}

/** ∂loss/∂u = g·gain·σ′(gain·u). */
export function activationBackward(tf: Tf, g: Tensor2D, u: Tensor2D, fn: Activation, gain: number, slope: number): Tensor2D {
  if (fusedOn(tf, g) === 'webgpu') return tf.engine().runKernel(ACTIVATION_BACKWARD, { g, x: u }, { fn, gain, slope }) as Tensor2D;
  return tf.tidy(() => {
    if (fn === 'identity') return gain === 1 ? g.clone() : tf.mul(g, gain);
    const d = derivative(tf, fn, gain === 1 ? u : tf.mul(u, gain), slope);
    return tf.mul(g, gain === 1 ? d : tf.mul(d, gain));
  }) as Tensor2D;
}
